import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';

/* Relative links in Markdown, checked as GitHub renders them: files that exist, anchors that are headings' slugs. */

/** The text of a Markdown file without fenced code blocks (their lines kept as empty lines) and without code spans. */
export function prose(text: string): string[] {
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
function anchorsOf(root: string, file: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  let fence = false;
  for (const line of readFileSync(join(root, file), 'utf8').split('\n')) {
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
function relativeLinks(root: string, file: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  prose(readFileSync(join(root, file), 'utf8')).forEach((text, i) => {
    const targets = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...text.matchAll(/^\s*\[[^\]]+\]:\s+(\S+)/g)].map((m) => m[1]!);
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, vscode: …
      links.push({ line: i + 1, target });
    }
  });
  return links;
}

/** What is wrong with a relative link of `file`, or undefined. */
function brokenBecause(root: string, file: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#', 2) as [string, string | undefined];
  const linked = path === '' ? file : relative(root, resolve(root, dirname(file), decodeURIComponent(path)));
  if (linked.startsWith('..')) return `it leaves ${root}`;
  if (!existsSync(join(root, linked))) return `${linked} does not exist`;
  if (anchor === undefined || anchor === '') return undefined;
  if (!linked.endsWith('.md')) return `an anchor into ${linked}, which is not Markdown`;
  return anchorsOf(root, linked).has(decodeURIComponent(anchor)) ? undefined : `${linked} has no heading with the anchor #${anchor}`;
}

/**
 * The relative links and images of Markdown files (paths relative to `root`) whose file is missing, or whose anchor
 * is no heading's: `file:line: (target): why`.
 */
export function brokenLinks(root: string, files: readonly string[]): string[] {
  return files.flatMap((file) =>
    relativeLinks(root, file).flatMap(({ line, target }) => {
      const why = brokenBecause(root, file, target);
      return why === undefined ? [] : [`${file}:${line}: (${target}): ${why}`];
    }),
  );
}
