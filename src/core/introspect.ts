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
 * The source with comments, strings, template text and regular expression literals blanked out, in one left-to-right
 * pass: whichever starts first is consumed first (a `//` inside a string such as 'https://' is not a comment, a quote
 * inside a regular expression does not start a string). The code inside a template's `${…}` is kept, nested templates
 * included. A string ends at its line's end at the latest, so a misread damages one line only.
 */
function stripCommentsAndStrings(src: string): string {
  const parts: string[] = [];
  /** Where the run of code being kept started. */
  let kept = 0;
  let i = 0;
  /** `{` nesting in code; each open `${` of a template remembers the depth at which its `}` closes it. */
  let depth = 0;
  const substitutions: number[] = [];
  // The token before a `/`, to tell a regular expression from a division: the last character kept that is not white
  // space (`"` after a blanked literal), the one before it, and the word it ends, if any.
  let last = '';
  let beforeLast = '';
  let word = '';
  const blank = (to: number, text: string): void => {
    parts.push(src.slice(kept, i), text);
    i = kept = to;
    beforeLast = last;
    last = '"';
    word = '';
  };
  /** Scans template text from `j` (after a backtick or a substitution's `}`) to its end or its next `${`. */
  const template = (j: number): number => {
    while (j < src.length) {
      const c = src[j]!;
      if (c === '\\') j += 2;
      else if (c === '`') return j + 1;
      else if (c === '$' && src[j + 1] === '{') {
        substitutions.push(depth);
        return j + 2;
      } else j++;
    }
    return j;
  };
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      blank(end < 0 ? src.length : end + 2, ' ');
      last = beforeLast; // a comment is not a token
    } else if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i + 2);
      blank(end < 0 ? src.length : end, ' ');
      last = beforeLast;
    } else if (c === '"' || c === "'") {
      blank(skipQuoted(src, i + 1, c), '""');
    } else if (c === '`') {
      blank(template(i + 1), '"" ');
    } else if (c === '}' && substitutions.length > 0 && substitutions[substitutions.length - 1] === depth) {
      substitutions.pop();
      blank(template(i + 1), ' ""');
    } else if (c === '/' && regexMayStart(last, beforeLast, word)) {
      blank(skipRegex(src, i + 1), '""');
    } else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      if (/[\w$]/.test(c)) {
        word = /[\w$]/.test(last) && src[i - 1] === last ? word + c : c;
        beforeLast = last;
        last = c;
      } else if (c.trim() !== '') {
        word = '';
        beforeLast = last;
        last = c;
      }
      i++;
    }
  }
  parts.push(src.slice(kept));
  return parts.join('');
}

/** Keywords after which a `/` starts a regular expression (after any other word, a number or `)` it divides). */
const KEYWORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'instanceof']);

/** Whether a `/` after the token ending in `last` (`word` if it is a word) starts a regular expression rather than dividing. */
function regexMayStart(last: string, beforeLast: string, word: string): boolean {
  if (last === '') return true;
  if (last === ')' || last === ']' || last === '}' || last === '"') return false;
  if ((last === '+' || last === '-') && beforeLast === last) return false; // i++ / 2
  if (word !== '') return KEYWORDS_BEFORE_REGEX.has(word);
  return true;
}

/** The index after the closing `quote` of a string that starts at `i` (or its line's end, for a string left open). */
function skipQuoted(src: string, i: number, quote: string): number {
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') i += 2;
    else if (c === quote) return i + 1;
    else if (c === '\n') return i;
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

/**
 * The source location of the code that called into this module: the first frame of the stack in another file than the
 * caller's (the library is one file when bundled, and the caller's file holds the API in the sources). For errors only:
 * it captures and parses a stack.
 */
export function callerOutsideLibrary(): CallSite | undefined {
  const limit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 20;
  const stack = new Error().stack ?? '';
  V8Error.stackTraceLimit = limit;
  const frames = stack
    .split('\n')
    .slice(2)
    .map((line) => FRAME.exec(line.trim()))
    .filter((m) => m !== null);
  const library = frames[0]?.[1];
  const outside = frames.find((m) => m[1] !== library);
  if (!outside) return undefined;
  const file = outside[1]!.startsWith('file://') ? decodeURIComponent(outside[1]!.slice(7)) : outside[1]!;
  return { file, line: Number(outside[2]), column: Number(outside[3]) };
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
