import { ts } from 'ts-morph';
import type { ExtractResult } from '../protocol/index.js';
import { extractGraph, typeQueriesOf } from './extractGraph.js';
import { hasReturn } from './functions.js';
import { parseSource } from './parseSource.js';
import { forEachNode } from './walk.js';

/*
 * The slow half of extraction, run after the graph is drawn: for functions defined elsewhere (imports,
 * methods), the type checker finds the declaration and applies the runtime's rule to its body, or, for
 * declarations without a body (.d.ts), treats a `void` / `Promise<void>` return type as output-less.
 * Returns a new result when that changed anything, else undefined.
 */
export function refineWithTypes(text: string, fileName: string, result: ExtractResult): ExtractResult | undefined {
  const queries = typeQueriesOf(result);
  if (queries.length === 0) return undefined;
  let returns: Map<number, boolean> | undefined;
  try {
    returns = checkReturns(text, fileName, queries);
  } catch (error) {
    // The checker recurses over the file and the libraries it imports: it can overflow the stack where the extractor does not.
    const message = `The type checker could not read this file (${String(error)}): ops of imported functions are drawn with one output`;
    return { ...result, diagnostics: [...result.diagnostics, { severity: 'info', message, range: { file: fileName, line: 1, column: 1 } }] };
  }
  if (!returns || [...returns.values()].every((r) => r)) return undefined;
  return extractGraph(text, fileName, { returns });
}

/** For each queried position, whether the function there returns, when the type checker can tell. */
function checkReturns(text: string, fileName: string, queries: readonly number[]): Map<number, boolean> | undefined {
  const host = ts.createCompilerHost({
    allowJs: true,
    skipLibCheck: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === fileName ? text : readFile(name));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError) => (name === fileName ? parseSource(name, text).sf : getSourceFile(name, version, onError));
  const program = ts.createProgram({
    rootNames: [fileName],
    options: {
      allowJs: true,
      skipLibCheck: true,
      noEmit: true,
      types: [],
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
    },
    host,
  });
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(fileName);
  if (!sf) return undefined;
  const returns = new Map<number, boolean>();
  for (const pos of queries) {
    const answer = returnsAt(checker, sf, pos);
    if (answer !== undefined) returns.set(pos, answer);
  }
  return returns;
}

function returnsAt(checker: ts.TypeChecker, sf: ts.SourceFile, pos: number): boolean | undefined {
  const expr = findExpressionAt(sf, pos);
  if (!expr) return undefined;
  const target = ts.isPropertyAccessExpression(expr) ? expr.name : expr;
  let symbol = checker.getSymbolAtLocation(target);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (decl) {
    const body = ts.isVariableDeclaration(decl) ? decl.initializer : decl;
    if (body && (ts.isFunctionDeclaration(body) || ts.isMethodDeclaration(body) || ts.isFunctionExpression(body) || ts.isArrowFunction(body)) && body.body) {
      return hasReturn(body);
    }
  }
  const signature = checker.getTypeAtLocation(target).getCallSignatures()[0];
  if (!signature) return undefined;
  return !isVoidLike(checker, checker.getReturnTypeOfSignature(signature));
}

function isVoidLike(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) return true;
  const symbol = type.getSymbol();
  if (symbol?.getName() === 'Promise') {
    const [inner] = checker.getTypeArguments(type as ts.TypeReference);
    return inner !== undefined && (inner.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) !== 0;
  }
  return false;
}

function findExpressionAt(sf: ts.SourceFile, pos: number): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  forEachNode(sf, (node) => {
    if (found || pos < node.getFullStart() || pos >= node.getEnd()) return false;
    if ((ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) && node.getStart(sf) === pos) {
      found = node;
      return false;
    }
    return true;
  });
  return found;
}
