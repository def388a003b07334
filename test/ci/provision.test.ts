import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '../waitFor.js';

/*
 * .ci/provision.sh as `npm start` runs it on a fresh machine: a long install says what it is doing while it runs,
 * and a failed one ends with its log's tail and a line naming it. The registry here is a local server that holds
 * npm's first request until progress has been printed, then answers 404, as a registry without the package would.
 */

const REPO = resolve(__dirname, '..', '..');

describe('.ci/provision.sh', () => {
  it('prints progress while an install runs; a failed install ends with a line naming it and its log', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'pyflow-provision-'));
    let stderr = '';
    const requests: string[] = [];
    const registry = createServer((req, res) => {
      requests.push(req.url ?? '');
      void waitFor('a progress line', () => /: \d+ s, fetching packages;/.test(stderr)).then(() => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"Not found"}');
      });
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    try {
      const { port } = registry.address() as { port: number };
      const child = spawn('bash', ['.ci/provision.sh', 'node'], {
        cwd: REPO,
        env: {
          ...process.env,
          PYFLOW_CACHE: cache,
          PYFLOW_PROGRESS_SECONDS: '1',
          npm_config_registry: `http://127.0.0.1:${port}/`,
          npm_config_fetch_retries: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      const log = join(cache, 'logs', 'node24.log');
      const what = `installing node@24 into ${join(cache, 'node24')}`;
      assert.equal(code, 1);
      assert.equal(stdout, '', 'no env.sh path is printed');
      assert.ok(requests.includes('/node'), `the fake registry was asked for node@24 (asked: ${requests.join(', ')})`);
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines[0], `[provision] ${what} (log: ${log})`);
      const progress = lines.filter((l) => l.startsWith(`[provision] ${what}: `));
      assert.ok(
        progress.every((l) => /: \d+ s, (starting|fetching packages); 0 native modules compiled$/.test(l)),
        progress.join('\n'),
      );
      assert.ok(progress.some((l) => l.includes(', fetching packages;')));
      assert.equal(lines.at(-1), `[provision] FAILED: ${what} (exit status 1; full log: ${log})`);
      // The log's tail comes just before: npm's own error, naming what was not found.
      assert.match(lines.slice(-15).join('\n'), /npm error 404 Not Found - GET http:\/\/127\.0\.0\.1:\d+\/node/);
      assert.match(readFileSync(log, 'utf8'), /npm error 404/);
    } finally {
      registry.close();
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
