// Serves VS Code (code-server) with the packaged extension and examples/ open, until Ctrl+C.
import { join } from 'node:path';
import { REPO, startCodeServer } from '../test/e2e/codeServer.js';

const port = Number(process.env.PYFLOW_PORT ?? 8080);
const server = await startCodeServer({ workspace: join(REPO, 'examples'), vsix: join(REPO, 'dist', 'pyflow.vsix'), port });
console.log(`\nPyflow is running in VS Code at:\n\n  ${server.url}\n\nOpen quickstart.ts, click the graph icon (Pyflow: Show Graph) or "Evaluate here". Ctrl+C stops it.`);
const stop = async (): Promise<void> => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
setInterval(() => undefined, 1 << 30);
