import type * as AnalysisModule from './index.js';

export type Analysis = typeof AnalysisModule;

let loaded: Analysis | undefined;

/**
 * The analysis with the TypeScript compiler, loaded the first time it is needed: the extension and the CLI
 * must start without it (it is most of their size). In a bundle this file sits in dist/ beside
 * dist/extractor.js (built from ./index.ts); run from the sources, it loads ./index.ts.
 */
export function loadAnalysis(): Analysis {
  const path = __filename.endsWith('.ts') ? './index.js' : './extractor.js';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(path) as Analysis;
  return loaded;
}
