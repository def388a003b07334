import { ts } from 'ts-morph';
import { siteMarker } from '../core/introspect.js';
import type { CallSite } from '../core/trace.js';
import { MAX_SOURCE_LENGTH, parseSource } from './parseSource.js';
import { forEachNode } from './walk.js';

/**
 * Writes each `G.add(fn[, options])(...)` call's source location into the call, as a third argument the
 * library reads instead of capturing a stack: under the runner, `add` would otherwise capture one per call, and
 * the stacks stay alive until the graph is sent, which made a traced script much slower than the stack-free
 * library.
 *
 * Only calls on a variable this file initialises with `new GraphBuilder(...)` (imported from 'pyflow', also
 * renamed or through a namespace) are touched, and only in the curried form `G.add(...)(...)`: curried `add`
 * functions of other libraries (Ramda's `R.add(1)(2)`) must not get a third argument. Other `add` calls keep
 * the stack capture. Nothing moves: the marker is inserted before the call's closing parenthesis, so every
 * line number, and every column before the insertion, is unchanged for source maps and error positions.
 * Returns undefined when there is nothing to change. Never throws: code nested too deeply to parse is left as it is.
 */
export function instrumentAddCalls(file: string, text: string): string | undefined {
  if (!text.includes('pyflow') || !text.includes('.add')) return undefined;
  if (text.length > MAX_SOURCE_LENGTH) return undefined;
  const { sf } = parseSource(file, text, false);
  const inserts: { at: number; text: string }[] = [];
  for (const { args, site } of addCallsOnBuilders(sf, file)) {
    const marker = JSON.stringify(siteMarker(site));
    inserts.push({ at: args[args.length - 1]!.end, text: `${args.length === 1 ? ', undefined' : ''}, ${marker}` });
  }
  if (inserts.length === 0) return undefined;
  inserts.sort((a, b) => a.at - b.at);
  const parts: string[] = [];
  let from = 0;
  for (const { at, text: piece } of inserts) {
    parts.push(text.slice(from, at), piece);
    from = at;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

/** The `G.add(fn[, options])(...)` calls on a GraphBuilder the file creates, with the site of each `add` name. */
export function addCallsOnBuilders(sf: ts.SourceFile, file: string): { args: ts.NodeArray<ts.Expression>; site: CallSite }[] {
  const builders = graphBuilderVariables(sf);
  const calls: { args: ts.NodeArray<ts.Expression>; site: CallSite }[] = [];
  if (builders.size === 0) return calls;
  forEachNode(sf, (node) => {
    if (ts.isCallExpression(node) && ts.isCallExpression(node.expression)) {
      const add = node.expression;
      const callee = add.expression;
      const args = add.arguments;
      if (
        ts.isPropertyAccessExpression(callee) &&
        callee.name.text === 'add' &&
        ts.isIdentifier(callee.expression) &&
        builders.has(callee.expression.text) &&
        !add.questionDotToken &&
        !callee.questionDotToken &&
        (args.length === 1 || args.length === 2) &&
        !args.some(ts.isSpreadElement)
      ) {
        const pos = sf.getLineAndCharacterOfPosition(callee.name.getStart(sf));
        calls.push({ args, site: { file, line: pos.line + 1, column: pos.character + 1 } });
      }
    }
  });
  return calls;
}

/** Names of the variables initialised with `new GraphBuilder(...)`, GraphBuilder being pyflow's. */
function graphBuilderVariables(sf: ts.SourceFile): Set<string> {
  const classNames = new Set<string>();
  const namespaces = new Set<string>();
  for (const statement of sf.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || statement.moduleSpecifier.text !== 'pyflow') continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const el of bindings.elements) if ((el.propertyName ?? el.name).text === 'GraphBuilder') classNames.add(el.name.text);
    }
  }
  const names = new Set<string>();
  forEachNode(sf, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isNewExpression(node.initializer)) {
      const ctor = node.initializer.expression;
      const isBuilder = ts.isIdentifier(ctor)
        ? classNames.has(ctor.text)
        : ts.isPropertyAccessExpression(ctor) && ts.isIdentifier(ctor.expression) && namespaces.has(ctor.expression.text) && ctor.name.text === 'GraphBuilder';
      if (isBuilder) names.add(node.name.text);
    }
  });
  return names;
}
