import { isNoValue, type DataNode, type OperationNode } from '../nodes.js';
import { PyflowError, describeCallSite } from '../errors.js';
import { activate, beginCompute, firstOp, type Evaluation, type Target } from './activate.js';
import { fail, newFrame, type Frame } from './call.js';

/*
 * The run order: pyflow's recursion (an op runs after its parents, computed in argument order, depth first) on an
 * explicit stack of frames, one per op waiting for its parents. The op on top whose parents all have their values is
 * ready: the driver runs it (sync.ts: at once; async.ts: it may start a call and leave it in flight). While a parent is
 * in flight the walk goes on with the op's other missing parents, so independent ops run at once; a frame whose
 * missing parents are all being computed waits aside (`blocked`) until something settles.
 *
 * Rule: a parent an op had seen with its value, released since by user code (`releaseMemory()` in an op's function),
 * is computed again once per waiting op; released again, the evaluation fails (RELEASED) rather than loop for ever.
 */

/** How a driver runs a ready op (see sync.ts, async.ts). */
export interface Driver {
  /**
   * Runs a ready op: 'done' when it has finished, 'waiting' when a call is in flight for it, 'later' when it cannot
   * start now (the driver has as many calls in flight as it may: it then has something to wait for).
   */
  run(frame: Frame): 'done' | 'waiting' | 'later';
  /** Whether the driver has something in flight to wait for. */
  busy(): boolean;
  /**
   * Whether it can leave calls in flight. If not, a frame's missing parent is never being computed already (the frames
   * on the stack are its op's descendants), and the walk does not track which ops have frames.
   */
  readonly concurrent: boolean;
}

const BLOCKED = Symbol('blocked');

/** An evaluation's walk: its targets, one after the other (`start`, then `advance` until it returns true). */
export class Walk {
  private readonly stack: Frame[] = [];
  private readonly blocked: Frame[] = [];
  /** The ops that have a frame here (on the stack, blocked, or in flight), when the driver is concurrent. */
  private readonly framed: Set<OperationNode> | undefined;

  constructor(
    private readonly evaluation: Evaluation,
    private readonly driver: Driver,
  ) {
    this.framed = driver.concurrent ? new Set() : undefined;
  }

  /** Starts on a target (with the async driver, while earlier ones may still have calls in flight). */
  start(target: Target): void {
    const first = firstOp(this.evaluation, target);
    if (first !== undefined && this.framed?.has(first) !== true) this.push(first);
  }

  /** Runs what can run now: true when the target is done, false when the driver has calls in flight to wait for. */
  advance(): boolean {
    for (;;) {
      this.runFrames();
      if (this.driver.busy()) return false;
      if (this.blocked.length === 0) return true;
      this.resume();
    }
  }

  /** After something the driver waited for settled (`op`: a call in flight, finished now): the waiting frames go on. */
  settled(op: OperationNode | undefined): void {
    if (op !== undefined) this.framed?.delete(op);
    this.resume();
  }

  private resume(): void {
    this.stack.push(...this.blocked.splice(0).reverse());
  }

  private push(op: OperationNode): void {
    this.stack.push(newFrame(op));
    this.framed?.add(op);
  }

  private runFrames(): void {
    const stack = this.stack;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const op = frame.op;
      if (!op._active) {
        // Deactivated while this frame waited: another evaluation ran it (one nested in an op's function, or a getAsync()
        // running at once), or failed and deactivated it. Run already: nothing left to do; else activated again.
        if (!op._lacksOutput()) {
          stack.pop();
          this.framed?.delete(op);
          continue;
        }
        activate(this.evaluation, op);
      }
      const next = this.nextParent(frame);
      if (next === BLOCKED) {
        this.blocked.push(stack.pop()!);
        continue;
      }
      if (next !== undefined) {
        this.push(beginCompute(this.evaluation, next));
        continue;
      }
      const outcome = this.driver.run(frame);
      if (outcome === 'later') {
        this.blocked.push(stack.pop()!);
        return;
      }
      stack.pop();
      if (outcome === 'done') this.framed?.delete(op);
    }
  }

  /**
   * The first parent (argument order) to compute before the op can run whose producer is not being computed already;
   * BLOCKED when every missing parent's producer is; undefined when every parent has its value.
   */
  private nextParent(frame: Frame): DataNode | typeof BLOCKED | undefined {
    const missing = firstMissingParent(frame);
    if (missing === undefined || this.framed === undefined) return missing;
    const parents = frame.op._parents;
    for (let i = frame.next; i < parents.length; i++) {
      const parent = parents[i]!;
      if (!isNoValue(parent._value)) continue;
      const producer = parent._producer;
      if (producer === undefined || !this.framed.has(producer)) return parent;
    }
    return BLOCKED;
  }
}

/** The first parent without its value, from `frame.next` on (which it moves there); then, once, from the start (the rule above). */
function firstMissingParent(frame: Frame): DataNode | undefined {
  const parents = frame.op._parents;
  const from = frame.next;
  while (frame.next < parents.length) {
    const parent = parents[frame.next]!;
    if (isNoValue(parent._value)) return parent;
    frame.next++;
  }
  for (let i = 0; i < from; i++) {
    if (isNoValue(parents[i]!._value)) {
      if (frame.recomputed) throw fail(frame.op, releasedAgainError(parents[i]!, frame.op));
      frame.recomputed = true;
      frame.next = i;
      return parents[i];
    }
  }
  return undefined;
}

function releasedAgainError(data: DataNode, op: OperationNode): PyflowError {
  return new PyflowError('RELEASED',
    `${data.uid} was released while ${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) waited for its ` +
    'other inputs, after an input of it released the same way had already been computed again (once per waiting op): user ' +
    'code (an op\'s function or an onRelease hook) keeps releasing values this op needs', op.uid, op.callSite);
}
