import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type DataNode } from '../../src/core/index.js';
import { random } from './seeded.js';

/*
 * pyflow-viz's evaluation algorithm, ported as literally as possible (recursive, as in its data_node.py and
 * operation_node.py: `get`, `activate_dependency_op_nodes`, `_get_dependency_ancestor_node_weak_refs`, `run` and
 * its release loop), printing its verbose lines. Random graphs are built in both, and every `get()` must give the
 * same value and the same lines, in the same order. The graphs avoid what the README lists as deliberate
 * differences (a node passed twice to one op; `undefined` values; `run()`).
 */

class RefData {
  value: number | undefined;
  readonly children: RefOp[] = [];
  constructor(readonly uid: string, readonly producer: RefOp | undefined, public persist: boolean, value?: number) {
    this.value = value;
  }
}

class RefOp {
  active = false;
  readonly outputs: RefData[] = [];
  constructor(readonly uid: string, readonly fn: (...args: number[]) => number | number[], readonly parents: RefData[], readonly print: (line: string) => void) {}
}

function refGet(d: RefData): number {
  if (d.value !== undefined) return d.value;
  const print = d.producer!.print;
  print(`computing for ${d.uid}`);
  // activate_dependency_op_nodes: the ancestors, pre-order (pyflow re-walks shared ones; `activate` is idempotent).
  const acc: (RefOp | RefData)[] = [];
  collect(d, acc);
  for (const node of acc) if (node instanceof RefOp) activate(node);
  refRun(d.producer!);
  return d.value!;
}

function parentsOf(node: RefOp | RefData): (RefOp | RefData)[] {
  return node instanceof RefOp ? node.parents : node.producer ? [node.producer] : [];
}

function collect(node: RefOp | RefData, acc: (RefOp | RefData)[]): void {
  for (const parent of parentsOf(node)) {
    if (parent instanceof RefData && parent.value !== undefined) continue;
    if (parentsOf(parent).length > 0) {
      if (!acc.includes(parent)) acc.push(parent);
      collect(parent, acc);
    } else acc.push(parent);
  }
}

function activate(op: RefOp): void {
  if (op.active) return;
  op.print(`${op.uid} activated!`);
  op.active = true;
}

function refRun(op: RefOp): void {
  const values = op.parents.map(refGet);
  op.print(`running ${op.uid}`);
  const out = op.fn(...values);
  if (op.outputs.length > 1) op.outputs.forEach((o, i) => { o.value = (out as number[])[i]; });
  else op.outputs[0]!.value = out as number;
  for (const parent of op.parents) {
    if (parent.persist) continue;
    let release = true;
    for (const child of parent.children) {
      if (!child.active) continue;
      if (child.outputs.some((o) => o.value === undefined)) {
        op.print(`${parent.uid} still needed at ${child.uid}`);
        release = false;
        break;
      }
    }
    if (release) {
      parent.value = undefined;
      op.print(`${parent.uid} released!`);
    }
  }
  op.print(`${op.uid} deactivated!`);
  op.active = false;
}


function sum(...xs: number[]): number {
  return xs.reduce((a, b) => a + b, 1);
}
function pair(...xs: number[]): number[] {
  const s = sum(...xs);
  return [s, 2 * s];
}

/** The lines of pyflow-viz's trace that an untraced graph shows too: which op runs, which value is released. */
function runsAndReleases(lines: readonly string[]): string[] {
  return lines.filter((line) => line.startsWith('running ') || line.endsWith(' released!'));
}

/**
 * Builds random graph `seed` in ours and in the port, `get()`s 1-4 random nodes in both, and checks the values, the
 * values kept, and the trace: whole when `traced` (verbose), else the ops run (recorded by the functions) and the values
 * released (recorded by onRelease), in order. Untraced graphs take another path through the evaluator.
 */
function compare(seed: number, traced: boolean): void {
  const rnd = random(seed);
  const ours: string[] = [];
  const theirs: string[] = [];
  const G = traced
    ? new GraphBuilder({ verbose: true, log: (line) => ours.push(line) })
    : new GraphBuilder({ onRelease: (_value, node) => ours.push(`${node.uid} released!`) });
  const data: { node: DataNode<number>; ref: RefData }[] = [];
  const ops = 4 + Math.floor(rnd() * 12);
  for (let k = 0; k < ops; k++) {
    const arity = 1 + Math.floor(rnd() * 3);
    const picked = new Set<number>();
    const args: ({ node: DataNode<number>; ref: RefData } | number)[] = [];
    for (let a = 0; a < arity; a++) {
      if (data.length > 0 && rnd() < 0.8) {
        const i = Math.floor(data.length * Math.sqrt(rnd()));
        if (picked.has(i)) continue;
        picked.add(i);
        args.push(data[i]!);
      } else args.push(Math.floor(rnd() * 10));
    }
    if (args.length === 0) args.push(1);
    const nOut = rnd() < 0.3 ? 2 : 1;
    const persist = rnd() < 0.1;
    const fn = nOut === 2 ? pair : sum;
    let uid = '';
    // Untraced, the function itself says that it runs (named as the op, so that uids stay the same).
    const called = traced ? fn : { [fn.name]: (...xs: number[]) => { ours.push(`running ${uid}`); return fn(...xs); } }[fn.name]!;
    const made = G.add(called as (...xs: number[]) => number, { nOut, persist })(...args.map((a) => (typeof a === 'number' ? a : a.node)));
    const outs = (nOut === 2 ? made : [made]) as unknown as DataNode<number>[];
    const op = G.operations[G.operations.length - 1]!;
    uid = op.uid;
    const refParents = args.map((a, i) => (typeof a === 'number' ? new RefData(op.inputs[i]!.uid, undefined, true, a) : a.ref));
    const refOp = new RefOp(op.uid, fn, refParents, (line) => theirs.push(line));
    for (const p of refParents) p.children.push(refOp);
    for (const out of outs) {
      const ref = new RefData(out.uid, refOp, persist);
      refOp.outputs.push(ref);
      data.push({ node: out, ref });
    }
  }
  const gets = 1 + Math.floor(rnd() * 4);
  for (let g = 0; g < gets; g++) {
    const target = data[Math.floor(rnd() * data.length)]!;
    const expected = refGet(target.ref);
    assert.equal(target.node.get(), expected, `seed ${seed}: value of ${target.node.uid}`);
    assert.deepEqual(ours, traced ? theirs : runsAndReleases(theirs), `seed ${seed}: get ${g} of ${target.node.uid}`);
    assert.deepEqual(data.map((d) => d.node.hasValue()), data.map((d) => d.ref.value !== undefined), `seed ${seed}: which values are kept`);
  }
  assert.ok(G.operations.every((op) => !op.isActivated()), `seed ${seed}: every op is deactivated`);
}

describe('pyflow-viz\'s algorithm, ported literally, agrees with ours', () => {
  it('on 1,000 random graphs (shared values, multi-output ops, persisted outputs, several gets): same values, same verbose lines', () => {
    for (let seed = 1; seed <= 1000; seed++) compare(seed, true);
  });

  it('untraced, on the same 1,000 graphs: same values, the same ops run in the same order, the same values released', () => {
    for (let seed = 1; seed <= 1000; seed++) compare(seed, false);
  });
});
