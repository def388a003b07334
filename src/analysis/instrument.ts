import { ts } from 'ts-morph';
import { siteMarker } from '../core/introspect.js';

/**
 * Writes each `G.add(fn[, options])(...)` call's source location into the call, as a third argument the
 * library reads instead of capturing a stack: under the runner, `add` would otherwise capture one per call
 * (a few microseconds each, and the stacks stay alive until the graph is sent), which made a traced script
 * about 2x slower than the stack-free library.
 *
 * Only the curried form is touched (an `add` call that is itself called), so `set.add(x)` and other
 * libraries' `add` methods are left alone; `add` calls written any other way keep the stack capture.
 * Nothing moves: the marker is inserted before the call's closing parenthesis on its last line, so every
 * line number, and every column before the insertion, is unchanged for source maps and error positions.
 * Returns undefined when there is nothing to change.
 */
export function instrumentAddCalls(file: string, text: string): string | undefined {
  if (!text.includes('add')) return undefined;
  const kind = /\.tsx$/.test(file) ? ts.ScriptKind.TSX : /\.jsx$/.test(file) ? ts.ScriptKind.JSX : /\.[cm]?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isCallExpression(node.expression)) {
      const add = node.expression;
      const callee = add.expression;
      const args = add.arguments;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'add' && !add.questionDotToken && !callee.questionDotToken &&
        (args.length === 1 || args.length === 2) && !args.some(ts.isSpreadElement)) {
        const pos = sf.getLineAndCharacterOfPosition(callee.name.getStart(sf));
        const marker = JSON.stringify(siteMarker({ file, line: pos.line + 1, column: pos.character + 1 }));
        inserts.push({ at: args[args.length - 1]!.end, text: `${args.length === 1 ? ', undefined' : ''}, ${marker}` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
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
