import type { CallSite } from '../core/index.js';

/**
 * The code an op computes with, as read when its script was bundled (src/analysis/fingerprint.ts), handed to the
 * runner's result cache in `fingerprints.json` beside the bundle. `hash` covers the function given to `add` (its
 * tokens: comments and formatting do not count), the workspace functions, constants and classes it reaches, and the
 * versions of the packages they import. `parts` names each piece (`function scale`, `const K (lib.ts)`,
 * `package lodash`) with its hash (a package: its version), so that a miss can say which one changed.
 */
export interface CodeFingerprint {
  hash: string;
  parts: Record<string, string>;
  /** Set when the op must not be cached, and why (it reads a variable whose value its code does not fix). */
  uncacheable?: string;
}

/** The key of the fingerprint table: an `add` call's site, as `instrumentAddCalls` writes it into the call. */
export function siteKey(site: CallSite): string {
  return `${site.file}:${site.line}:${site.column}`;
}
