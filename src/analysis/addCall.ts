import { ts } from 'ts-morph';
import type { ModelNode, SourceRange } from '../core/index.js';
import { graftedUid } from '../core/graftedGroup.js';
import { lineOf, markUncertain, rangeBetween, rangeOf, unwrap, visitExpression, type GraphState, type Scope, type Value } from './extractGraph.js';
import { functionInfo, type FnInfo } from './functions.js';
import { readOptions, type StaticOptions } from './options.js';
import { someNode } from './walk.js';

/*
 * One `G.add(fn, options)(...args)` call, replayed as the runtime's GraphBuilder does it: the op's uid, its
 * raw inputs, its outputs. And the spellings of `add` that cannot be replayed, which are reported.
 */

export function matchAddCall(scope: Scope, outer: ts.CallExpression): { graph: GraphState; inner: ts.CallExpression } | undefined {
  const inner = unwrap(outer.expression);
  if (!ts.isCallExpression(inner)) return undefined;
  const graph = addReceiver(scope, inner);
  return graph ? { graph, inner } : undefined;
}

/** The graph of `G.add(...)`, also written `G!.add`, `(G as any).add`, `G?.add` or `G['add']`. */
function addReceiver(scope: Scope, call: ts.CallExpression): GraphState | undefined {
  const callee = unwrap(call.expression);
  const receiver = addCallee(callee);
  if (!receiver) return undefined;
  const target = unwrap(receiver);
  const value = ts.isIdentifier(target) ? scope.values.get(target.text) : undefined;
  return value?.kind === 'graph' ? value.graph : undefined;
}

/** The receiver of `x.add` or `x['add']`. */
function addCallee(callee: ts.Expression): ts.Expression | undefined {
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'add') return callee.expression;
  if (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression) && callee.argumentExpression.text === 'add')
    return callee.expression;
  return undefined;
}

export function isAddOnGraph(scope: Scope, call: ts.CallExpression): boolean {
  return addReceiver(scope, call) !== undefined;
}

/** `G.add(f)` whose result is not called at once (`const step = G.add(f); step(x)`): its node appears when it is called. */
export function reportUncalledAdd(scope: Scope, call: ts.CallExpression): void {
  const graph = addReceiver(scope, call)!;
  if (graph.uncertainSince !== undefined) return;
  graph.uncertainSince = graph.counter;
  scope.diagnostics.push({
    severity: 'warning',
    message: `${call.getText(scope.sf)} is not called at once (as in G.add(f)(x)): its node is added when the function it returns is called, which is not drawn; uids after line ${lineOf(scope, call.getEnd())} may differ`,
    range: rangeOf(scope, call),
  });
}

/**
 * `something.add(f, ...)(...)` on a value that is not a graph variable (`obj.G.add`, `this.g.add`, a parameter):
 * with a function as first argument, it is most likely pyflow's, so it is reported rather than ignored.
 */
export function looksLikeAddOnUnknownGraph(scope: Scope, outer: ts.CallExpression): boolean {
  if (scope.graphs.length === 0) return false;
  const inner = unwrap(outer.expression);
  if (!ts.isCallExpression(inner) || !addCallee(unwrap(inner.expression))) return false;
  const fn = inner.arguments[0] ? unwrap(inner.arguments[0]) : undefined;
  if (!fn) return false;
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) return true;
  return ts.isIdentifier(fn) && (scope.functions.has(fn.text) || scope.importedNames.has(fn.text));
}

export function reportUnknownGraph(scope: Scope, outer: ts.CallExpression): void {
  const inner = unwrap(outer.expression) as ts.CallExpression;
  const receiver = addCallee(unwrap(inner.expression))!;
  markUncertain(scope);
  scope.diagnostics.push({
    severity: 'warning',
    message: `${receiver.getText(scope.sf)}.add(…) is not drawn: Pyflow follows graphs held in variables (const G = new GraphBuilder()), not in ${describeReceiver(receiver)}, so uids after line ${lineOf(scope, outer.getEnd())} may differ; call add on the graph variable, or run the script to see the real graph`,
    range: rangeOf(scope, outer),
  });
}

function describeReceiver(receiver: ts.Expression): string {
  const target = unwrap(receiver);
  if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) return 'object properties';
  if (ts.isIdentifier(target)) return `"${target.text}", which is not one`;
  return 'computed expressions';
}

export function addOperation(scope: Scope, graph: GraphState, inner: ts.CallExpression, outer: ts.CallExpression): Value | undefined {
  const fnExpr = inner.arguments[0];
  const fn: FnInfo = fnExpr ? functionInfo(scope, fnExpr) : { name: 'anonymous', hasReturn: true, known: false };
  if (fn.needsTypes && fnExpr && typeof inner.arguments[1] === 'undefined') scope.typeQueries.push(fnExpr.getStart(scope.sf));
  else if (fn.needsTypes && fnExpr && !ts.isObjectLiteralExpression(inner.arguments[1]!)) scope.typeQueries.push(fnExpr.getStart(scope.sf));
  else if (fn.needsTypes && fnExpr && !/\bnOut\b/.test(inner.arguments[1]!.getText(scope.sf))) scope.typeQueries.push(fnExpr.getStart(scope.sf));
  const options: StaticOptions = inner.arguments[1] ? readOptions(scope, inner.arguments[1]) : {};
  const { args: argValues, unknownSpread } = visitArguments(scope, outer.arguments);
  const spreadReason =
    unknownSpread &&
    `its arguments are spread from ${unknownSpread.expression.getText(scope.sf)}, whose length only the runtime knows, so its inputs are not drawn and uids after it may differ; pass the arguments one by one, or run the script to see the real graph`;
  const dynamicReason =
    scope.dynamicReason ??
    (graph.uncertainSince !== undefined
      ? 'after code whose nodes are not known statically (a loop, a conditional, a helper call...), so its uid may differ at runtime'
      : undefined) ??
    (!fn.known ? fn.reason : undefined) ??
    options.unknown ??
    spreadReason;
  const nOut = typeof options.nOut === 'number' ? options.nOut : fn.hasReturn ? 1 : 0;
  const name = typeof options.alias === 'string' ? options.alias : fn.name;
  const uid = `${name}_${++graph.counter}`;
  const addRange = rangeOfAdd(scope, inner, outer);
  const op: ModelNode = { uid, kind: 'operation', label: name, fn: fn.name, source: addRange };
  if (typeof options.alias === 'string') op.alias = options.alias;
  if (typeof options.rank === 'number') op.rank = options.rank;
  if (typeof options.shape === 'string') op.shape = options.shape;
  if (typeof options.color === 'string') op.color = options.color;
  if (typeof options.fontsize === 'number') op.fontsize = options.fontsize;
  if (typeof options.group === 'string') op.group = options.group;
  if (dynamicReason) {
    op.dynamic = true;
    if (!scope.dynamicReason && graph.uncertainSince === undefined) {
      scope.diagnostics.push({ severity: 'warning', message: `${uid}: ${dynamicReason}`, range: addRange, uid });
    }
  }
  graph.model.nodes.push(op);
  // An op flagged for its own sake (its function, options or arguments are unknown) may have other outputs or inputs.
  if (dynamicReason && !scope.dynamicReason) graph.uncertainSince ??= graph.counter;
  for (const { arg, value } of argValues) addArgument(scope, graph, op, arg, value, addRange);
  const aliases = typeof options.outputAlias === 'string' ? [options.outputAlias] : Array.isArray(options.outputAlias) ? options.outputAlias : undefined;
  const persist = graph.persist || options.persist === true;
  const outputs: Value[] = [];
  for (let i = 0; i < nOut; i++) {
    const alias = aliases?.[i] ?? aliases?.[0];
    const out: ModelNode = { uid: `${alias ?? 'data'}_${++graph.counter}`, kind: 'data', label: alias ?? 'data', source: addRange };
    if (alias !== undefined) out.alias = alias;
    if (persist) out.persist = true;
    if (op.dynamic) out.dynamic = true;
    if (op.group !== undefined) out.group = op.group;
    graph.model.nodes.push(out);
    addEdge(graph, uid, out.uid);
    outputs.push({ kind: 'data', graph, uid: out.uid });
  }
  if (nOut === 0) return { kind: 'op', graph, uid };
  return nOut === 1 ? outputs[0] : { kind: 'tuple', items: outputs };
}

/** The arguments as the runtime receives them: spreads of array literals and of an op's outputs are expanded. */
function visitArguments(
  scope: Scope,
  args: readonly ts.Expression[],
): { args: { arg: ts.Expression; value: Value | undefined }[]; unknownSpread?: ts.SpreadElement } {
  const out: { arg: ts.Expression; value: Value | undefined }[] = [];
  let unknownSpread: ts.SpreadElement | undefined;
  for (const arg of args) {
    if (!ts.isSpreadElement(arg)) {
      out.push({ arg, value: visitExpression(scope, arg) });
      continue;
    }
    const spread = unwrap(arg.expression);
    if (ts.isArrayLiteralExpression(spread) && !spread.elements.some((e) => ts.isSpreadElement(e) || ts.isOmittedExpression(e))) {
      for (const element of spread.elements) out.push({ arg: element, value: visitExpression(scope, element) });
      continue;
    }
    const value = visitExpression(scope, arg.expression);
    if (value?.kind === 'tuple') out.push(...value.items.map((item) => ({ arg: arg.expression, value: item })));
    else unknownSpread ??= arg;
  }
  return unknownSpread ? { args: out, unknownSpread } : { args: out };
}

/** Mirrors the runtime's argument rule: DataNodes are parents, plain structures holding them are walked, the rest are raw. */
function addArgument(scope: Scope, graph: GraphState, op: ModelNode, arg: ts.Expression, value: Value | undefined, source: SourceRange): void {
  const inner = value === undefined ? structureOf(scope, arg) : unwrap(arg);
  if (value === undefined && (ts.isArrayLiteralExpression(inner) || ts.isObjectLiteralExpression(inner)) && containsData(scope, inner)) {
    const items = ts.isArrayLiteralExpression(inner)
      ? inner.elements
      : inner.properties.map((p) => (ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined));
    for (const item of items) {
      if (item === undefined || ts.isSpreadElement(item)) {
        op.dynamic = true;
        graph.uncertainSince ??= graph.counter;
        scope.diagnostics.push({
          severity: 'warning',
          message: `${op.uid}: spread or computed entries in a structured argument cannot be followed`,
          range: rangeOf(scope, inner),
          uid: op.uid,
        });
        continue;
      }
      addArgument(scope, graph, op, item, dataValueOf(scope, item), source);
    }
    return;
  }
  if (value?.kind === 'data') {
    if (value.graph !== graph) {
      const used = graph.grafts.get(value.graph) ?? new Set<string>();
      graph.grafts.set(value.graph, used.add(value.uid));
      addEdge(graph, graftedUid(value.graph.model.alias, value.uid), op.uid);
      return;
    }
    addEdge(graph, value.uid, op.uid);
    return;
  }
  const raw: ModelNode = {
    uid: `data_${++graph.counter}`,
    kind: 'data',
    label: 'data',
    raw: true,
    persist: true,
    value: arg.getText(scope.sf),
    source: rangeOf(scope, arg),
  };
  if (op.dynamic) raw.dynamic = true;
  if (op.group !== undefined) raw.group = op.group;
  graph.model.nodes.push(raw);
  addEdge(graph, raw.uid, op.uid);
}

/** The argument, or the array or object literal a `const` argument is bound to (`const xs = [a, b]; G.add(f)(xs)`). */
function structureOf(scope: Scope, arg: ts.Expression): ts.Expression {
  const inner = unwrap(arg);
  const bound = ts.isIdentifier(inner) ? scope.consts.get(inner.text) : undefined;
  const literal = bound && unwrap(bound);
  return literal && (ts.isArrayLiteralExpression(literal) || ts.isObjectLiteralExpression(literal)) ? literal : inner;
}

function dataValueOf(scope: Scope, expr: ts.Expression): Value | undefined {
  const inner = unwrap(expr);
  return ts.isIdentifier(inner) ? scope.values.get(inner.text) : undefined;
}

function containsData(scope: Scope, expr: ts.Node): boolean {
  return someNode(
    expr,
    (node) => {
      if (ts.isIdentifier(node)) return scope.values.get(node.text)?.kind === 'data';
      return ts.isShorthandPropertyAssignment(node) && scope.values.get(node.name.text)?.kind === 'data';
    },
    (node) =>
      ts.isArrayLiteralExpression(node) ||
      ts.isObjectLiteralExpression(node) ||
      ts.isPropertyAssignment(node) ||
      ts.isParenthesizedExpression(node) ||
      ts.isAsExpression(node),
  );
}

function addEdge(graph: GraphState, from: string, to: string): void {
  const key = `${from}\u0000${to}`;
  if (graph.edgeKeys.has(key)) return;
  graph.edgeKeys.add(key);
  graph.model.edges.push({ from, to });
}

function rangeOfAdd(scope: Scope, inner: ts.CallExpression, outer: ts.CallExpression): SourceRange {
  const callee = unwrap(inner.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name : ts.isElementAccessExpression(callee) ? callee.argumentExpression : callee;
  return rangeBetween(scope, name.getStart(scope.sf), outer.getEnd());
}
