import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

/*
 * Which files of dist/ each CLI command loads: the TypeScript compiler (dist/extractor.js) and the drawing code
 * (dist/cli-graph.js) only for `pyflow graph`. A `--require` hook writes the CommonJS module cache at exit; a
 * diagnostic key of the compiler marks the files that contain it.
 */

const REPO = resolve(__dirname, '..', '..');
const DIST = join(REPO, 'dist');
const QUICKSTART = join(REPO, 'examples', 'quickstart.ts');
const TYPESCRIPT_MARKER = 'Unterminated_string_literal';

const work = mkdtempSync(join(tmpdir(), 'pyflow-cli-loading-'));
const hook = join(work, 'recordLoads.cjs');
writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(process.env.PYFLOW_TEST_LOADS, JSON.stringify(Object.keys(require.cache))));\n`);

function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string; distFiles: string[]; withTypeScript: string[] } {
  const record = join(work, `loads-${Math.random().toString(36).slice(2)}.json`);
  const result = spawnSync(process.execPath, ['--require', hook, join(DIST, 'cli.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env, PYFLOW_TEST_LOADS: record },
  });
  const loaded = JSON.parse(readFileSync(record, 'utf8')) as string[];
  const distFiles = loaded
    .filter((f) => f.startsWith(DIST))
    .map((f) => relative(DIST, f))
    .sort();
  const withTypeScript = distFiles.filter((f) => readFileSync(join(DIST, f), 'utf8').includes(TYPESCRIPT_MARKER));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, distFiles, withTypeScript };
}

describe('CLI start-up', () => {
  it('--help loads the CLI alone: neither the extractor nor the drawing code', () => {
    const { status, stdout, distFiles, withTypeScript } = cli(['--help']);
    assert.equal(status, 0);
    assert.match(stdout, /^usage:\n {2}pyflow graph FILE/);
    assert.deepEqual({ distFiles, withTypeScript }, { distFiles: ['cli-main.js', 'cli.js'], withTypeScript: [] });
  });

  it('run bundles and runs the script with esbuild, without loading the extractor', () => {
    const { status, stdout, stderr, distFiles, withTypeScript } = cli(['run', QUICKSTART]);
    assert.equal(status, 0, stderr);
    assert.equal(stdout, '11\n');
    assert.deepEqual({ distFiles, withTypeScript }, { distFiles: ['cli-main.js', 'cli.js', 'esbuild/lib/main.js'], withTypeScript: [] });
  });

  it('graph loads the extractor and the drawing code, and answers', () => {
    const { status, stdout, stderr, distFiles, withTypeScript } = cli(['graph', QUICKSTART, '--format', 'json']);
    assert.equal(status, 0, stderr);
    assert.deepEqual(
      (JSON.parse(stdout) as { graphs: { alias: string }[] }).graphs.map((g) => g.alias),
      ['quickstart'],
    );
    assert.deepEqual({ distFiles, withTypeScript }, { distFiles: ['cli-graph.js', 'cli-main.js', 'cli.js', 'extractor.js'], withTypeScript: ['extractor.js'] });
  });
});
