import { isNoValue, type DataNode, type OperationNode } from '../nodes.js';
import { PyflowError, describeCallSite } from '../errors.js';
import { activate, activateInputs, beginCompute, firstOp, type Evaluation, type Target } from './activate.js';
import { fail, runCached } from './call.js';

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
   * start now (the driver has as many calls in flight as it may: it then has something to wait for). `read`: whether
   * to look for its result in the graph's cache first (not when the walk found it gone there already).
   */
  run(op: OperationNode, read: boolean): 'done' | 'waiting' | 'later';
  /** Whether the driver has something in flight to wait for. */
  busy(): boolean;
  /**
   * Whether it can leave calls in flight. If not, a frame's missing parent is never being computed already (the frames
   * on the stack are its op's descendants), and the walk does not track which ops have frames.
   */
  readonly concurrent: boolean;
}

const BLOCKED = Symbol('blocked');

/** Frames (an op waiting for its parents) as parallel lists, the last on top: an op waiting costs no object of its own. */
class Frames {
  readonly ops: OperationNode[] = [];
  /** The first parent not yet known to have its value. */
  readonly next: number[] = [];

  get size(): number {
    return this.ops.length;
  }

  push(op: OperationNode, next: number): void {
    this.ops.push(op);
    this.next.push(next);
  }

  pop(): void {
    this.ops.pop();
    this.next.pop();
  }

  /** Moves the top frame onto `other`. */
  moveTopTo(other: Frames): void {
    const top = this.ops.length - 1;
    other.push(this.ops[top]!, this.next[top]!);
    this.pop();
  }
}

/** An evaluation's walk: its targets, one after the other (`start`, then `advance` until it returns true). */
export class Walk {
  private readonly stack = new Frames();
  private readonly blocked = new Frames();
  /** The ops that have a frame here (on the stack, blocked, or in flight), when the driver is concurrent. */
  private readonly framed: Set<OperationNode> | undefined;
  /** The ops activated as cache hits whose entry was gone when read: they are called without reading it again. */
  private missed: Set<OperationNode> | undefined = undefined;
  /** The ops whose frame had a parent computed again (the rule above; an op has one frame at a time). */
  private recomputed: Set<OperationNode> | undefined = undefined;

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
      if (this.blocked.size === 0) return true;
      this.resume();
    }
  }

  /** After something the driver waited for settled (`op`: a call in flight, finished now): the waiting frames go on. */
  settled(op: OperationNode | undefined): void {
    if (op !== undefined) this.framed?.delete(op);
    this.resume();
  }

  /** The blocked frames go back on the stack, the first blocked on top. */
  private resume(): void {
    while (this.blocked.size > 0) this.blocked.moveTopTo(this.stack);
  }

  private push(op: OperationNode): void {
    this.stack.push(op, 0);
    this.framed?.add(op);
  }

  private runFrames(): void {
    const stack = this.stack;
    const ops = stack.ops;
    while (ops.length > 0) {
      const top = ops.length - 1;
      const op = ops[top]!;
      if (!op._active) {
        // Deactivated while this frame waited: another evaluation ran it (one nested in an op's function, or a getAsync()
        // running at once), or failed and deactivated it. Run already: nothing left to do; else activated again.
        if (!op._lacksOutput()) {
          this.pop(op, true);
          continue;
        }
        activate(this.evaluation, op);
      }
      if (this.evaluation.hits?.delete(op) === true) {
        if (runCached(op)) {
          this.pop(op, true);
          continue;
        }
        // The cache's entry went since activation (evicted, corrupt): the op is called after all.
        (this.missed ??= new Set()).add(op);
        activateInputs(this.evaluation, op);
      }
      const next = this.nextParent(top);
      if (next === BLOCKED) {
        stack.moveTopTo(this.blocked);
        continue;
      }
      if (next !== undefined) {
        this.push(beginCompute(this.evaluation, next));
        continue;
      }
      const outcome = this.driver.run(op, this.missed?.has(op) !== true);
      if (outcome === 'later') {
        stack.moveTopTo(this.blocked);
        return;
      }
      this.pop(op, outcome === 'done');
    }
  }

  /** Pops the top frame, whose op has run (`done`) or has a call in flight (it stays framed until that settles). */
  private pop(op: OperationNode, done: boolean): void {
    this.stack.pop();
    this.recomputed?.delete(op);
    this.missed?.delete(op);
    if (done) this.framed?.delete(op);
  }

  /**
   * The first parent (argument order) of the frame `at` to compute before its op can run whose producer is not being
   * computed already; BLOCKED when every missing parent's producer is; undefined when every parent has its value.
   */
  private nextParent(at: number): DataNode | typeof BLOCKED | undefined {
    const missing = this.firstMissingParent(at);
    if (missing === undefined || this.framed === undefined) return missing;
    const parents = this.stack.ops[at]!._parents;
    for (let i = this.stack.next[at]!; i < parents.length; i++) {
      const parent = parents[i]!;
      if (!isNoValue(parent._value)) continue;
      const producer = parent._producer;
      if (producer === undefined || !this.framed.has(producer)) return parent;
    }
    return BLOCKED;
  }

  /**
   * The first parent of the frame `at` without its value, from its `next` on (which it moves there); then, once, from
   * the start (the rule above).
   */
  private firstMissingParent(at: number): DataNode | undefined {
    const frames = this.stack;
    const op = frames.ops[at]!;
    const parents = op._parents;
    const from = frames.next[at]!;
    let next = from;
    while (next < parents.length && !isNoValue(parents[next]!._value)) next++;
    frames.next[at] = next;
    if (next < parents.length) return parents[next];
    for (let i = 0; i < from; i++) {
      if (isNoValue(parents[i]!._value)) {
        if (this.recomputed?.has(op) === true) throw fail(op, releasedAgainError(parents[i]!, op));
        (this.recomputed ??= new Set()).add(op);
        frames.next[at] = i;
        return parents[i];
      }
    }
    return undefined;
  }
}

function releasedAgainError(data: DataNode, op: OperationNode): PyflowError {
  return new PyflowError(
    'RELEASED',
    `${data.uid} was released while ${op.uid} (${op.fnName}, added at ${describeCallSite(op.callSite)}) waited for its ` +
      'other inputs, after an input of it released the same way had already been computed again (once per waiting op): user ' +
      "code (an op's function or an onRelease hook) keeps releasing values this op needs",
    op.uid,
    op.callSite,
  );
}
