// `npm start`'s last step: serves VS Code (code-server) with dist/pyflow.vsix installed and examples/ open, until
// Ctrl+C, SIGTERM or SIGHUP; then stops code-server's whole process group and deletes its run directory.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO, VSIX, startCodeServer, type CodeServer } from '../test/e2e/codeServer.js';

const port = Number(process.env.PYFLOW_PORT ?? 8080);
let server: CodeServer | undefined;
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (!server) return; // still starting: the start below stops it when it has it
  console.error('\nStopping VS Code…');
  await server.stop();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop());

function portFree(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

try {
  if (!(await portFree()))
    throw new Error(`port ${port} on 127.0.0.1 is in use (another npm start?): stop that, or choose another port with PYFLOW_PORT=8081 npm start`);
  server = await startCodeServer({ workspace: join(REPO, 'examples'), vsix: VSIX, port });
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
// A signal that came while code-server was starting stops it now.
if (stopping) {
  console.error('\nStopping VS Code…');
  await server.stop();
  process.exit(0);
}
console.log(`
Pyflow is running in VS Code at:

  ${server.url}

Open quickstart.ts, click the graph icon in the editor title (Pyflow: Show Graph) or "Evaluate here" above a G.add line.
Extensions: ${server.extensionsDir}
Logs:       ${join(server.userDataDir, 'logs')}
Ctrl+C stops it and deletes ${server.dir}.`);
setInterval(() => undefined, 1 << 30);
