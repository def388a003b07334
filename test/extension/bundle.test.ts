import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * Activating the extension must not load the TypeScript compiler: every user who opens a TypeScript file
 * activates it. The compiler lives in dist/extractor.js, which the extension loads when a file uses pyflow.
 * A diagnostic key of the compiler marks it (string literals survive minification).
 */

const DIST = resolve(__dirname, '..', '..', 'dist');
const TYPESCRIPT_MARKER = 'Unterminated_string_literal';

describe('extension bundle', () => {
  it('dist/extension.js does not contain the TypeScript compiler; dist/extractor.js does', () => {
    const extension = readFileSync(join(DIST, 'extension.js'), 'utf8');
    assert.equal(extension.includes(TYPESCRIPT_MARKER), false, 'the extension bundle contains the TypeScript compiler');
    assert.ok(extension.length < 500_000, `dist/extension.js is ${extension.length} bytes: what made it grow?`);
    assert.ok(readFileSync(join(DIST, 'extractor.js'), 'utf8').includes(TYPESCRIPT_MARKER), 'the marker identifies the compiler');
  });
});
