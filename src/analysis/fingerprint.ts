import { ts } from 'ts-morph';
import type { CodeFingerprint } from '../protocol/codeFingerprint.js';
import { siteKey } from '../protocol/codeFingerprint.js';
import { addCallsOnBuilders, instrumentAddCalls } from './instrument.js';
import { MAX_SOURCE_LENGTH, parseSource } from './parseSource.js';
import { forEachNode } from './walk.js';

/*
 * Code fingerprints of ops, read when the runner bundles a script: for each `G.add(fn)` call that instrumentAddCalls
 * marks, the tokens of `fn` (comments and formatting do not count) and, transitively, of the workspace's top-level
 * functions, classes, constants and variables it names (through imports too), plus the versions of the packages
 * these import. An op is left uncacheable when its function reads a variable its code does not fix: a local of the
 * code around the `add` call (a loop's `k` in `G.add((x) => x * k)`), or a top-level `let` the script reassigns.
 * Over-reading is safe (an extra recomputation); under-reading is not, so when in doubt a whole file counts.
 */

/** What the fingerprinter needs from the file system (src/cache/fingerprintHost.ts gives the real one). */
export interface FingerprintHost {
  /** The text of a workspace file, or undefined. */
  readFile(file: string): string | undefined;
  /** What an import names: a workspace file, a package and its installed version, a Node built-in; undefined: unknown. */
  resolveImport(specifier: string, from: string): { file: string } | { package: string; version: string } | { builtin: true } | undefined;
  hash(text: string): string;
  /** The short name a file is shown by in reasons (its base name). */
  displayName(file: string): string;
}

interface Module {
  file: string;
  sf: ts.SourceFile;
  /** Top-level declarations by name. */
  decls: Map<string, { node: ts.Node; kind: string }>;
  /** Top-level `let`/`var` names that the module assigns after their declaration. */
  reassigned: Set<string>;
  imports: Map<string, { specifier: string; imported: string }>;
  /** Exported name → local name. */
  exports: Map<string, string>;
  reexports: { specifier: string; imported: string | undefined; exported: string | undefined }[];
}

type Dep =
  | { kind: 'decl'; module: Module; name: string; node: ts.Node; declKind: string }
  | { kind: 'package'; name: string; version: string }
  | { kind: 'file'; module: Module }
  | { kind: 'none' }
  | { kind: 'unknown'; why: string };

export class Fingerprinter {
  private readonly modules = new Map<string, Module | undefined>();

  constructor(private readonly host: FingerprintHost) {}

  /** The fingerprints of a file's `add` calls, by site key (see siteKey); empty when it has none. */
  fingerprintFile(file: string, text: string): Map<string, CodeFingerprint> {
    const out = new Map<string, CodeFingerprint>();
    if (!text.includes('.add') || text.length > MAX_SOURCE_LENGTH) return out;
    const module = this.parse(file, text);
    for (const { args, site } of addCallsOnBuilders(module.sf, file)) out.set(siteKey(site), this.fingerprintOp(module, args[0]!));
    return out;
  }

  private fingerprintOp(module: Module, fn: ts.Expression): CodeFingerprint {
    const parts: Record<string, string> = {};
    const enclosing = namesDeclaredAround(fn);
    const own = declaredNames(fn);
    const queue: Dep[] = [];
    let uncacheable: string | undefined;
    const root = ts.isIdentifier(fn) && !enclosing.has(fn.text) ? this.resolve(module, fn.text) : undefined;
    if (root?.kind === 'decl') {
      queue.push(root);
    } else {
      parts['function (inline)'] = this.host.hash(tokens(fn, module.sf));
      const loads = loadsCodeAtRunTime(fn);
      if (loads) uncacheable ??= `its function loads code at run time (${loads}), which pyflow does not read`;
      for (const name of referencedNames(fn)) {
        if (own.has(name)) continue;
        if (enclosing.has(name)) {
          uncacheable ??= `its function reads \`${name}\` from the code around the \`add\` call; pass it as an input (G.add(fn)(…, ${name})) to cache it`;
          continue;
        }
        queue.push(this.resolve(module, name));
      }
    }
    const seen = new Set<string>();
    while (queue.length > 0) {
      const dep = queue.shift()!;
      if (dep.kind === 'none') continue;
      if (dep.kind === 'unknown') {
        uncacheable ??= dep.why;
        continue;
      }
      if (dep.kind === 'package') {
        parts[`package ${dep.name}`] = dep.version;
        continue;
      }
      const id = dep.kind === 'file' ? dep.module.file : `${dep.module.file}#${dep.name}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const where = dep.module === module ? '' : ` (${this.host.displayName(dep.module.file)})`;
      if (dep.kind === 'file') {
        parts[`file ${this.host.displayName(dep.module.file)}`] = this.host.hash(tokens(dep.module.sf, dep.module.sf));
        for (const name of dep.module.imports.keys()) queue.push(this.resolve(dep.module, name));
        continue;
      }
      if (dep.module.reassigned.has(dep.name)) {
        uncacheable ??= `it reads the variable \`${dep.name}\`${where}, which the script reassigns`;
        continue;
      }
      parts[`${dep.declKind} ${dep.name}${where}`] = this.host.hash(`${dep.declKind} ${tokens(dep.node, dep.module.sf)}`);
      const loads = loadsCodeAtRunTime(dep.node);
      if (loads) uncacheable ??= `${dep.declKind} ${dep.name}${where} loads code at run time (${loads}), which pyflow does not read`;
      const locals = declaredNames(dep.node);
      for (const name of referencedNames(dep.node)) {
        if (!locals.has(name) || dep.module.decls.has(name) || dep.module.imports.has(name)) queue.push(this.resolve(dep.module, name));
      }
    }
    const hash = this.host.hash(
      Object.keys(parts)
        .sort()
        .map((name) => `${name}\u0000${parts[name]}`)
        .join('\u0000'),
    );
    return uncacheable === undefined ? { hash, parts } : { hash, parts, uncacheable };
  }

  /** What a name used at the top level of `module` stands for. */
  private resolve(module: Module, name: string, depth = 0): Dep {
    const decl = module.decls.get(name);
    if (decl) return { kind: 'decl', module, name, node: decl.node, declKind: decl.kind };
    const imported = module.imports.get(name);
    if (imported) return this.resolveImport(module, imported.specifier, imported.imported, depth);
    return { kind: 'none' };
  }

  private resolveImport(module: Module, specifier: string, imported: string, depth: number): Dep {
    const target = this.host.resolveImport(specifier, module.file);
    if (target === undefined)
      return { kind: 'unknown', why: `pyflow could not find the module "${specifier}" imported by ${this.host.displayName(module.file)}` };
    if ('builtin' in target) return { kind: 'none' };
    if ('package' in target) return { kind: 'package', name: target.package, version: target.version };
    const other = this.load(target.file);
    if (other === undefined) return { kind: 'unknown', why: `pyflow could not read ${target.file}` };
    if (imported === '*' || depth > 20) return { kind: 'file', module: other };
    return this.resolveExport(other, imported, depth + 1);
  }

  private resolveExport(module: Module, exported: string, depth: number): Dep {
    const local = module.exports.get(exported);
    if (local !== undefined) {
      const dep = this.resolve(module, local, depth);
      return dep.kind === 'none' ? { kind: 'file', module } : dep;
    }
    for (const re of module.reexports) {
      if (re.exported === exported) return this.resolveImport(module, re.specifier, re.imported ?? '*', depth);
      if (re.exported === undefined) {
        const dep = this.resolveImport(module, re.specifier, exported, depth);
        if (dep.kind !== 'file' && dep.kind !== 'none' && dep.kind !== 'unknown') return dep;
      }
    }
    return { kind: 'file', module };
  }

  private load(file: string): Module | undefined {
    if (!this.modules.has(file)) {
      const text = this.host.readFile(file);
      this.modules.set(file, text === undefined || text.length > MAX_SOURCE_LENGTH ? undefined : this.parse(file, text));
    }
    return this.modules.get(file);
  }

  private parse(file: string, text: string): Module {
    const known = this.modules.get(file);
    if (known && known.sf.text === text) return known;
    const module = readModule(file, parseSource(file, text, true).sf);
    this.modules.set(file, module);
    return module;
  }
}

function readModule(file: string, sf: ts.SourceFile): Module {
  const module: Module = { file, sf, decls: new Map(), reassigned: new Set(), imports: new Map(), exports: new Map(), reexports: [] };
  const isExported = (node: ts.Node): boolean => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (node: ts.Node): boolean => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      if (!clause || clause.isTypeOnly) continue;
      const specifier = statement.moduleSpecifier.text;
      if (clause.name) module.imports.set(clause.name.text, { specifier, imported: 'default' });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) module.imports.set(bindings.name.text, { specifier, imported: '*' });
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) if (!el.isTypeOnly) module.imports.set(el.name.text, { specifier, imported: (el.propertyName ?? el.name).text });
      }
    } else if (
      ts.isImportEqualsDeclaration(statement) &&
      ts.isExternalModuleReference(statement.moduleReference) &&
      ts.isStringLiteral(statement.moduleReference.expression)
    ) {
      module.imports.set(statement.name.text, { specifier: statement.moduleReference.expression.text, imported: '*' });
    } else if (ts.isExportDeclaration(statement)) {
      const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      const clause = statement.exportClause;
      if (specifier === undefined) {
        if (clause && ts.isNamedExports(clause)) for (const el of clause.elements) module.exports.set(el.name.text, (el.propertyName ?? el.name).text);
      } else if (!clause) {
        module.reexports.push({ specifier, imported: undefined, exported: undefined });
      } else if (ts.isNamespaceExport(clause)) {
        module.reexports.push({ specifier, imported: '*', exported: clause.name.text });
      } else {
        for (const el of clause.elements) module.reexports.push({ specifier, imported: (el.propertyName ?? el.name).text, exported: el.name.text });
      }
    } else if (ts.isExportAssignment(statement)) {
      module.decls.set('default', { node: statement.expression, kind: 'export default' });
      module.exports.set('default', 'default');
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name) {
      const kind = ts.isFunctionDeclaration(statement) ? 'function' : ts.isClassDeclaration(statement) ? 'class' : 'enum';
      // Overloads: every declaration of the name counts (the statement list is the unit of text).
      const known = module.decls.get(statement.name.text);
      module.decls.set(statement.name.text, { node: known ? statement.parent : statement, kind });
      if (isExported(statement)) module.exports.set(isDefault(statement) ? 'default' : statement.name.text, statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      const flags = statement.declarationList.flags;
      const kind = flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
      for (const declaration of statement.declarationList.declarations) {
        for (const name of bindingNames(declaration.name)) {
          module.decls.set(name, { node: declaration, kind });
          if (isExported(statement)) module.exports.set(name, name);
        }
      }
    }
  }
  forEachNode(sf, (node) => {
    const target =
      ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
        ? node.left
        : (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
            (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
          ? node.operand
          : undefined;
    if (target && ts.isIdentifier(target) && module.decls.get(target.text)?.kind !== 'const') module.reassigned.add(target.text);
  });
  return module;
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isBindingElement(el) ? bindingNames(el.name) : []));
}

/** The node's tokens, one space between each: comments and formatting do not count, string and template text does. */
function tokens(node: ts.Node, sf: ts.SourceFile): string {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    const children = n.getChildren(sf);
    if (children.length === 0) {
      if (n.kind !== ts.SyntaxKind.EndOfFileToken) out.push(n.getText(sf));
    } else {
      for (const child of children) visit(child);
    }
  };
  visit(node);
  return out.join(' ');
}

/** Names declared anywhere inside a node (variables, parameters, functions, classes, enums), except inside `skip`. */
function declaredNames(node: ts.Node, skip?: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (n === skip) return;
    if ((ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isBindingElement(n)) && !ts.isObjectBindingPattern(n.name) && !ts.isArrayBindingPattern(n.name))
      names.add(n.name.text);
    if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassDeclaration(n) || ts.isClassExpression(n) || ts.isEnumDeclaration(n)) && n.name)
      names.add(n.name.text);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return names;
}

/** Names declared by the code around an expression, up to (not including) the top level of its file. */
function namesDeclaredAround(node: ts.Node): Set<string> {
  let outer: ts.Node = node;
  while (outer.parent && !ts.isSourceFile(outer.parent)) outer = outer.parent;
  if (outer === node) return new Set();
  const names = declaredNames(outer, node);
  // A top-level function's or class's own name is a top-level name.
  if ((ts.isFunctionDeclaration(outer) || ts.isClassDeclaration(outer)) && outer.name) names.delete(outer.name.text);
  if (ts.isVariableStatement(outer)) for (const d of outer.declarationList.declarations) for (const n of bindingNames(d.name)) names.delete(n);
  return names;
}

/** How a node runs code the fingerprint cannot read (`import()`, `require()`, `eval`, `new Function`), if it does. */
function loadsCodeAtRunTime(node: ts.Node): string | undefined {
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) found = 'import()';
    else if (
      (ts.isCallExpression(n) || ts.isNewExpression(n)) &&
      ts.isIdentifier(n.expression) &&
      ['require', 'eval', 'Function'].includes(n.expression.text)
    ) {
      found = n.expression.text === 'Function' ? 'new Function' : `${n.expression.text}()`;
    } else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** Names a node reads (identifiers in reference position; property names, declarations' own names and labels left out). */
function referencedNames(node: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && isReference(n)) names.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return names;
}

function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (!p) return true;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p) && p.right === id) return false;
  if (
    (ts.isPropertyAssignment(p) ||
      ts.isMethodDeclaration(p) ||
      ts.isPropertyDeclaration(p) ||
      ts.isGetAccessor(p) ||
      ts.isSetAccessor(p) ||
      ts.isPropertySignature(p) ||
      ts.isMethodSignature(p) ||
      ts.isEnumMember(p) ||
      ts.isJsxAttribute(p)) &&
    p.name === id
  )
    return false;
  if (
    (ts.isVariableDeclaration(p) ||
      ts.isParameter(p) ||
      ts.isFunctionDeclaration(p) ||
      ts.isFunctionExpression(p) ||
      ts.isClassDeclaration(p) ||
      ts.isClassExpression(p) ||
      ts.isEnumDeclaration(p) ||
      ts.isTypeAliasDeclaration(p) ||
      ts.isInterfaceDeclaration(p) ||
      ts.isTypeParameterDeclaration(p)) &&
    p.name === id
  )
    return false;
  if (ts.isBindingElement(p) && (p.name === id || p.propertyName === id)) return false;
  if ((ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) && p.label === id) return false;
  return true;
}

/**
 * A bundler transform that writes `add` call sites into the calls (instrumentAddCalls) and reads the fingerprints of
 * the ops they add into `fingerprints`, for a run with the result cache.
 */
export function fingerprintingTransform(host: FingerprintHost): {
  transform: (file: string, text: string) => string | undefined;
  fingerprints: Map<string, CodeFingerprint>;
} {
  const fingerprinter = new Fingerprinter(host);
  const fingerprints = new Map<string, CodeFingerprint>();
  return {
    fingerprints,
    transform(file, text) {
      for (const [site, fingerprint] of fingerprinter.fingerprintFile(file, text)) fingerprints.set(site, fingerprint);
      return instrumentAddCalls(file, text);
    },
  };
}
