import { readFileSync } from 'node:fs';
import type { CallSite } from '../core/trace.js';

/**
 * The code an op computes with, as the runner read it when it bundled the script: `hash` covers the function given to
 * `add` (its tokens: comments and formatting do not count), the workspace functions, constants and classes it reaches,
 * and the versions of the packages they import. `parts` names each piece (`function`, `helper scale (lib.ts)`,
 * `package lodash`) with its own hash, so a miss can say which one changed.
 */
export interface CodeFingerprint {
  hash: string;
  parts: Record<string, string>;
  /** Set when the op must not be cached, and why (it reads a variable whose value the code does not fix). */
  uncacheable?: string;
}

/** How fingerprints are looked up: an `add` call's site, as `instrumentAddCalls` writes it into the call. */
export function siteKey(site: CallSite): string {
  return `${site.file}:${site.line}:${site.column}`;
}

/** Reads the table the parent wrote beside the bundle (`fingerprints.json`: site key → fingerprint). */
export function readFingerprintTable(file: string): Map<string, CodeFingerprint> {
  return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, CodeFingerprint>));
}
