import type { CallSite } from './trace.js';

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

/**
 * Whether a function produces an output, by pyflow's rule: its body has a `return` statement.
 * Expression-bodied arrows always return; native and bound functions are assumed to.
 */
export function hasReturn(fn: Function): boolean {
  let known = returnCache.get(fn);
  if (known === undefined) {
    known = detectReturn(fn);
    returnCache.set(fn, known);
  }
  return known;
}

const returnCache = new WeakMap<Function, boolean>();

function detectReturn(fn: Function): boolean {
  const src = Function.prototype.toString.call(fn);
  if (NATIVE.test(src)) return true;
  const code = stripCommentsAndStrings(src);
  if (/\breturn\b/.test(code)) return true;
  return isExpressionArrow(code);
}

function isExpressionArrow(code: string): boolean {
  const arrow = findTopLevelArrow(code);
  if (arrow < 0) return false;
  return code.slice(arrow + 2).trimStart()[0] !== '{';
}

/** Index of the `=>` of an arrow function's own head (outside parentheses), or -1. */
function findTopLevelArrow(code: string): number {
  let depth = 0;
  for (let i = 0; i < code.length - 1; i++) {
    const c = code[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '{' && depth === 0) return -1;
    else if (c === '=' && code[i + 1] === '>' && depth === 0) return i;
  }
  return -1;
}

/**
 * The source with comments, strings and regular expression literals blanked out, in one left-to-right pass: whichever
 * starts first is consumed first (a `//` inside a string such as 'https://' is not a comment, a quote inside a regular
 * expression does not start a string).
 */
function stripCommentsAndStrings(src: string): string {
  let out = '';
  /** The last character kept that is not white space: whether a `/` starts a regular expression or divides. */
  let last = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 2;
      out += ' ';
    } else if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i + 2);
      i = end < 0 ? src.length : end;
      out += ' ';
    } else if (c === '"' || c === "'" || c === '`') {
      i = skipQuoted(src, i + 1, c);
      out += '""';
      last = '"';
    } else if (c === '/' && (last === '' || REGEX_BEFORE.includes(last))) {
      i = skipRegex(src, i + 1);
      out += '""';
      last = '"';
    } else {
      out += c;
      if (c.trim() !== '') last = c;
      i++;
    }
  }
  return out;
}

/** After these characters a `/` starts a regular expression (after an identifier, a number or `)` it divides). */
const REGEX_BEFORE = '(,=:[!&|?{};+-*%<>~^';

/** The index after the closing `quote` of a string that starts at `i`. */
function skipQuoted(src: string, i: number, quote: string): number {
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return i;
}

/** The index after a regular expression literal (and its flags) whose body starts at `i`. */
function skipRegex(src: string, i: number): number {
  let inClass = false;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') i += 2;
    else if (c === '\n') return i;
    else {
      i++;
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) break;
    }
  }
  while (i < src.length && /[a-z]/i.test(src[i]!)) i++;
  return i;
}

/** The name pyflow would use: the function's own name, `anonymous` for nameless ones. */
export function functionName(fn: Function): string {
  const name = fn.name.startsWith('bound ') ? fn.name.slice(6) : fn.name;
  return name === '' ? 'anonymous' : name;
}

/** V8's stack API (Node, Chromium); elsewhere `new Error().stack` is used. */
const V8Error = Error as unknown as { stackTraceLimit: number; captureStackTrace?: (target: object, fn?: Function) => void };

const FRAME = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?$/;

/** A captured stack whose text is only formatted (and parsed) when the call site is first needed. */
export interface PendingCallSite {
  stack?: string;
}

/**
 * Captures the stack at the caller of the caller of this function. Cheap: V8 formats the stack text (and
 * applies source maps) only when it is read, which `resolveCallSite` does on demand.
 */
export function captureCallSite(skipFrames: number): PendingCallSite {
  const holder: PendingCallSite & { skip?: number } = {};
  const limit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = skipFrames + 2;
  if (V8Error.captureStackTrace) V8Error.captureStackTrace(holder, captureCallSite);
  else holder.stack = new Error().stack;
  V8Error.stackTraceLimit = limit;
  holder.skip = skipFrames;
  return holder;
}

/**
 * A call site written into the user's code by the runner's bundler (`G.add(fn, options, SITE)`), so that `add`
 * need not capture a stack (the dearest part of a traced `add`): `\0pyflow-site\0<file>\0<line>\0<column>`.
 */
export const SITE_MARKER = '\u0000pyflow-site\u0000';

export function isSiteMarker(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SITE_MARKER);
}

export function siteMarker(site: CallSite): string {
  return `${SITE_MARKER}${site.file}\u0000${site.line}\u0000${site.column}`;
}

/** The user's source location of a captured stack or a site marker. */
export function resolveCallSite(pending: (PendingCallSite & { skip?: number }) | string): CallSite | undefined {
  if (typeof pending === 'string') {
    const [, , file, line, column] = pending.split('\u0000');
    return file ? { file, line: Number(line), column: Number(column) } : undefined;
  }
  const lines = pending.stack?.split('\n') ?? [];
  const frame = lines[(pending.skip ?? 0) + 1];
  const match = frame ? FRAME.exec(frame.trim()) : null;
  if (!match) return undefined;
  const file = match[1]!.startsWith('file://') ? decodeURIComponent(match[1]!.slice(7)) : match[1]!;
  return { file, line: Number(match[2]), column: Number(match[3]) };
}
