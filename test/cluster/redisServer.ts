import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../waitFor.js';

/*
 * A real redis-server for one test file: on a free loopback port, its files in a temporary directory, nothing saved to
 * disk, stopped (and its directory deleted) by `stop()`. `.ci/redis.sh` installs it (Debian's redis-server) when missing.
 */

export interface RedisServer {
  readonly port: number;
  /** redis://[:password@]127.0.0.1:port (rediss:// with TLS) */
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

function redisServerPath(): string {
  const found = spawnSync('bash', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  const installed = spawnSync('bash', [join(__dirname, '..', '..', '.ci', 'redis.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (installed.status !== 0) throw new Error('redis-server is not installed and .ci/redis.sh could not install it (see its output above)');
  return installed.stdout.trim();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether something on `port` answers a PING as Redis does (+PONG, or -NOAUTH when it wants a password). */
function answersPing(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls ? connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false }) : createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * `tls`: PEM files of a certificate and its key; the server then takes TLS connections only (`rediss://`), and does
 * not ask clients for certificates.
 */
export async function startRedis(
  options: { password?: string; port?: number; args?: string[]; tls?: { cert: string; key: string } } = {},
): Promise<RedisServer> {
  const binary = redisServerPath();
  const dir = mkdtempSync(join(tmpdir(), 'pyflow-redis-'));
  const port = options.port ?? (await freePort());
  const ports = options.tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [...ports, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'];
  if (options.password) args.push('--requirepass', options.password);
  if (options.args) args.push(...options.args);
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(`redis-server on port ${port} to answer PING`, async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}: ${stderr}`);
    return answersPing(port, options.tls !== undefined);
  });
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
