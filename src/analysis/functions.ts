import { ts } from 'ts-morph';
import type { Scope } from './extractGraph.js';

/** The function given to `add`, as the runtime will see it. */
export interface FnInfo {
  /** `fn.name` at runtime, `anonymous` for nameless functions. */
  name: string;
  /** pyflow's rule (the same as the runtime's): the body has a `return`, or it is an expression-bodied arrow. */
  hasReturn: boolean;
  /** Whether the function's source was found, so that `hasReturn` is certain. */
  known: boolean;
  reason?: string;
  /** Its body is elsewhere (an import, a method): `refineWithTypes` settles `hasReturn` with the type checker. */
  needsTypes?: boolean;
}

export function functionInfo(scope: Scope, expr: ts.Expression): FnInfo {
  while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr)) expr = expr.expression;
  if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) {
    const name = ts.isFunctionExpression(expr) && expr.name ? expr.name.text : 'anonymous';
    return { name, hasReturn: hasReturn(expr), known: true };
  }
  if (ts.isIdentifier(expr)) {
    const decl = scope.functions.get(expr.text);
    if (decl) {
      const own = (ts.isFunctionExpression(decl) || ts.isFunctionDeclaration(decl)) && decl.name ? decl.name.text : expr.text;
      return { name: own, hasReturn: hasReturn(decl), known: true };
    }
    const imported = scope.importedNames.get(expr.text);
    const name = imported && imported !== 'default' ? imported : expr.text;
    return { name, hasReturn: answered(scope, expr) ?? true, known: true, needsTypes: answered(scope, expr) === undefined };
  }
  if (ts.isPropertyAccessExpression(expr)) {
    if (expr.name.text === 'bind' && ts.isExpression(expr.expression)) {
      return { ...functionInfo(scope, expr.expression), hasReturn: true };
    }
    return { name: expr.name.text, hasReturn: answered(scope, expr) ?? true, known: true, needsTypes: answered(scope, expr) === undefined };
  }
  if (ts.isCallExpression(expr) && ts.isPropertyAccessExpression(expr.expression) && expr.expression.name.text === 'bind') {
    return { ...functionInfo(scope, expr.expression.expression), hasReturn: true };
  }
  return { name: 'anonymous', hasReturn: true, known: false, reason: 'its function is computed at runtime, so its name and outputs are guessed' };
}

function answered(scope: Scope, expr: ts.Expression): boolean | undefined {
  return scope.returns?.get(expr.getStart(scope.sf));
}

/** The runtime rule of `hasReturn` in core/introspect.ts, on the syntax tree. */
export function hasReturn(fn: ts.Node): boolean {
  if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body)) return true;
  let found = false;
  const walk = (node: ts.Node): void => {
    if (found) return;
    if (ts.isReturnStatement(node)) {
      found = true;
      return;
    }
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(fn, walk);
  return found;
}
