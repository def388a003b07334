import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import { usageLine } from '../src/cli/command.js';
import { cacheCommand } from '../src/cli/cacheCommand.js';
import { clusterCommand, workerCommand } from '../src/cli/cluster.js';
import { graphCommand } from '../src/cli/graph.js';
import { runCommand } from '../src/cli/runCommand.js';
import { brokenLinks, prose } from './markdownLinks.js';

/* The docs agree with what they describe: every setting and command, every relative link and anchor. */

const REPO = resolve(__dirname, '..');

interface Contributes {
  commands: { command: string; title: string; category?: string }[];
  configuration: { properties: Record<string, unknown> } | { properties: Record<string, unknown> }[];
  menus: { commandPalette: { command: string; when?: string }[] };
}

const contributes = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { contributes: Contributes }).contributes;

/** The user-facing documents: the README, the extension's details page, CONTRIBUTING, CHANGELOG and docs/. */
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  ...readdirSync(join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('docs', () => {
  it('every relative link and anchor in README.md, CONTRIBUTING.md, CHANGELOG.md and docs/*.md resolves', () => {
    assert.deepEqual(brokenLinks(REPO, DOCS), []);
  });

  it('a link to a missing file, a missing anchor or out of the root is reported with its line', () => {
    const root = mkdtempSync(join(tmpdir(), 'pyflow-links-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'b.md'), '# B\n\n## Using `get()`\n');
    writeFileSync(
      join(root, 'a.md'),
      '# A\n[ok](docs/b.md#using-get) [self](#a) [gone](c.md)\n[bad](docs/b.md#get)\n`[code](d.md)`\n![img](e.png) [out](../x.md)\n',
    );
    const broken = brokenLinks(root, ['a.md']);
    rmSync(root, { recursive: true });
    assert.deepEqual(broken, [
      'a.md:2: (c.md): c.md does not exist',
      'a.md:3: (docs/b.md#get): docs/b.md has no heading with the anchor #get',
      'a.md:5: (e.png): e.png does not exist',
      `a.md:5: (../x.md): it leaves ${root}`,
    ]);
  });

  it("anchors are GitHub's slugs of the headings, and links are read outside code", () => {
    const slugger = new GithubSlugger();
    assert.deepEqual(
      ['Cache (npm run bench -- cache)', 'Using a worker pool', 'Writing an executor (the Executor interface)', 'Using a worker pool'].map((h) =>
        slugger.slug(h),
      ),
      ['cache-npm-run-bench----cache', 'using-a-worker-pool', 'writing-an-executor-the-executor-interface', 'using-a-worker-pool-1'],
    );
    assert.deepEqual(prose('a [x](a.md) `[y](b.md)` b\n```\n[z](c.md)\n```\n![i](d.png)'), ['a [x](a.md)   b', '', '', '', '![i](d.png)']);
  });

  for (const file of ['README.md', 'docs/cli.md']) {
    it(`${file}'s synopsis of the CLI is each command's usage line, as --help prints it`, () => {
      const text = readFileSync(join(REPO, file), 'utf8');
      const block = /```sh\n(pyflow graph [\s\S]*?)```/.exec(text)?.[1] ?? '';
      assert.deepEqual(
        block.split('\n').filter((line) => /^pyflow [a-z]/.test(line) && !line.startsWith('pyflow COMMAND')),
        [graphCommand, runCommand, cacheCommand, workerCommand, clusterCommand].map(usageLine),
      );
    });
  }

  const settings = [contributes.configuration].flat().flatMap((c) => Object.keys(c.properties));
  // A command hidden from the palette (Evaluate Here: the CodeLens's) is named by its title, the others as the palette shows them.
  const hidden = new Set(contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command));
  const commands = contributes.commands.map((c) => (hidden.has(c.command) ? c.title : `${c.category ?? 'Pyflow'}: ${c.title}`));

  for (const file of ['README.md', 'docs/extension.md', 'docs/extension-readme.md']) {
    it(`${file} names every setting and command of package.json`, () => {
      const text = readFileSync(join(REPO, file), 'utf8');
      const plain = text.toLowerCase().replace(/[*_]/g, '').replace(/\s+/g, ' '); // **Pyflow: Run Graph**, *Pyflow:\n Stop*
      assert.deepEqual([...settings.filter((s) => !text.includes(`\`${s}\``)), ...commands.filter((c) => !plain.includes(c.toLowerCase()))], []);
    });
  }
});
