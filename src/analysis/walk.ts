import { ts } from 'ts-morph';

/*
 * Tree walks without recursion: a syntax tree can be deeper than the call stack (a chain of 100,000 `+`
 * is one level of brackets but 100,000 levels of nodes).
 */

/** Visits `root` and the nodes under it in source order; `visit` returns false to skip a node's children. */
export function forEachNode(root: ts.Node, visit: (node: ts.Node) => boolean | undefined): void {
  const stack: ts.Node[] = [root];
  const children: ts.Node[] = [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    children.length = 0;
  }
}

/** Whether `test` holds for `root` or a node under it; `descend` says which nodes' children are searched. */
export function someNode(root: ts.Node, test: (node: ts.Node) => boolean, descend: (node: ts.Node) => boolean = () => true): boolean {
  let found = false;
  forEachNode(root, (node) => {
    if (found) return false;
    if (test(node)) {
      found = true;
      return false;
    }
    return descend(node);
  });
  return found;
}
