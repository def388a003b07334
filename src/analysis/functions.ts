import { ts } from 'ts-morph';
import type { Scope } from './extractGraph.js';
import { someNode } from './walk.js';

/** The function given to `add`, as the runtime will see it. */
export interface FnInfo {
  /** `fn.name` at runtime, `anonymous` for nameless functions. */
  name: string;
  /** pyflow's rule, as the runtime applies it (see `hasReturn`). */
  hasReturn: boolean;
  /** Whether the function's source was found, so that `hasReturn` is certain. */
  known: boolean;
  reason?: string;
  /** Its body is elsewhere (an import, a method): `refineWithTypes` settles `hasReturn` with the type checker. */
  needsTypes?: boolean;
}

export function functionInfo(scope: Scope, expr: ts.Expression): FnInfo {
  // Bound functions (`f.bind(x)`, any number of times) have f's name and always return, as native functions do.
  let bound = false;
  for (;;) {
    while (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr)) expr = expr.expression;
    const target =
      ts.isCallExpression(expr) && ts.isPropertyAccessExpression(expr.expression) && expr.expression.name.text === 'bind'
        ? expr.expression.expression
        : ts.isPropertyAccessExpression(expr) && expr.name.text === 'bind'
          ? expr.expression
          : undefined;
    if (!target) break;
    expr = target;
    bound = true;
  }
  const info = unboundFunctionInfo(scope, expr);
  return bound ? { ...info, hasReturn: true } : info;
}

function unboundFunctionInfo(scope: Scope, expr: ts.Expression): FnInfo {
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
    return { name: expr.name.text, hasReturn: answered(scope, expr) ?? true, known: true, needsTypes: answered(scope, expr) === undefined };
  }
  return { name: 'anonymous', hasReturn: true, known: false, reason: 'its function is computed at runtime, so its name and outputs are guessed' };
}

function answered(scope: Scope, expr: ts.Expression): boolean | undefined {
  return scope.returns?.get(expr.getStart(scope.sf));
}

/**
 * The runtime's rule (`hasReturn` in core/introspect.ts) on the syntax tree: the runtime looks for the word
 * `return` in the function's compiled text, comments and strings aside. So a property or method named
 * `return` (`{ return: a }`, `it.return()`) counts as much as a return statement; types do not, since
 * they are gone from the compiled text. Expression-bodied arrows always return.
 */
export function hasReturn(fn: ts.Node): boolean {
  if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body)) return true;
  return someNode(fn, isReturnWord, (node) => !isErasedType(node));
}

const RETURN_WORD = /\breturn\b/;

function isReturnWord(node: ts.Node): boolean {
  if (ts.isReturnStatement(node)) return true;
  return (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && RETURN_WORD.test(node.text);
}

/** Syntax that compiles to nothing. */
function isErasedType(node: ts.Node): boolean {
  return (
    ts.isTypeNode(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword)
  );
}
