import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { extractGraph } from '../../src/analysis/extractGraph.js';
import { refineWithTypes } from '../../src/analysis/refineWithTypes.js';
import { comparable, runtimeGraphs } from './runtimeGraphs.js';

/*
 * Code whose graph the extractor cannot know (issue 17, item 19): each script in flagged/ is run, and every
 * static node that differs from the runtime's must be flagged `dynamic`, with a diagnostic on each line
 * marked `// flagged: <regular expression of its message>`.
 */

const FLAGGED = join(__dirname, 'flagged');

type Comparable = ReturnType<typeof comparable>;

/** Static nodes that are not flagged but differ from the runtime's (fields or incoming edges). */
function unflaggedDifferences(stat: Comparable, dynamic: Set<string>, runtime: Comparable | undefined): string[] {
  const incoming = (g: Comparable, uid: string) => g.edges.filter((e) => e.endsWith(` -> ${uid}`));
  return stat.nodes
    .filter((node) => {
      const uid = node.uid as string;
      if (dynamic.has(uid)) return false;
      const twin = runtime?.nodes.find((n) => n.uid === uid);
      return !twin || JSON.stringify(twin) !== JSON.stringify(node) || JSON.stringify(incoming(runtime!, uid)) !== JSON.stringify(incoming(stat, uid));
    })
    .map((n) => String(n.uid));
}

describe('what the extractor cannot know is flagged, never drawn silently wrong', () => {
  const files = readdirSync(FLAGGED)
    .filter((f) => /\.ts$/.test(f))
    .sort();
  for (const name of files) {
    it(name, async () => {
      const file = join(FLAGGED, name);
      const text = readFileSync(file, 'utf8');
      const quick = extractGraph(text, file);
      const result = refineWithTypes(text, file, quick) ?? quick;
      const runtime = (await runtimeGraphs(file)).map(comparable);
      const stat = result.graphs.map(comparable);
      assert.notDeepEqual(stat, runtime, 'the fixture shows a case the static graph cannot follow');
      for (const [i, graph] of result.graphs.entries()) {
        const dynamic = new Set(graph.nodes.filter((n) => n.dynamic).map((n) => n.uid));
        assert.deepEqual(
          unflaggedDifferences(
            stat[i]!,
            dynamic,
            runtime.find((g) => g.alias === graph.alias),
          ),
          [],
          `graph ${graph.alias}`,
        );
      }
      const expected = text.split('\n').flatMap((line, i) => {
        const marker = /\/\/ flagged: (.*)$/.exec(line);
        return marker ? [{ line: i + 1, pattern: new RegExp(marker[1]!) }] : [];
      });
      assert.ok(expected.length > 0);
      for (const { line, pattern } of expected) {
        const found = result.diagnostics.filter((d) => d.range.line === line && pattern.test(d.message));
        assert.equal(found.length, 1, `line ${line}: ${pattern} in ${JSON.stringify(result.diagnostics, null, 1)}`);
      }
    });
  }
});
