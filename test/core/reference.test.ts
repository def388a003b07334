import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type DataNode, type OperationNode } from '../../src/core/index.js';
import { random } from './seeded.js';

/*
 * pyflow-viz's evaluation algorithm, ported as literally as possible (recursive, as in its data_node.py and
 * operation_node.py: `get`, `activate_dependency_op_nodes`, `_get_dependency_ancestor_node_weak_refs`, `run` and
 * its release loop), printing its verbose lines. Random graphs are built in both, and every `get()` must give the
 * same value and the same lines, in the same order. The graphs avoid what docs/guide.md lists as deliberate
 * differences (a node passed twice to one op; `undefined` values; `run()`).
 */

class RefData {
  value: number | undefined;
  /** pyflow 0.43's shallow persist (run_only's targets it computed). */
  shallow = false;
  /** Held while a runOnly that has it as a target runs (ours: see refRunOnly). */
  held = false;
  readonly children: RefOp[] = [];
  constructor(
    readonly uid: string,
    readonly producer: RefOp | undefined,
    public persist: boolean,
    value?: number,
  ) {
    this.value = value;
  }
}

class RefOp {
  active = false;
  readonly outputs: RefData[] = [];
  constructor(
    readonly uid: string,
    readonly fn: (...args: number[]) => number | number[],
    readonly parents: RefData[],
    readonly print: (line: string) => void,
  ) {}
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
  if (op.outputs.length > 1)
    op.outputs.forEach((o, i) => {
      o.value = (out as number[])[i];
    });
  else op.outputs[0]!.value = out as number;
  for (const parent of op.parents) {
    if (parent.persist || parent.shallow || parent.held) continue;
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

/**
 * pyflow 0.43's `run_only` (graph_builder.py): each data target without a value is shallowly persisted and what it needs
 * activated, each op target and what it needs activated; then the graph's activated ops run in the order they were
 * added; the data targets' values are returned. One deliberate difference (docs/guide.md): a data target that has its
 * value is held until the call returns (pyflow may release it when an op the call runs consumes it, and compute it
 * again to return it).
 */
function refRunOnly(ops: readonly RefOp[], targets: readonly (RefData | RefOp)[]): number[] {
  const data = targets.filter((t): t is RefData => t instanceof RefData);
  for (const d of data) d.held = d.value !== undefined;
  for (const target of targets) {
    if (target instanceof RefData) {
      if (target.value !== undefined) continue;
      target.shallow = true;
    } else activate(target);
    const acc: (RefOp | RefData)[] = [];
    collect(target, acc);
    for (const node of acc) if (node instanceof RefOp) activate(node);
  }
  for (const op of ops) if (op.active) refRun(op);
  const values = data.map(refGet);
  for (const d of data) d.held = false;
  return values;
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
    const called = traced
      ? fn
      : {
          [fn.name]: (...xs: number[]) => {
            ours.push(`running ${uid}`);
            return fn(...xs);
          },
        }[fn.name]!;
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
    assert.deepEqual(
      data.map((d) => d.node.hasValue()),
      data.map((d) => d.ref.value !== undefined),
      `seed ${seed}: which values are kept`,
    );
  }
  assert.ok(
    G.operations.every((op) => !op.isActivated()),
    `seed ${seed}: every op is deactivated`,
  );
}

/**
 * Random graphs as in `compare`, then random runOnly calls (1-3 targets: data nodes, and ops whose outputs lack their
 * values) and gets, in ours and in the port of pyflow 0.43's run_only: the same values, the same nodes keep their values,
 * the same ops run and the same values are released. Not the same order: ours runs what each target needs as get()
 * does, depth first (docs/guide.md, "Differences from pyflow-viz").
 */
function compareRunOnly(seed: number): void {
  const rnd = random(seed);
  const ours: string[] = [];
  const theirs: string[] = [];
  const G = new GraphBuilder({ verbose: true, log: (line) => ours.push(line) });
  const data: { node: DataNode<number>; ref: RefData }[] = [];
  const refOps: RefOp[] = [];
  const ops = 4 + Math.floor(rnd() * 12);
  for (let k = 0; k < ops; k++) {
    const args: ({ node: DataNode<number>; ref: RefData } | number)[] = [];
    const picked = new Set<number>();
    for (let a = 0; a < 1 + Math.floor(rnd() * 3); a++) {
      const i = Math.floor(data.length * Math.sqrt(rnd()));
      if (data.length > 0 && rnd() < 0.8 && !picked.has(i)) {
        picked.add(i);
        args.push(data[i]!);
      } else args.push(Math.floor(rnd() * 10));
    }
    const nOut = rnd() < 0.3 ? 2 : 1;
    const persist = rnd() < 0.1;
    const fn = nOut === 2 ? pair : sum;
    const made = G.add(fn as (...xs: number[]) => number, { nOut, persist })(...args.map((a) => (typeof a === 'number' ? a : a.node)));
    const outs = (nOut === 2 ? made : [made]) as unknown as DataNode<number>[];
    const op = G.operations[G.operations.length - 1]!;
    const refParents = args.map((a, i) => (typeof a === 'number' ? new RefData(op.inputs[i]!.uid, undefined, true, a) : a.ref));
    const refOp = new RefOp(op.uid, fn, refParents, (line) => theirs.push(line));
    refOps.push(refOp);
    for (const p of refParents) p.children.push(refOp);
    for (const out of outs) {
      const ref = new RefData(out.uid, refOp, persist);
      refOp.outputs.push(ref);
      data.push({ node: out, ref });
    }
  }
  const sorted = (lines: string[], pattern: RegExp) => lines.filter((line) => pattern.test(line)).sort();
  for (let call = 0; call < 1 + Math.floor(rnd() * 4); call++) {
    ours.length = theirs.length = 0;
    if (rnd() < 0.3) {
      const target = data[Math.floor(rnd() * data.length)]!;
      assert.equal(target.node.get(), refGet(target.ref), `seed ${seed}: get ${target.node.uid}`);
    } else {
      const targets: ({ node: DataNode<number>; ref: RefData } | { op: OperationNode; ref: RefOp })[] = [];
      for (let t = 0; t < 1 + Math.floor(rnd() * 3); t++) {
        const k = Math.floor(rnd() * refOps.length);
        const d = data[Math.floor(rnd() * data.length)]!;
        if (rnd() < 0.3 && refOps[k]!.outputs.every((o) => o.value === undefined)) targets.push({ op: G.operations[k]!, ref: refOps[k]! });
        else if (!targets.some((x) => x.ref === d.ref)) targets.push(d);
      }
      const got = G.runOnly(...targets.map((t) => ('op' in t ? t.op : t.node)));
      const values = refRunOnly(
        refOps,
        targets.map((t) => t.ref),
      );
      // (Ours returns one target's value, or an array for several with undefined for ops; pyflow the data targets' values.)
      const ourValues = (targets.length === 1 ? [got] : (got as unknown[])).filter((_, i) => !('op' in targets[i]!));
      assert.deepEqual(ourValues, values, `seed ${seed}: runOnly(${targets.map((t) => ('op' in t ? t.op.uid : t.node.uid))}) values`);
    }
    assert.deepEqual(
      data.map((d) => d.node.hasValue()),
      data.map((d) => d.ref.value !== undefined),
      `seed ${seed}, call ${call}: which values are kept`,
    );
    assert.deepEqual(sorted(ours, /^running /), sorted(theirs, /^running /), `seed ${seed}, call ${call}: the ops run`);
    assert.deepEqual(
      sorted(ours, / (released|activated)!$/),
      sorted(theirs, / (released|activated)!$/),
      `seed ${seed}, call ${call}: activations and releases`,
    );
  }
  assert.ok(
    G.operations.every((op) => !op.isActivated()),
    `seed ${seed}: every op is deactivated`,
  );
}

describe("pyflow-viz's algorithm, ported literally, agrees with ours", () => {
  it('on 1,000 random graphs (shared values, multi-output ops, persisted outputs, several gets): same values, same verbose lines', () => {
    for (let seed = 1; seed <= 1000; seed++) compare(seed, true);
  });

  it("runOnly, against pyflow 0.43's run_only on 500 random graphs: same values, same values kept, same ops run and values released", () => {
    for (let seed = 1; seed <= 500; seed++) compareRunOnly(seed);
  });

  it('untraced, on the same 1,000 graphs: same values, the same ops run in the same order, the same values released', () => {
    for (let seed = 1; seed <= 1000; seed++) compare(seed, false);
  });
});
