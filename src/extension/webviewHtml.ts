import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

/** The graph webview's page: strict CSP, one nonce'd script, styles from the extension's own files. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css'));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Pyflow graph</title>
</head>
<body>
<header>
  <vscode-checkbox id="toggle-full" label="Full view (data nodes)">Full view (data nodes)</vscode-checkbox>
  <span id="status" role="status" aria-live="polite"></span>
</header>
<main id="canvas" aria-label="Pyflow graph"></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
