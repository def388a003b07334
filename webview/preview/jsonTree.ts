import type { JsonNode } from '../../src/protocol/index.js';
import { el } from './dom.js';

/** Levels of the tree open when it is first shown. */
const OPEN_LEVELS = 1;

/**
 * A JSON preview as nested `<details>`: each array and object expands and collapses (click, or Enter / Space on its
 * summary, which the keyboard reaches with Tab). What the runner cut is said where it was cut.
 */
export function renderJsonTree(root: JsonNode): HTMLElement {
  const tree = el('div', 'preview-json');
  tree.append(nodeElement(undefined, root, 0));
  return tree;
}

function nodeElement(key: string | undefined, node: JsonNode, depth: number): HTMLElement {
  if (node.kind === 'value' || node.kind === 'text') {
    const leaf = el('div', 'json-leaf');
    if (key !== undefined) leaf.append(el('span', 'json-key', key), ': ');
    leaf.append(
      node.kind === 'text'
        ? el('span', 'json-text', node.text)
        : el(
            'span',
            `json-${node.value === null ? 'null' : typeof node.value}`,
            typeof node.value === 'string' ? JSON.stringify(node.value) : String(node.value),
          ),
    );
    return leaf;
  }
  const details = el('details', 'json-node');
  details.open = depth < OPEN_LEVELS;
  const summary = el('summary');
  if (key !== undefined) summary.append(el('span', 'json-key', key), ': ');
  const count = node.kind === 'array' ? node.length : node.size;
  const name = node.type ?? (node.kind === 'array' ? 'Array' : 'Object');
  summary.append(el('span', 'json-type', node.kind === 'array' ? `${name}(${count})` : `${name} {${count}}`));
  details.append(summary);
  const children = el('div', 'json-children');
  if (node.kind === 'array') node.items.forEach((item, i) => children.append(nodeElement(String(i), item, depth + 1)));
  else for (const [k, item] of node.entries) children.append(nodeElement(k, item, depth + 1));
  const shown = node.kind === 'array' ? node.items.length : node.entries.length;
  if (shown < count) children.append(el('div', 'json-cut', `… ${count - shown} more not in the preview`));
  details.append(children);
  return details;
}
