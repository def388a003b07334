import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { defaultCacheDir } from '../cache/defaultDir.js';

/** The result cache of a script: `.pyflow/cache` in its workspace folder (or beside it, outside any folder). */
export function cacheDirFor(uri: vscode.Uri): string {
  return defaultCacheDir(vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? dirname(uri.fsPath));
}

/** The caches of every open workspace folder. */
export function workspaceCacheDirs(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((folder) => defaultCacheDir(folder.uri.fsPath));
}
