import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from '../platform/logger';

export interface RunningTemporal {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
  /** Settles when the server process ends, stopped or not (npm start supervises it: dev/supervise.ts). */
  exited: Promise<void>;
  /** The server process's id. */
  pid: number | undefined;
}

/** Waits until the frontend answers a real gRPC call, not just until the port opens. */
export async function waitForTemporal(address: string, timeoutMs: number, exited?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited?.()) throw new Error('the Temporal dev server exited during start-up');
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new Error(`Temporal at ${address} did not become ready: ${String(lastError)}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs `temporal server start-dev` with its SQLite file in `dataDir`, so workflows
 * survive restarts. `dbFile: null` keeps everything in memory (tests).
 */
export async function startTemporalDevServer(opts: {
  cli: string;
  port: number;
  /** null: no Web UI (tests). */
  uiPort: number | null;
  dbFile: string | null;
  namespace: string;
  log: Logger;
}): Promise<RunningTemporal> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    ...(opts.uiPort === null ? ['--headless'] : ['--ui-port', String(opts.uiPort)]),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
  ];
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  const child = spawn(opts.cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const relay = (chunk: Buffer) => opts.log.debug({ temporal: chunk.toString().trim() }, 'temporal dev server');
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
  const address = `127.0.0.1:${opts.port}`;
  try {
    await waitForTemporal(address, 60_000, () => child.exitCode !== null);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  const uiUrl = opts.uiPort === null ? 'disabled' : `http://127.0.0.1:${opts.uiPort}`;
  return { address, uiUrl, stop: () => stopChild(child), exited, pid: child.pid };
}
