import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The graph webview's page: strict CSP, one nonce'd script, styles from the extension's own files; the body is media/webview-body.html. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const elkFallback = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'elk-fallback.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css'));
  const codicons = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'media', 'codicon.css'));
  const previewStyles = [vscode.Uri.joinPath(extensionUri, 'dist', 'media', 'uPlot.min.css'), vscode.Uri.joinPath(extensionUri, 'media', 'preview.css')].map(
    (uri) => webview.asWebviewUri(uri).toString(),
  );
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `img-src ${webview.cspSource} data: blob:`,
    `font-src ${webview.cspSource}`,
    'worker-src blob:',
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${codicons.toString()}" nonce="${nonce}">
<link rel="stylesheet" href="${style.toString()}">
${previewStyles.map((href) => `<link rel="stylesheet" href="${href}">`).join('\n')}
<title>Pyflow graph</title>
</head>
<body>
${readFileSync(join(extensionUri.fsPath, 'media', 'webview-body.html'), 'utf8')}
<script nonce="${nonce}" src="${script.toString()}" data-elk-fallback="${elkFallback.toString()}"></script>
</body>
</html>`;
}
