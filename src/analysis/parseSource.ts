import { ts } from 'ts-morph';

/*
 * Parsing user text without ever throwing. TypeScript's parser is recursive: about 800 nested parentheses
 * overflow the stack. So brackets nested deeper than MAX_NESTING are cut out before parsing (their contents
 * blanked, which keeps every position and line), and if the parser still overflows (deep nesting without
 * brackets: `!!!!…`, `a ? b : c ? …`), only the longest prefix of lines that parses is read.
 */

/** Files longer than this (in UTF-16 characters) are not parsed: it would take seconds and hundreds of MB. */
export const MAX_SOURCE_LENGTH = 8 * 1024 * 1024;

/** Brackets (`(`, `[`, `{`, `${`) nested deeper than this are not read. */
export const MAX_NESTING = 200;

/** A part of the text the parser did not see, and why. */
export interface UnreadRegion {
  start: number;
  end: number;
  reason: string;
}

export interface ParsedSource {
  sf: ts.SourceFile;
  unread: UnreadRegion[];
}

export function scriptKindOf(fileName: string): ts.ScriptKind {
  if (/\.tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(fileName)) return ts.ScriptKind.JSX;
  return /\.[cm]?js$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
}

export function parseSource(fileName: string, text: string, setParentNodes = true): ParsedSource {
  const kind = scriptKindOf(fileName);
  const deep = tooDeepRegions(text);
  const readable = deep.length > 0 ? blank(text, deep) : text;
  const unread: UnreadRegion[] = deep.map(({ start, end }) => ({ start, end, reason: `brackets nested more than ${MAX_NESTING} deep` }));
  const parse = (source: string) => ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, setParentNodes, kind);
  try {
    return { sf: parse(readable), unread };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  // Binary search for the longest prefix of whole lines that the parser can take.
  const lineStarts = [0];
  for (let i = readable.indexOf('\n'); i >= 0; i = readable.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  let good = 0;
  let bad = lineStarts.length;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    try {
      parse(readable.slice(0, lineStarts[mid]));
      good = mid;
    } catch {
      bad = mid;
    }
  }
  const cut = lineStarts[good]!;
  const sf = parse(readable.slice(0, cut));
  unread.push({ start: cut, end: text.length, reason: 'code nested too deeply for the TypeScript parser' });
  return { sf, unread };
}

/** The text with each region's characters replaced by spaces (line breaks kept), so positions do not move. */
function blank(text: string, regions: readonly DeepRegion[]): string {
  const parts: string[] = [];
  let from = 0;
  for (const { start, end, opener } of regions) {
    const filler = text.slice(start, end).replace(/[^\r\n\u2028\u2029]/g, ' ');
    // `(` and `${` need an expression inside to stay valid syntax.
    parts.push(text.slice(from, start), opener === '(' || opener === '${' ? filler.replace(' ', '0') : filler);
    from = end;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

const KEYWORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', 'instanceof']);

interface DeepRegion {
  start: number;
  end: number;
  /** The bracket whose contents are blanked. */
  opener: string;
}

const [BACKSLASH, BACKTICK, DOLLAR, SLASH, STAR, DOUBLE_QUOTE, SINGLE_QUOTE, NEWLINE] = [...'\\`$/*"\'\n'].map((c) => c.charCodeAt(0));
const [OPEN_PAREN, OPEN_BRACKET, OPEN_BRACE, CLOSE_PAREN, CLOSE_BRACKET, CLOSE_BRACE] = [...'([{)]}'].map((c) => c.charCodeAt(0));
/** The opener of a template's `${`; `previous` after a word or a literal. */
const [SUBSTITUTION, WORD, LITERAL, NOTHING] = [-1, -2, -3, -4];

/**
 * The contents of the brackets at depth MAX_NESTING that hold deeper brackets, found in one pass that skips
 * comments, strings, template text and regular expressions (told from a division by the token before).
 */
function tooDeepRegions(text: string): DeepRegion[] {
  const regions: DeepRegion[] = [];
  /** The open brackets (character codes, or SUBSTITUTION), innermost last, and where their contents start. */
  const openers: number[] = [];
  const contentStarts: number[] = [];
  let pending = false;
  /** The last token before `i` that is not white space: a punctuation character's code, WORD (the one at wordStart) or LITERAL. */
  let previous = NOTHING;
  let wordStart = 0;
  let i = 0;
  const n = text.length;
  const region = (depth: number, end: number): DeepRegion => {
    const opener = openers[depth]!;
    return { start: contentStarts[depth]!, end, opener: opener === SUBSTITUTION ? '${' : String.fromCharCode(opener) };
  };
  const open = (opener: number, contentStart: number): void => {
    openers.push(opener);
    contentStarts.push(contentStart);
    if (openers.length > MAX_NESTING) pending = true;
  };
  const close = (at: number): number => {
    if (pending && openers.length === MAX_NESTING) {
      regions.push(region(MAX_NESTING - 1, at));
      pending = false;
    }
    contentStarts.pop();
    return openers.pop()!;
  };
  /** Skips template text from `j` to the template's end or its next `${` (which it opens). */
  const templateText = (j: number): number => {
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === BACKSLASH) j += 2;
      else if (c === BACKTICK) return j + 1;
      else if (c === DOLLAR && text.charCodeAt(j + 1) === OPEN_BRACE) {
        open(SUBSTITUTION, j + 2);
        return j + 2;
      } else j++;
    }
    return n;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWordChar(c)) {
      wordStart = i;
      do i++;
      while (i < n && isWordChar(text.charCodeAt(i)));
      previous = WORD;
      continue;
    }
    if (c <= 32) {
      i++;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    let literalEnd = -1;
    if (c === SLASH && next === SLASH) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
      continue;
    }
    if (c === SLASH && next === STAR) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) literalEnd = skipQuoted(text, i + 1, c);
    else if (c === BACKTICK) literalEnd = templateText(i + 1);
    else if (c === SLASH && regexMayStart(previous, text, wordStart)) literalEnd = skipRegex(text, i + 1);
    else if (c === OPEN_PAREN || c === OPEN_BRACKET || c === OPEN_BRACE) open(c, i + 1);
    else if ((c === CLOSE_PAREN || c === CLOSE_BRACKET || c === CLOSE_BRACE) && openers.length > 0 && close(i) === SUBSTITUTION) {
      literalEnd = templateText(i + 1);
    }
    if (literalEnd >= 0) {
      i = literalEnd;
      previous = LITERAL;
    } else {
      previous = c;
      i++;
    }
  }
  if (pending) regions.push(region(MAX_NESTING - 1, n));
  return regions;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c > 127;
}

/** Whether a `/` after `previous` starts a regular expression (after a word, only if the word is a keyword such as `return`). */
function regexMayStart(previous: number, text: string, wordStart: number): boolean {
  if (previous === WORD) {
    let end = wordStart;
    while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
    return KEYWORDS_BEFORE_REGEX.has(text.slice(wordStart, end));
  }
  return previous !== CLOSE_PAREN && previous !== CLOSE_BRACKET && previous !== CLOSE_BRACE && previous !== LITERAL;
}

/** The index after the closing quote of a string whose text starts at `i` (or its line's end, for one left open). */
function skipQuoted(text: string, i: number, quote: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === quote) return i + 1;
    else if (c === NEWLINE) return i;
    else i++;
  }
  return text.length;
}

/** The index after a regular expression literal (and its flags) whose body starts at `i`. */
function skipRegex(text: string, i: number): number {
  let inClass = false;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === NEWLINE) return i;
    else {
      i++;
      if (c === OPEN_BRACKET) inClass = true;
      else if (c === CLOSE_BRACKET) inClass = false;
      else if (c === SLASH && !inClass) break;
    }
  }
  while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
  return i;
}
