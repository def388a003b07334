import { ts } from 'ts-morph';
import type { Diagnostic, ExtractResult } from '../protocol/index.js';
import type { GraphModel, SourceRange } from '../core/index.js';
import { withGrafts } from '../core/graftedGroup.js';
import { readOptions } from './options.js';
import { addOperation, isAddOnGraph, looksLikeAddOnUnknownGraph, matchAddCall, reportUncalledAdd, reportUnknownGraph } from './addCall.js';
import { MAX_SOURCE_LENGTH, parseSource, type UnreadRegion } from './parseSource.js';
import { forEachNode } from './walk.js';

/*
 * Static extraction: walks the top-level statements of a file in execution order and replays what the
 * runtime's GraphBuilder would do for each `G.add(fn, options)(...args)`, with the same uid counter, so
 * that the model equals `G.toJSON()` for straight-line code. Anything inside loops, conditionals or
 * functions is drawn once, flagged `dynamic`, with a diagnostic; nodes after it are flagged too, since
 * their uids may shift at runtime. Never throws on user input: what it cannot read (code nested too
 * deeply, see parseSource) becomes a located diagnostic, and the uids after it are flagged.
 */

/** What a variable holds, as far as the extractor can tell. */
export type Value =
  | { kind: 'data'; graph: GraphState; uid: string }
  | { kind: 'op'; graph: GraphState; uid: string }
  | { kind: 'tuple'; items: Value[] }
  | { kind: 'graph'; graph: GraphState };

export interface GraphState {
  model: GraphModel;
  counter: number;
  persist: boolean;
  /** Set once uids can no longer be known exactly (after a loop or helper call). */
  uncertainSince: number | undefined;
  edgeKeys: Set<string>;
  /** The graphs this one grafts, each with the uids of its data nodes used here (see foldGrafts). */
  grafts: Map<GraphState, Set<string>>;
}

export interface Scope {
  sf: ts.SourceFile;
  file: string;
  graphClassNames: Set<string>;
  namespaceNames: Set<string>;
  functions: Map<string, ts.Node>;
  importedNames: Map<string, string>;
  consts: Map<string, ts.Expression>;
  values: Map<string, Value>;
  graphs: GraphState[];
  diagnostics: Diagnostic[];
  /** Why the current statement is dynamic (inside a loop, a conditional...), if it is. */
  dynamicReason: string | undefined;
  /** Answers of the type checker: does the function at this position return (see refineWithTypes)? */
  returns: ReadonlyMap<number, boolean> | undefined;
  /** Positions of function expressions whose outputs only the type checker can tell. */
  typeQueries: number[];
  /** Parts of the text the parser did not see (see parseSource), in order. */
  unread: UnreadRegion[];
  /** How many visits are open: syntax trees can be deeper than the call stack. */
  depth: number;
  /** Whether the current top-level statement already reported nesting too deep to visit. */
  deepReported: boolean;
}

/** Nodes nested deeper than this in one statement are not visited (each level costs a few stack frames). */
const MAX_VISIT_DEPTH = 1000;

export interface ExtractOptions {
  returns?: ReadonlyMap<number, boolean>;
}

const QUERIES = Symbol('typeQueries');

/** Positions `refineWithTypes` should resolve for this result (not serialized). */
export function typeQueriesOf(result: ExtractResult): readonly number[] {
  return (result as ExtractResult & { [QUERIES]?: number[] })[QUERIES] ?? [];
}

const PYFLOW_MODULES = new Set(['pyflow']);

export function extractGraph(text: string, fileName: string, options: ExtractOptions = {}): ExtractResult {
  const start = { file: fileName, line: 1, column: 1 };
  if (text.length > MAX_SOURCE_LENGTH) {
    const message = `This file is too large to draw statically (${megabytes(text.length)} MB of text, the limit is ${megabytes(MAX_SOURCE_LENGTH)} MB): run it to see its graph`;
    return { file: fileName, graphs: [], diagnostics: [{ severity: 'error', message, range: start }] };
  }
  let scope: Scope | undefined;
  try {
    const { sf, unread } = parseSource(fileName, text);
    scope = {
      sf,
      file: fileName,
      graphClassNames: new Set(),
      namespaceNames: new Set(),
      functions: new Map(),
      importedNames: new Map(),
      consts: new Map(),
      values: new Map(),
      graphs: [],
      diagnostics: [],
      dynamicReason: undefined,
      returns: options.returns,
      typeQueries: [],
      unread,
      depth: 0,
      deepReported: false,
    };
    reportSyntaxErrors(scope);
    if (unread.length > 0) reportUnread(scope, text);
    hoistFunctions(scope, sf.statements);
    for (const statement of sf.statements) visitTopStatement(scope, statement);
  } catch (error) {
    // Only a defect of the extractor gets here: user code is reported statement by statement.
    const message = `Pyflow could not finish reading this file: ${String(error)}`;
    return {
      file: fileName,
      graphs: foldGrafts(scope?.graphs ?? []),
      diagnostics: [...(scope?.diagnostics ?? []), { severity: 'error', message, range: start }],
    };
  }
  const result: ExtractResult = { file: fileName, graphs: foldGrafts(scope.graphs), diagnostics: scope.diagnostics };
  if (scope.typeQueries.length > 0) {
    result.typesPending = true;
    Object.defineProperty(result, QUERIES, { value: scope.typeQueries, enumerable: false });
  }
  return result;
}

/** The graphs' models with what each uses of the graphs it grafts, as `toJSON()` gives them (core's `withGrafts`). */
function foldGrafts(graphs: readonly GraphState[]): GraphModel[] {
  const modelOf = (graph: GraphState, within: ReadonlySet<GraphState>): GraphModel =>
    withGrafts(graph.model, graph.grafts, within, { aliasOf: (g) => g.model.alias, modelOf });
  return graphs.map((g) => modelOf(g, new Set([g])));
}

function megabytes(chars: number): string {
  return (chars / (1024 * 1024)).toFixed(1);
}

/**
 * One statement of the file, in order. A statement that holds unread code, or fails to be read, may add
 * nodes the graph cannot show: the uids after it are flagged.
 */
function visitTopStatement(scope: Scope, statement: ts.Statement): void {
  scope.deepReported = false;
  const unread = scope.unread.find((r) => r.start < statement.end && r.end > statement.pos);
  if (unread) markUncertain(scope);
  try {
    visitStatement(scope, statement);
  } catch (error) {
    scope.dynamicReason = undefined;
    scope.depth = 0;
    scope.diagnostics.push({
      severity: 'error',
      message: `Pyflow could not read this statement (${String(error)}): nodes it adds are not drawn, and uids after it may differ`,
      range: rangeOf(scope, statement),
    });
    markUncertain(scope);
  }
}

/** From now on, the uids of every graph may differ from the runtime's: later nodes are flagged dynamic. */
export function markUncertain(scope: Scope): void {
  for (const graph of scope.graphs) graph.uncertainSince ??= graph.counter;
}

function reportSyntaxErrors(scope: Scope): void {
  const parseDiagnostics = (scope.sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const inUnread = (pos: number) => scope.unread.some((r) => pos >= r.start && pos <= r.end);
  for (const d of parseDiagnostics.filter((x) => !inUnread(x.start)).slice(0, 20)) {
    const pos = scope.sf.getLineAndCharacterOfPosition(d.start);
    scope.diagnostics.push({
      severity: 'error',
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')} (the graph may be partial)`,
      range: { file: scope.file, line: pos.line + 1, column: pos.character + 1 },
    });
  }
}

/** One diagnostic per part of the text the parser did not see (placed in the whole text: the parser may have seen a prefix). */
function reportUnread(scope: Scope, text: string): void {
  for (const region of scope.unread) {
    const from = lineAndColumn(text, region.start);
    const to = lineAndColumn(text, region.end);
    scope.diagnostics.push({
      severity: 'error',
      message: `Pyflow cannot read this code (${region.reason}): nodes added in it are not drawn, and uids after it may differ; split the expression, or run the script to see the real graph`,
      range: { file: scope.file, line: from.line, column: from.column, endLine: to.line, endColumn: to.column },
    });
  }
}

/** 1-based, with the TypeScript parser's line breaks (\r\n, \n, \r, U+2028, U+2029). */
function lineAndColumn(text: string, pos: number): { line: number; column: number } {
  const breaks = /\r\n?|[\n\u2028\u2029]/g;
  let line = 1;
  let lineStart = 0;
  for (let m = breaks.exec(text); m && m.index < pos; m = breaks.exec(text)) {
    line++;
    lineStart = m.index + m[0].length;
  }
  return { line, column: pos - lineStart + 1 };
}

function hoistFunctions(scope: Scope, statements: readonly ts.Statement[]): void {
  for (const s of statements) {
    if (ts.isFunctionDeclaration(s) && s.name) scope.functions.set(s.name.text, s);
  }
}

function visitStatement(scope: Scope, statement: ts.Statement): void {
  if (!enter(scope, statement)) return;
  visitStatementInner(scope, statement);
  scope.depth--;
}

/** Opens a visit, unless the tree is nested too deeply to visit: then the rest of the statement is unread. */
function enter(scope: Scope, node: ts.Node): boolean {
  if (scope.depth < MAX_VISIT_DEPTH) {
    scope.depth++;
    return true;
  }
  if (!scope.deepReported) {
    scope.deepReported = true;
    scope.diagnostics.push({
      severity: 'error',
      message: `Pyflow cannot read this code (nested more than ${MAX_VISIT_DEPTH} levels deep): nodes added in it are not drawn, and uids after it may differ; split the expression, or run the script to see the real graph`,
      range: rangeOf(scope, node),
    });
  }
  markUncertain(scope);
  return false;
}

function visitStatementInner(scope: Scope, statement: ts.Statement): void {
  if (ts.isImportDeclaration(statement)) return visitImport(scope, statement);
  if (ts.isVariableStatement(statement)) {
    for (const decl of statement.declarationList.declarations) visitDeclaration(scope, decl, statement.declarationList.flags);
    return;
  }
  if (ts.isExpressionStatement(statement)) {
    visitExpression(scope, statement.expression);
    return;
  }
  if (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    ts.isModuleDeclaration(statement)
  ) {
    return;
  }
  if (ts.isBlock(statement)) {
    for (const s of statement.statements) visitStatement(scope, s);
    return;
  }
  const reason = dynamicReasonOf(statement);
  if (reason !== undefined) return visitDynamic(scope, statement, reason, () => ts.forEachChild(statement, (child) => visitStatementPart(scope, child)));
  ts.forEachChild(statement, (child) => {
    if (ts.isExpression(child)) visitExpression(scope, child);
  });
}

function visitStatementPart(scope: Scope, child: ts.Node): void {
  if (ts.isBlock(child)) child.statements.forEach((s) => visitStatement(scope, s));
  else if (ts.isStatement(child)) visitStatement(scope, child);
  else if (ts.isVariableDeclarationList(child)) child.declarations.forEach((d) => visitDeclaration(scope, d, child.flags));
  else if (ts.isExpression(child)) visitExpression(scope, child);
  else if (ts.isCaseBlock(child)) child.clauses.forEach((c) => c.statements.forEach((s) => visitStatement(scope, s)));
  else if (ts.isCatchClause(child)) child.block.statements.forEach((s) => visitStatement(scope, s));
}

function dynamicReasonOf(statement: ts.Statement): string | undefined {
  if (
    ts.isForStatement(statement) ||
    ts.isForOfStatement(statement) ||
    ts.isForInStatement(statement) ||
    ts.isWhileStatement(statement) ||
    ts.isDoStatement(statement)
  )
    return 'inside a loop';
  if (ts.isIfStatement(statement) || ts.isSwitchStatement(statement)) return 'inside a conditional';
  if (ts.isTryStatement(statement)) return 'inside a try block';
  if (ts.isLabeledStatement(statement)) return 'inside a labeled statement';
  return undefined;
}

/** Code whose nodes may appear zero or many times: drawn once, flagged, and later uids marked uncertain. */
function visitDynamic(scope: Scope, node: ts.Node, reason: string, visit: () => void): void {
  const outer = scope.dynamicReason;
  scope.dynamicReason = outer ?? reason;
  const before = new Map(scope.graphs.map((g) => [g, g.counter]));
  visit();
  scope.dynamicReason = outer;
  for (const graph of scope.graphs) {
    if (graph.counter !== before.get(graph) && graph.uncertainSince === undefined) {
      graph.uncertainSince = graph.counter;
      scope.diagnostics.push({
        severity: 'info',
        message: `Nodes ${reason} are drawn once; at runtime they may be added any number of times, so uids after line ${lineOf(scope, node.getEnd())} may differ (run the script to see the real graph)`,
        range: rangeOf(scope, node),
      });
    }
  }
}

function visitImport(scope: Scope, decl: ts.ImportDeclaration): void {
  if (!ts.isStringLiteral(decl.moduleSpecifier)) return;
  const fromPyflow = PYFLOW_MODULES.has(decl.moduleSpecifier.text);
  const clause = decl.importClause;
  if (!clause) return;
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) {
    if (fromPyflow) scope.namespaceNames.add(bindings.name.text);
    return;
  }
  if (bindings && ts.isNamedImports(bindings)) {
    for (const el of bindings.elements) {
      const imported = (el.propertyName ?? el.name).text;
      if (fromPyflow && imported === 'GraphBuilder') scope.graphClassNames.add(el.name.text);
      else scope.importedNames.set(el.name.text, imported);
    }
  }
  if (clause.name && !fromPyflow) scope.importedNames.set(clause.name.text, 'default');
}

function isRequireOfPyflow(expr: ts.Expression | undefined): boolean {
  return (
    !!expr &&
    ts.isCallExpression(expr) &&
    ts.isIdentifier(expr.expression) &&
    expr.expression.text === 'require' &&
    expr.arguments.length === 1 &&
    ts.isStringLiteral(expr.arguments[0]!) &&
    PYFLOW_MODULES.has(expr.arguments[0].text)
  );
}

function visitDeclaration(scope: Scope, decl: ts.VariableDeclaration, flags: ts.NodeFlags): void {
  const init = decl.initializer;
  if (isRequireOfPyflow(init)) {
    if (ts.isIdentifier(decl.name)) scope.namespaceNames.add(decl.name.text);
    else if (ts.isObjectBindingPattern(decl.name)) {
      for (const el of decl.name.elements) {
        const imported = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : ts.isIdentifier(el.name) ? el.name.text : '';
        if (imported === 'GraphBuilder' && ts.isIdentifier(el.name)) scope.graphClassNames.add(el.name.text);
      }
    }
    return;
  }
  if (ts.isIdentifier(decl.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
    scope.functions.set(decl.name.text, init);
    return;
  }
  if (ts.isIdentifier(decl.name) && init && (flags & ts.NodeFlags.Const) !== 0) scope.consts.set(decl.name.text, init);
  const value = init ? visitExpression(scope, init) : undefined;
  bind(scope, decl.name, value);
}

function bind(scope: Scope, name: ts.BindingName | ts.Expression, value: Value | undefined): void {
  if (ts.isIdentifier(name)) {
    if (value) scope.values.set(name.text, value);
    else scope.values.delete(name.text);
    return;
  }
  if (ts.isArrayBindingPattern(name) || ts.isArrayLiteralExpression(name)) {
    name.elements.forEach((el, i) => {
      const item = value?.kind === 'tuple' ? value.items[i] : undefined;
      if (ts.isBindingElement(el)) bind(scope, el.name, item);
      else if (!ts.isOmittedExpression(el) && ts.isExpression(el)) bind(scope, el, item);
    });
  }
}

/** Evaluates an expression in JavaScript's order, creating the nodes of any `add` calls in it. */
export function visitExpression(scope: Scope, expr: ts.Expression): Value | undefined {
  if (!enter(scope, expr)) return undefined;
  const value = visitExpressionInner(scope, expr);
  scope.depth--;
  return value;
}

function visitExpressionInner(scope: Scope, expr: ts.Expression): Value | undefined {
  if (
    ts.isParenthesizedExpression(expr) ||
    ts.isAsExpression(expr) ||
    ts.isNonNullExpression(expr) ||
    ts.isSatisfiesExpression(expr) ||
    ts.isTypeAssertionExpression(expr) ||
    ts.isAwaitExpression(expr)
  ) {
    return visitExpression(scope, expr.expression);
  }
  if (ts.isIdentifier(expr)) return scope.values.get(expr.text);
  if (ts.isNewExpression(expr) && isGraphBuilderClass(scope, expr.expression)) return newGraph(scope, expr);
  if (ts.isBinaryExpression(expr)) return visitBinary(scope, expr);
  if (ts.isConditionalExpression(expr)) {
    visitExpression(scope, expr.condition);
    visitDynamic(scope, expr, 'in a conditional expression', () => {
      visitExpression(scope, expr.whenTrue);
      visitExpression(scope, expr.whenFalse);
    });
    return undefined;
  }
  if (ts.isCallExpression(expr)) {
    const add = matchAddCall(scope, expr);
    if (add) return addOperation(scope, add.graph, add.inner, expr);
    if (isAddOnGraph(scope, expr)) reportUncalledAdd(scope, expr);
    else if (looksLikeAddOnUnknownGraph(scope, expr)) reportUnknownGraph(scope, expr);
    visitHelperCall(scope, expr);
  }
  if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr) || ts.isClassExpression(expr)) return undefined;
  ts.forEachChild(expr, (child) => {
    if (ts.isExpression(child)) visitExpression(scope, child);
    else if (ts.isSpreadElement(child) || ts.isSpreadAssignment(child) || ts.isTemplateSpan(child)) visitExpression(scope, child.expression);
    else if (ts.isPropertyAssignment(child)) {
      if (ts.isComputedPropertyName(child.name)) visitExpression(scope, child.name.expression);
      visitExpression(scope, child.initializer);
    }
  });
  return undefined;
}

const SHORT_CIRCUIT = new Set([
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/**
 * `a = b`, and chains such as `a + b + c` (nested to the left, as deep as they are long: visited in a loop).
 * The right side of `&&`, `||` and `??` may not run: its nodes are dynamic.
 */
function visitBinary(scope: Scope, expr: ts.BinaryExpression): Value | undefined {
  if (expr.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const value = visitExpression(scope, expr.right);
    bind(scope, expr.left, value);
    return value;
  }
  const chain: ts.BinaryExpression[] = [];
  let left: ts.Expression = expr;
  while (ts.isBinaryExpression(left) && left.operatorToken.kind !== ts.SyntaxKind.EqualsToken) {
    chain.push(left);
    left = left.left;
  }
  visitExpression(scope, left);
  for (let i = chain.length - 1; i >= 0; i--) {
    const link = chain[i]!;
    if (SHORT_CIRCUIT.has(link.operatorToken.kind)) {
      visitDynamic(scope, link.right, `after "${link.operatorToken.getText(scope.sf)}"`, () => visitExpression(scope, link.right));
    } else visitExpression(scope, link.right);
  }
  return undefined;
}

/**
 * A call that may add nodes the extractor cannot see: a function given a graph, or a local function (or one
 * called where it is written, `(() => { … })()`) whose body uses a graph. Its nodes are not drawn; uids after it are marked uncertain.
 */
function visitHelperCall(scope: Scope, call: ts.CallExpression): void {
  const touched = new Set<GraphState>();
  for (const arg of call.arguments) {
    const value = ts.isIdentifier(arg) ? scope.values.get(arg.text) : undefined;
    if (value?.kind === 'graph') touched.add(value.graph);
  }
  const called = unwrap(call.expression);
  const callee = ts.isIdentifier(called)
    ? scope.functions.get(called.text)
    : ts.isArrowFunction(called) || ts.isFunctionExpression(called)
      ? called
      : undefined;
  if (callee) {
    forEachNode(callee, (node) => {
      if (!ts.isIdentifier(node)) return;
      const value = scope.values.get(node.text);
      if (value?.kind === 'graph') touched.add(value.graph);
    });
  }
  for (const graph of touched) {
    if (graph.uncertainSince !== undefined) continue;
    graph.uncertainSince = graph.counter;
    const name = callee && callee === called ? 'a function called at once' : `${call.expression.getText(scope.sf)}(…)`;
    scope.diagnostics.push({
      severity: 'info',
      message: `${name} may add nodes to graph "${graph.model.alias}" at runtime; they are not drawn, and uids after line ${lineOf(scope, call.getEnd())} may differ (run the script to see the real graph)`,
      range: rangeOf(scope, call),
    });
  }
}

function isGraphBuilderClass(scope: Scope, expr: ts.Expression): boolean {
  if (ts.isIdentifier(expr)) return scope.graphClassNames.has(expr.text);
  return (
    ts.isPropertyAccessExpression(expr) &&
    ts.isIdentifier(expr.expression) &&
    scope.namespaceNames.has(expr.expression.text) &&
    expr.name.text === 'GraphBuilder'
  );
}

function newGraph(scope: Scope, expr: ts.NewExpression): Value {
  const options = expr.arguments?.[0] ? readOptions(scope, expr.arguments[0]) : {};
  const alias = typeof options.alias === 'string' ? options.alias : 'graph';
  const graph: GraphState = {
    model: options.verbose === true ? { alias, verbose: true, nodes: [], edges: [] } : { alias, nodes: [], edges: [] },
    counter: -1,
    persist: options.persist === true,
    uncertainSince: undefined,
    edgeKeys: new Set(),
    grafts: new Map(),
  };
  scope.graphs.push(graph);
  return { kind: 'graph', graph };
}

/** The expression under parentheses and type-only syntax (`x!`, `x as T`, `<T>x`, `x satisfies T`). */
export function unwrap(expr: ts.Expression): ts.Expression {
  while (
    ts.isParenthesizedExpression(expr) ||
    ts.isAsExpression(expr) ||
    ts.isSatisfiesExpression(expr) ||
    ts.isNonNullExpression(expr) ||
    ts.isTypeAssertionExpression(expr)
  )
    expr = expr.expression;
  return expr;
}

export function rangeOf(scope: Scope, node: ts.Node): SourceRange {
  return rangeBetween(scope, node.getStart(scope.sf), node.getEnd());
}

/** The range from position `from` to `to` of the scope's file (1-based lines and columns, end exclusive). */
export function rangeBetween(scope: Scope, from: number, to: number): SourceRange {
  const start = scope.sf.getLineAndCharacterOfPosition(from);
  const end = scope.sf.getLineAndCharacterOfPosition(to);
  return { file: scope.file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}

export function lineOf(scope: Scope, pos: number): number {
  return scope.sf.getLineAndCharacterOfPosition(pos).line + 1;
}
