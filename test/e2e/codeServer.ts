import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GENEROUS_MS, waitFor } from '../waitFor.js';
import { processGroup } from './processes.js';

/*
 * Starts a real VS Code (code-server on Node 24, see shared e2e-vscode.md) with the packaged extension
 * (dist/pyflow.vsix, what users install) and a workspace folder, bound to 127.0.0.1 on a free port. Tools come
 * from .ci/provision.sh (PYFLOW_CODE_SERVER, PYFLOW_NODE24 in the environment).
 */

export const REPO = resolve(__dirname, '..', '..');
export const VSIX = join(REPO, 'dist', 'pyflow.vsix');
/** How long code-server may take to serve its first page on a busy machine. */
const START_DEADLINE_MS = 180_000;

export interface CodeServer {
  url: string;
  port: number;
  /** The run's own directory (config, user data, extensions), deleted by `stop()`. */
  dir: string;
  userDataDir: string;
  extensionsDir: string;
  workspace: string;
  /** Stops code-server's whole process group and deletes the run's directory. */
  stop(): Promise<void>;
  /** The text the extension wrote to its output channel (read from the log file on disk). */
  outputChannel(name: string): string;
}

export const CLEAN_SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.enableExperiments': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'editor.minimap.enabled': false,
  'git.enabled': false,
};

export interface StartOptions {
  workspace: string;
  /** Trust the workspace (default true); false opens it in Restricted Mode. */
  trusted?: boolean;
  /** The .vsix to install (default dist/pyflow.vsix). */
  vsix?: string;
  port?: number;
  /** User settings on top of CLEAN_SETTINGS. */
  extraSettings?: Record<string, unknown>;
}

export function requireTool(name: 'PYFLOW_CODE_SERVER' | 'PYFLOW_NODE24'): string {
  const value = process.env[name];
  if (!value || !existsSync(value)) {
    throw new Error(`${name} is not set or missing: run the tests through \`npm test\` (it provisions code-server and Node 24 via .ci/provision.sh)`);
  }
  return value;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const cs = requireTool('PYFLOW_CODE_SERVER');
  const node24 = requireTool('PYFLOW_NODE24');
  const vsix = options.vsix ?? VSIX;
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: \`npm run package\` makes it (\`npm test\` and \`npm start\` run it first)`);
  const run = mkdtempSync(join(tmpdir(), 'pyflow-cs-'));
  const userDataDir = join(run, 'ud');
  const extensionsDir = join(run, 'ext');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const trusted = options.trusted ?? true;
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      ...CLEAN_SETTINGS,
      'security.workspace.trust.enabled': !trusted,
      ...options.extraSettings,
    }),
  );
  const port = options.port ?? (await freePort());
  writeFileSync(join(run, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = { ...process.env, PATH: `${resolve(node24, '..')}:${process.env.PATH}` };
  try {
    await runToEnd(cs, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix], env);
  } catch (error) {
    rmSync(run, { recursive: true, force: true });
    throw error;
  }
  const args = [
    '--config',
    join(run, 'config.yaml'),
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
  ];
  if (trusted) args.push('--disable-workspace-trust');
  args.push(options.workspace);
  const child = spawn(cs, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.workspace)}`;
  const stop = async (): Promise<void> => {
    await stopGroup(child);
    rmSync(run, { recursive: true, force: true });
  };
  try {
    await waitForPage(url, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    port,
    dir: run,
    userDataDir,
    extensionsDir,
    workspace: options.workspace,
    stop,
    outputChannel: (name) => readOutputChannel(userDataDir, name),
  };
}

async function waitForPage(url: string, child: ChildProcess, log: () => string): Promise<void> {
  try {
    await waitFor(
      `code-server to serve ${url}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode})`);
        try {
          return (await fetch(url)).status === 200;
        } catch {
          return false; // not listening yet
        }
      },
      START_DEADLINE_MS,
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; its output:\n${log()}`);
  }
}

/** Stops every process of the group (code-server, its extension host, language servers): SIGTERM, then SIGKILL. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pgid, signal);
    } catch {
      // the group is empty already
    }
  };
  const emptied = (deadlineMs: number) => waitFor(`code-server's process group ${pgid} to end`, () => processGroup(pgid).length === 0, deadlineMs);
  signalGroup('SIGTERM');
  try {
    await emptied(15_000);
  } catch {
    signalGroup('SIGKILL');
    await emptied(GENEROUS_MS);
  }
}

function runToEnd(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${out}`))));
  });
}

/** The output channel's log file: <user-data-dir>/logs/<ts>/exthost<N>/output_logging_<ts>/<n>-<name>.log. */
function readOutputChannel(userDataDir: string, name: string): string {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(`-${name}.log`)) texts.push(readFileSync(path, 'utf8'));
    }
  };
  const logs = join(userDataDir, 'logs');
  if (existsSync(logs)) walk(logs);
  return texts.join('\n');
}
