import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { bundleScript } from '../../src/runner/bundleScript.js';
import { fingerprintingTransform } from '../../src/analysis/fingerprint.js';
import { nodeFingerprintHost } from '../../src/cache/fingerprintHost.js';
import { DiskCache } from '../../src/cache/diskCache.js';
import { HOST_SYMBOL, type PyflowHost, type TraceEvent } from '../../src/core/index.js';
import { random } from '../core/seeded.js';

/*
 * Never stale: random pipelines (ops calling workspace helpers, constants, a package, raw inputs, options), edited at
 * random again and again (an op's body, a helper two calls away, a constant, a raw input, an option, the package's
 * version, or only comments and formatting). After each edit the script is bundled as the runner bundles it (the
 * fingerprinting transform) and evaluated with the cache and without: the values must be equal, exactly the ops
 * downstream of the edit must run, and exactly the inputs they need (or the target, when nothing runs) are read from
 * the cache: the ops upstream of those are neither run nor read. `total` sums the ops no other op consumes.
 */

const LIBRARY = join(__dirname, '..', '..', 'dist', 'lib', 'index.mjs');

interface Op {
  /** Which helper it calls (h0 … h2, each calling the one before), if any. */
  helper: number | undefined;
  usesPackage: boolean;
  body: number;
  version: number;
  inputs: ({ op: number } | { raw: number })[];
}

interface Pipeline {
  consts: number[];
  /** Helper k uses constant helperConst[k] and adds helperBody[k]. */
  helperConst: number[];
  helperBody: number[];
  packageVersion: number;
  ops: Op[];
  /** A formatting-only difference (comments, blank lines): no op may run again. */
  style: number;
}

function generate(rand: () => number): Pipeline {
  const pick = (n: number) => Math.floor(rand() * n);
  const ops: Op[] = [];
  const n = 4 + pick(5);
  for (let i = 0; i < n; i++) {
    const inputs: Op['inputs'] = Array.from({ length: 1 + pick(2) }, () => (i > 0 && rand() < 0.7 ? { op: pick(i) } : { raw: pick(100) }));
    ops.push({ helper: rand() < 0.7 ? pick(3) : undefined, usesPackage: rand() < 0.3, body: 1 + pick(9), version: 0, inputs });
  }
  return {
    consts: [pick(10), pick(10), pick(10)],
    helperConst: [pick(3), pick(3), pick(3)],
    helperBody: [pick(5), pick(5), pick(5)],
    packageVersion: 1,
    ops,
    style: 0,
  };
}

function helpersText(p: Pipeline): string {
  const comment = p.style % 2 === 1 ? '// helpers of the pipeline\n' : '';
  return `${comment}${p.consts.map((c, k) => `export const C${k} = ${c};`).join('\n')}
export function h0(x: number) { return x * 2 + C${p.helperConst[0]} + ${p.helperBody[0]}; }
export function h1(x: number) {${p.style % 2 === 1 ? '\n  ' : ' '}return h0(x) + C${p.helperConst[1]} + ${p.helperBody[1]}; }
export function h2(x: number) { return h1(x) - C${p.helperConst[2]} + ${p.helperBody[2]}; }
`;
}

function mainText(p: Pipeline): string {
  const lines = [
    "import { GraphBuilder } from 'pyflow';",
    "import { h0, h1, h2 } from './helpers';",
    "import { scale } from 'fakepkg';",
    'const G = new GraphBuilder();',
  ];
  if (p.style > 0) lines.push(`/* edit ${p.style} */`);
  p.ops.forEach((op, i) => {
    const terms = [op.helper === undefined ? 'a' : `h${op.helper}(a)`, `b * ${op.body}`, ...(op.usesPackage ? ['scale(a)'] : [])];
    const params = '(a: number, b: number = 1)';
    const fn = `${params} => ${terms.join(' + ')}`;
    const args = op.inputs.map((input) => ('op' in input ? `d${input.op}` : String(input.raw))).join(', ');
    // Even ops: a top-level function declaration; odd ops: an inline arrow.
    if (i % 2 === 0) lines.push(`function f${i}${params} { return ${terms.join(' + ')}; }`);
    lines.push(`const d${i} = G.add(${i % 2 === 0 ? `f${i}` : fn}, { alias: 'op${i}', version: 'v${op.version}' })(${args});`);
  });
  lines.push(
    `const total = G.add((...xs: number[]) => xs.reduce((s, x) => s + x, 0), { alias: 'total' })(${sinks(p)
      .map((i) => `d${i}`)
      .join(', ')});`,
  );
  lines.push('export const result = total.get();');
  return `${lines.join('\n')}\n`;
}

/** The ops no other op consumes: the inputs of `total`. */
function sinks(p: Pipeline): number[] {
  return p.ops.flatMap((_, i) => (p.ops.some((op) => op.inputs.some((input) => 'op' in input && input.op === i)) ? [] : [i]));
}

/**
 * The ops read from the cache when `ran` run: those that a running op (or `total`) consumes and that do not run
 * themselves (their inputs are neither computed nor read); only `total` when nothing runs.
 */
function readOps(p: Pipeline, ran: Set<number>): string[] {
  if (ran.size === 0) return ['total'];
  const read = new Set(sinks(p));
  for (const i of ran) for (const input of p.ops[i]!.inputs) if ('op' in input) read.add(input.op);
  return [...read]
    .filter((i) => !ran.has(i))
    .map((i) => `op${i}`)
    .sort();
}

type Edit = { what: string; apply(p: Pipeline): void; dirty(p: Pipeline): Set<number> };

/** The ops whose value depends on something `direct` (op indices) names, and everything downstream of them. */
function downstream(p: Pipeline, direct: (op: Op, i: number) => boolean): Set<number> {
  const dirty = new Set<number>();
  p.ops.forEach((op, i) => {
    if (direct(op, i) || op.inputs.some((input) => 'op' in input && dirty.has(input.op))) dirty.add(i);
  });
  return dirty;
}

/** Helper k reaches helpers k, k-1, … 0. */
const reaches = (op: Op, k: number) => op.helper !== undefined && op.helper >= k;

function randomEdit(p: Pipeline, rand: () => number): Edit {
  const pick = (n: number) => Math.floor(rand() * n);
  const i = pick(p.ops.length);
  const kinds: Edit[] = [
    { what: `body of op${i}`, apply: (q) => void (q.ops[i]!.body += 1), dirty: (q) => downstream(q, (_, j) => j === i) },
    { what: 'helper h0 (two calls away from h2)', apply: (q) => void (q.helperBody[0]! += 1), dirty: (q) => downstream(q, (op) => reaches(op, 0)) },
    (() => {
      const c = pick(3);
      return {
        what: `constant C${c}`,
        apply: (q: Pipeline) => void (q.consts[c]! += 1),
        dirty: (q: Pipeline) => downstream(q, (op) => [0, 1, 2].some((k) => q.helperConst[k] === c && reaches(op, k))),
      };
    })(),
    { what: `option version of op${i}`, apply: (q) => void (q.ops[i]!.version += 1), dirty: (q) => downstream(q, (_, j) => j === i) },
    { what: 'package version', apply: (q) => void (q.packageVersion += 1), dirty: (q) => downstream(q, (op) => op.usesPackage) },
    { what: 'comments and formatting', apply: (q) => void (q.style += 1), dirty: () => new Set() },
  ];
  const rawAt = p.ops.flatMap((op, j) => op.inputs.flatMap((input, k) => ('raw' in input ? [[j, k] as const] : [])));
  if (rawAt.length > 0) {
    const [j, k] = rawAt[pick(rawAt.length)]!;
    kinds.push({
      what: `raw input ${k + 1} of op${j}`,
      apply: (q) => void ((q.ops[j]!.inputs[k] as { raw: number }).raw += 1),
      dirty: (q) => downstream(q, (_, m) => m === j),
    });
  }
  return kinds[pick(kinds.length)]!;
}

/** Writes the workspace, bundles main.ts as the runner does, and evaluates it with and without the cache. */
async function evaluate(dir: string, p: Pipeline, cacheDir: string, run: number) {
  writeFileSync(join(dir, 'helpers.ts'), helpersText(p));
  // The package's code changes with its version (a new file, so that this process loads it afresh).
  const pkg = join(dir, 'node_modules', 'fakepkg');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, `v${p.packageVersion}.mjs`), `export function scale(x) { return x * ${p.packageVersion}; }\n`);
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'fakepkg', version: `1.0.${p.packageVersion}`, type: 'module', main: `v${p.packageVersion}.mjs` }),
  );
  writeFileSync(join(dir, 'main.ts'), mainText(p));
  const { transform, fingerprints } = fingerprintingTransform(nodeFingerprintHost);
  const out = join(dir, 'out', String(run));
  mkdirSync(out, { recursive: true });
  const bundle = await bundleScript({ file: join(dir, 'main.ts'), libraryPath: LIBRARY, esbuild, transform }, out);
  assert.ok(bundle.ok, JSON.stringify(bundle));
  const results: { value: number; ran: string[]; cached: string[] }[] = [];
  for (const cache of [undefined, new DiskCache({ dir: cacheDir, fingerprints, onDiagnostic: (_op, m) => assert.fail(m) })]) {
    const events: TraceEvent[] = [];
    const host: PyflowHost = {
      captureCallSites: true,
      previewValues: false,
      ...(cache ? { cache } : {}),
      graphCreated: (graph) => void (graph as { subscribe(l: (e: TraceEvent) => void): void }).subscribe((e) => events.push(e)),
    };
    (globalThis as Record<symbol, unknown>)[HOST_SYMBOL] = host;
    try {
      const module = (await import(`${pathToFileURL(bundle.path).href}?${cache ? 'cached' : 'plain'}`)) as { result: number };
      const names = (kind: string) =>
        events
          .filter((e) => e.kind === kind)
          .map((e) => e.uid.replace(/_\d+$/, ''))
          .sort();
      results.push({ value: module.result, ran: names('running'), cached: names('cached') });
    } finally {
      delete (globalThis as Record<symbol, unknown>)[HOST_SYMBOL];
    }
  }
  return { plain: results[0]!, cached: results[1]! };
}

describe('the result cache is never stale', () => {
  for (const seed of [1, 2, 3]) {
    it(`random pipeline ${seed}: after every random edit, cached == uncached, exactly the ops downstream of it run and the inputs they need are read`, async () => {
      const rand = random(seed * 7919);
      const dir = mkdtempSync(join(tmpdir(), 'pyflow-never-stale-'));
      const cacheDir = join(dir, '.pyflow', 'cache');
      try {
        const p = generate(rand);
        const all = ['total', ...p.ops.map((_, i) => `op${i}`)].sort();
        const first = await evaluate(dir, p, cacheDir, 0);
        assert.deepEqual(first.cached, { value: first.plain.value, ran: all, cached: [] });
        for (let step = 1; step <= 8; step++) {
          const edit = randomEdit(p, rand);
          edit.apply(p);
          const dirty = edit.dirty(p);
          const ran = dirty.size > 0 ? [...[...dirty].map((i) => `op${i}`), 'total'].sort() : [];
          const { plain, cached } = await evaluate(dir, p, cacheDir, step);
          assert.deepEqual(
            { edit: edit.what, value: cached.value, ran: cached.ran, cached: cached.cached },
            { edit: edit.what, value: plain.value, ran, cached: readOps(p, dirty) },
          );
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
