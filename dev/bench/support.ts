/**
 * What the benchmarks share: free ports, a temporary folder with PostgreSQL and the Temporal
 * dev server in it, child processes whose peak memory is read from Linux's /proc, and a
 * clean stop that leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type { Db } from '../../platform/db';
import { createDirectory } from '../../identity/directory.service';
import { startEmbeddedPostgres } from '../embedded-postgres';
import { createLogger } from '../../platform/logger';
import { startTemporalDevServer } from '../temporal-dev-server';
import { buildWorkflowBundle } from '../build-workflows';
import { ensureTemporalCli } from '../provision';
import type { Language } from '../../domain/vocabulary';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const say = (line: string) => process.stdout.write(`${line}\n`);
export const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
export const check = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/** The p-th percentile of ascending figures. */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Runs `task(i)` for every i < n, at most `limit` at a time. */
export async function pool(n: number, limit: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** A process's memory figure from /proc in MiB (Linux), null elsewhere. */
const memoryMiB = (pid: number, field: 'VmHWM' | 'VmRSS') => {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
};
/**
 * CPU seconds this benchmark's processes have used so far, by role: the given child processes
 * by name, the Temporal dev server, PostgreSQL (with its ended backends) and the benchmark
 * itself. Read from Linux's /proc; only the benchmark's own figure elsewhere.
 */
export function cpuSeconds(named: Record<string, ChildProcess>): Record<string, number> {
  const ticksPerSecond = 100; // USER_HZ, 100 on every Linux Node runs on
  const processes = new Map<number, { comm: string; ppid: number; own: number; reaped: number }>();
  for (const entry of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .map(Number); // f[0] is field 3 of proc(5)
      processes.set(Number(entry), {
        comm,
        ppid: f[1]!,
        own: (f[11]! + f[12]!) / ticksPerSecond,
        reaped: (f[13]! + f[14]!) / ticksPerSecond,
      });
    } catch {
      // The process ended while being read.
    }
  }
  const roleOf = new Map(Object.entries(named).map(([name, child]) => [child.pid, name]));
  const usage = process.cpuUsage();
  const totals: Record<string, number> = { benchmark: (usage.user + usage.system) / 1e6 };
  const descends = (pid: number): boolean =>
    pid === process.pid || (pid > 1 && processes.has(pid) && descends(processes.get(pid)!.ppid));
  for (const [pid, p] of processes) {
    if (pid === process.pid || !descends(p.ppid)) continue;
    const role = roleOf.get(pid) ?? (p.comm === 'temporal' ? 'temporal' : p.comm === 'postgres' ? 'postgres' : 'other');
    // The postmaster's reaped children are the backends of connections already closed.
    const reaped = p.comm === 'postgres' && processes.get(p.ppid)?.comm !== 'postgres' ? p.reaped : 0;
    totals[role] = (totals[role] ?? 0) + p.own + reaped;
  }
  return totals;
}

/** Milliseconds of CPU per item between two `cpuSeconds` readings, by role, most first, and their sum. */
export function cpuPerItem(before: Record<string, number>, after: Record<string, number>, items: number) {
  const ms = Object.entries(after)
    .map(([role, s]) => [role, ((s - (before[role] ?? 0)) * 1000) / items] as const)
    .filter(([, v]) => v >= 0.05);
  ms.sort((a, b) => b[1] - a[1]);
  return `${ms.map(([role, v]) => `${role} ${v.toFixed(1)}`).join(', ')}; total ${ms.reduce((sum, [, v]) => sum + v, 0).toFixed(1)} ms`;
}

/** Peak resident memory of a process over its life. */
export const peakMemoryMiB = (pid: number) => memoryMiB(pid, 'VmHWM');
/** Resident memory of a process now. */
export const residentMemoryMiB = (pid: number) => memoryMiB(pid, 'VmRSS');

/** `--profile DIR` on a benchmark's command line: its child processes write V8 CPU profiles there. */
const profileArgs = () => {
  const i = process.argv.indexOf('--profile');
  return i > 0 ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.argv[i + 1]!)}`] : [];
};

/** A TypeScript entry point of this repository as a child process of its own (its memory is its own). */
export function startChild(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [...profileArgs(), '--import', 'tsx', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code) => code && code !== 0 && say(`${args.join(' ')} exited with ${code}`));
  return child;
}

/**
 * Runs a benchmark against fresh embedded PostgreSQL and Temporal dev servers in a temporary
 * folder; `stops` run last to first, also when the benchmark fails. Exits 1 on failure.
 */
export async function runBenchmark(
  name: string,
  body: (servers: { env: NodeJS.ProcessEnv; stops: (() => Promise<unknown>)[] }) => Promise<void>,
) {
  const log = createLogger('warn', name);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `kartkontor-${name}-`));
  // Run as root, PostgreSQL runs as the postgres user, who must reach its data folder.
  fs.chmodSync(dataDir, 0o755);
  const stops: (() => Promise<unknown>)[] = [];
  let code = 0;
  try {
    const [pgPort, temporalPort, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: pgPort, log });
    stops.unshift(pg.stop);
    const temporal = await startTemporalDevServer({
      cli: await ensureTemporalCli(() => {}),
      port: temporalPort,
      uiPort: null,
      dbFile: null,
      namespace: 'default',
      log,
    });
    stops.unshift(temporal.stop);
    const env = {
      ...process.env,
      DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(pgPort),
      TEMPORAL_DEV_PORT: String(temporalPort),
      PORT: String(apiPort),
      LOG_LEVEL: 'warn',
      SMTP_URL: '',
    };
    await body({ env, stops });
  } catch (err) {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : JSON.stringify(err)}\n`);
    code = 1;
  }
  for (const stop of stops) await stop().catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}

/**
 * The back office as production runs it: the API and a worker as child processes of their own,
 * the worker on a workflow bundle built ahead. Resolves once the API answers /readyz.
 */
export async function startBackOfficeProcesses(
  env: NodeJS.ProcessEnv,
  config: { databaseUrl: string; temporalAddress: string; PORT: number },
  stops: (() => Promise<unknown>)[],
  extraEnv: NodeJS.ProcessEnv = {},
) {
  const bundle = await buildWorkflowBundle(path.join(env.DATA_DIR!, 'workflows.js'));
  const childEnv = {
    ...env,
    DATABASE_URL: config.databaseUrl,
    TEMPORAL_ADDRESS: config.temporalAddress,
    WORKFLOW_BUNDLE: bundle,
    ...extraEnv,
  };
  const processes = {
    api: startChild(['app/api-main.ts'], childEnv),
    worker: startChild(['app/worker-main.ts'], childEnv),
  };
  stops.unshift(async () => Object.values(processes).forEach((p) => p.kill('SIGTERM')));
  const base = `http://127.0.0.1:${config.PORT}`;
  for (let ready = false; !ready;) {
    const dead = Object.entries(processes).find(([, p]) => p.exitCode !== null);
    if (dead) throw new Error(`the ${dead[0]} process exited with ${dead[1].exitCode} while starting`);
    ready = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (!ready) await new Promise((r) => setTimeout(r, 200));
  }
  return { processes, base };
}

/**
 * The organisation a benchmark orders for, with one customer user, and one handler: their
 * bearer tokens from the sign-in API.
 */
export async function customerAndHandler(
  db: Db,
  base: string,
  organisation: { name: string; organisationNumber: string; language: Language },
) {
  const directory = createDirectory({ db, welcome: async () => {} });
  const actor = { actorType: 'system' as const };
  const account = await directory.createAccount(
    { kind: 'organisation', email: 'organisation@bench.test', ...organisation },
    actor,
  );
  await directory.createUser(
    { email: 'customer@bench.test', name: 'C', password: 'bench-password-1', role: 'customer', accountId: account.id },
    actor,
  );
  await directory.createUser(
    { email: 'handler@bench.test', name: 'H', password: 'bench-password-1', role: 'handler' },
    actor,
  );
  return {
    customer: await signIn(base, 'customer@bench.test', 'bench-password-1'),
    handler: await signIn(base, 'handler@bench.test', 'bench-password-1'),
  };
}

/** A user's bearer token from the sign-in API. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`signing in ${email} answered ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * Resolves once a worker polls the task queue for workflow tasks, so that a timed phase does
 * not count a worker's start-up.
 */
export async function untilPolled(client: Client, taskQueue: string) {
  for (;;) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: 1,
    });
    if (pollers.length > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
