import * as vscode from 'vscode';

/** Notifications closer together than this are merged into the first (the output channel gets every one). */
const NOTIFY_GAP_MS = 2000;

/**
 * The extension's one way to report a failure: the full detail goes to the output channel, and the user sees one
 * short notification with a "Show Output" action (at most one per NOTIFY_GAP_MS, so a burst stays one message).
 */
export class ErrorReporter {
  private lastNotifiedAt = -Infinity;

  constructor(private readonly channel: vscode.OutputChannel) {}

  report(summary: string, error: unknown): void {
    this.channel.appendLine(`${summary}\n${detail(error)}`);
    const now = Date.now();
    if (now - this.lastNotifiedAt < NOTIFY_GAP_MS) return;
    this.lastNotifiedAt = now;
    void vscode.window.showErrorMessage(summary, 'Show Output').then((choice) => {
      if (choice) this.channel.show(true);
    });
  }

  /** A failure the extension recovered from (it fell back to another way): the output channel only. */
  note(summary: string, error: unknown): void {
    this.channel.appendLine(`${summary}\n${detail(error)}`);
  }

  /** Runs `task` without awaiting it; a rejection is reported as `summary`. */
  background(summary: string, task: Thenable<unknown>): void {
    task.then(undefined, (error: unknown) => this.report(summary, error));
  }

  /** Registers a command whose failures (throws and rejections) are reported, naming the command. */
  command<A extends unknown[]>(id: string, handler: (...args: A) => unknown): vscode.Disposable {
    return vscode.commands.registerCommand(id, async (...args: A) => {
      try {
        return await handler(...args);
      } catch (error) {
        this.report(`Pyflow: ${id} failed: ${error instanceof Error ? error.message : String(error)}`, error);
        return undefined;
      }
    });
  }
}

function detail(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}
