import { ts } from 'ts-morph';
import type { Scope } from './extractGraph.js';
import { rangeOf } from './extractGraph.js';
import { KNOWN_SHAPES } from '../protocol/shapes.js';
import { OPTION_NAMES, optionValueProblem } from '../core/options.js';

/** Options of `add` or `new GraphBuilder`, as far as they are literals; `unknown` says what was not. */
export interface StaticOptions {
  [key: string]: unknown;
  unknown?: string;
}

/** Reads an options object literal (or a `const` bound to one); non-literal values are reported. */
export function readOptions(scope: Scope, expr: ts.Expression): StaticOptions {
  const literal = resolveConst(scope, expr);
  if (!ts.isObjectLiteralExpression(literal)) {
    report(scope, expr, 'options are not an object literal or a const bound to one: drawn without them');
    return { unknown: 'its options could not be read statically' };
  }
  const options: StaticOptions = {};
  for (const prop of literal.properties) {
    if (!ts.isPropertyAssignment(prop) && !ts.isShorthandPropertyAssignment(prop)) {
      report(scope, prop, 'spread or method in options cannot be read statically');
      options.unknown = 'some of its options could not be read statically';
      continue;
    }
    const key = optionKey(scope, prop.name);
    if (key === undefined) {
      report(scope, prop.name, `option key ${prop.name.getText(scope.sf)} is computed at runtime: the graph may differ; write the option's name`);
      options.unknown = `an option key (${prop.name.getText(scope.sf)}) is computed at runtime`;
      continue;
    }
    if (!OPTION_NAMES.has(key)) {
      report(scope, prop, `unknown option "${key}" (known: ${[...OPTION_NAMES].join(', ')})`);
      continue;
    }
    const valueExpr = ts.isPropertyAssignment(prop) ? prop.initializer : prop.name;
    const value = literalValue(scope, valueExpr);
    if (value === NOT_LITERAL) {
      if (['nOut', 'alias', 'outputAlias', 'persist'].includes(key)) {
        report(scope, valueExpr, `option "${key}" is not a literal: the graph may differ at runtime`);
        options.unknown = `its option "${key}" is not a literal`;
      }
      continue;
    }
    if (key === 'shape' && typeof value === 'string' && !KNOWN_SHAPES.has(value)) {
      report(scope, valueExpr, `unknown shape "${value}": drawn as a box (known: ${[...KNOWN_SHAPES].join(', ')})`);
    }
    // The runtime's own rule: an option it rejects (BAD_OPTION) is reported here and left out of the drawing.
    const problem = optionValueProblem(key, value);
    if (problem !== undefined) {
      report(scope, valueExpr, `${problem}: the run will fail with BAD_OPTION`);
      continue;
    }
    options[key] = value;
  }
  return options;
}

/** The name of a property, also computed from a literal or a `const` (`[ALIAS]: 'x'`). */
function optionKey(scope: Scope, name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name)) {
    const value = literalValue(scope, name.expression);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }
  return undefined;
}

const NOT_LITERAL = Symbol('not literal');

function literalValue(scope: Scope, expr: ts.Expression): unknown {
  const e = resolveConst(scope, expr);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return -Number(e.operand.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isArrayLiteralExpression(e)) {
    const items = e.elements.map((el) => literalValue(scope, el));
    return items.includes(NOT_LITERAL) ? NOT_LITERAL : items;
  }
  return NOT_LITERAL;
}

/** Follows `const x = <expr>` bindings (and `as const`), a few steps deep. */
function resolveConst(scope: Scope, expr: ts.Expression): ts.Expression {
  let e = expr;
  for (let depth = 0; depth < 8; depth++) {
    while (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
    if (!ts.isIdentifier(e)) return e;
    const bound = scope.consts.get(e.text);
    if (!bound) return e;
    e = bound;
  }
  return e;
}

function report(scope: Scope, node: ts.Node, message: string): void {
  scope.diagnostics.push({ severity: 'warning', message, range: rangeOf(scope, node) });
}
