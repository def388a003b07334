import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';

/*
 * The extension-host suite: runs inside a desktop VS Code started by test/desktop/run.ts (@vscode/test-electron), with
 * the real `vscode` API. VS Code calls `run()` and counts the run failed if it rejects.
 */

const EXAMPLES = join(process.env.PYFLOW_REPO ?? process.cwd(), 'examples');

const tests: [string, () => Promise<void>][] = [
  [
    'the extension activates on a TypeScript file and registers its commands',
    async () => {
      await vscode.window.showTextDocument(vscode.Uri.file(join(EXAMPLES, 'quickstart.ts')));
      const extension = vscode.extensions.getExtension('pyflow-dev.pyflow');
      assert.ok(extension, 'pyflow-dev.pyflow is loaded');
      await extension.activate();
      const commands = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('pyflow.')).sort();
      assert.deepEqual(commands, ['pyflow.evaluateHere', 'pyflow.graph.find', 'pyflow.runGraph', 'pyflow.showGraph', 'pyflow.showLog', 'pyflow.stop']);
    },
  ],
  [
    'Evaluate here is offered above each add call of the quickstart',
    async () => {
      const uri = vscode.Uri.file(join(EXAMPLES, 'quickstart.ts'));
      const lenses = await waitFor('the CodeLenses', async () => {
        const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
        return found.length === 3 ? found : undefined;
      });
      assert.deepEqual(
        lenses.map((l) => [l.range.start.line + 1, l.command?.title]),
        [
          [9, 'Evaluate here'],
          [10, 'Evaluate here'],
          [11, 'Evaluate here'],
        ],
      );
    },
  ],
  [
    'Show Graph opens the graph view beside the editor',
    async () => {
      await vscode.commands.executeCommand('pyflow.showGraph');
      const tab = await waitFor('the graph view tab', async () =>
        vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('pyflow.graph')),
      );
      assert.equal(tab.label, 'Pyflow graph');
    },
  ],
];

/** Polls until `check` gives a value (VS Code does its work asynchronously), for at most 60 s. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const value = await check();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function run(): Promise<void> {
  const failed: string[] = [];
  for (const [name, test] of tests) {
    try {
      await test();
      console.log(`✔ ${name}`);
    } catch (error) {
      failed.push(name);
      console.log(`✖ ${name}\n${(error as Error).stack ?? String(error)}`);
    }
  }
  console.log(`desktop suite: ${tests.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length > 0) throw new Error(`${failed.length} desktop test(s) failed: ${failed.join('; ')}`);
}
