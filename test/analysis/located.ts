import assert from 'node:assert/strict';
import type { ExtractResult } from '../../src/protocol/index.js';

/** Every diagnostic names the file and a range inside the text (1-based lines and columns, end after start). */
export function assertLocated(result: ExtractResult, text: string, what: string): void {
  const lines = text.split(/\r?\n|\r|\u2028|\u2029/);
  const inText = (line: number, column: number) => line >= 1 && line <= lines.length && column >= 1 && column <= lines[line - 1]!.length + 1;
  for (const d of result.diagnostics) {
    const r = d.range;
    const where = `${what}: ${JSON.stringify(d)}`;
    assert.ok(d.message.length > 0, where);
    assert.equal(r.file, result.file, where);
    assert.ok(inText(r.line, r.column), where);
    if (r.endLine !== undefined) {
      assert.ok(inText(r.endLine, r.endColumn ?? 1), where);
      assert.ok(r.endLine > r.line || (r.endLine === r.line && (r.endColumn ?? 1) >= r.column), where);
    }
  }
}
