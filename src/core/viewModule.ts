/// <reference path="./pyflow-view.d.ts" />
import type { GraphModel } from './model.js';

/** The options `G.view()` hands to `pyflow/view` (ViewOptions with defaults filled in). */
export interface WriteViewRequest {
  full?: boolean;
  uidLabels?: boolean;
  path?: string;
  highlight?: ReadonlySet<string>;
}

/**
 * What the core needs from `pyflow/view`, the drawing module (src/drawing/index.ts, built to dist/lib/view.*).
 * test/architecture.test.ts checks that src/drawing provides it and that the package maps `pyflow/view` there.
 */
export interface ViewModule {
  writeGraphView(model: GraphModel, options: WriteViewRequest): Promise<string>;
}

/**
 * Loads the drawing module on demand (`G.view()` in Node): the core itself stays free of Node APIs and of the
 * layout engine. The specifier is a literal so that the architecture test and the bundler both see it.
 */
export async function loadViewModule(): Promise<ViewModule> {
  return (await import('pyflow/view')) as ViewModule;
}
