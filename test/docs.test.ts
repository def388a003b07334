import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';

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

/** The text of a Markdown file without fenced code blocks (their lines kept as empty lines) and without code spans. */
function prose(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) {
      fence = marker;
      return '';
    }
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return '';
    }
    return line.replace(/(`+)[^`]*?\1/g, ' ');
  });
}

/** The anchors GitHub gives a file's headings (github-slugger, with -1, -2… for repeats). */
function anchorsOf(file: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  let fence = false;
  for (const line of readFileSync(join(REPO, file), 'utf8').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const heading = fence ? undefined : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    // The heading as GitHub renders it: link text without its target, code spans and emphasis without their marks.
    const text = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    anchors.add(slugger.slug(text));
  }
  return anchors;
}

/** Every relative link and image of a Markdown file: `[text](target)`, `![alt](target)`, `[ref]: target`. */
function relativeLinks(file: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  prose(readFileSync(join(REPO, file), 'utf8')).forEach((text, i) => {
    const targets = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...text.matchAll(/^\s*\[[^\]]+\]:\s+(\S+)/g)].map((m) => m[1]!);
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, vscode: …
      links.push({ line: i + 1, target });
    }
  });
  return links;
}

/** What is wrong with a relative link of `file`, or undefined. */
function brokenBecause(file: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#', 2) as [string, string | undefined];
  const linked = path === '' ? file : relative(REPO, resolve(REPO, dirname(file), decodeURIComponent(path)));
  if (linked.startsWith('..')) return 'it leaves the repository';
  if (!existsSync(join(REPO, linked))) return `${linked} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!linked.endsWith('.md')) return `an anchor into ${linked}, which is not Markdown`;
  return anchorsOf(linked).has(decodeURIComponent(anchor)) ? undefined : `${linked} has no heading with the anchor #${anchor}`;
}

describe('docs', () => {
  it('every relative link and anchor in README.md, CONTRIBUTING.md, CHANGELOG.md and docs/*.md resolves', () => {
    const broken = DOCS.flatMap((file) =>
      relativeLinks(file).flatMap(({ line, target }) => {
        const why = brokenBecause(file, target);
        return why === undefined ? [] : [`${file}:${line}: (${target}): ${why}`];
      }),
    );
    assert.deepEqual(broken, []);
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
