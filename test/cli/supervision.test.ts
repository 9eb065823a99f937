import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../setup/global';
import { workflowBundle } from '../support/env';

const root = path.join(import.meta.dirname, '..', '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kartkontor-supervision-'));
let main: ChildProcess;
let output = '';
let port: number;
let pgPort: number;
let temporalPort: number;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms; output:\n${output.slice(-3000)}`);
    if (main.exitCode !== null) throw new Error(`npm start exited (${main.exitCode}); output:\n${output.slice(-3000)}`);
    await sleep(500);
  }
}
const ready = () =>
  fetch(`http://127.0.0.1:${port}/readyz`).then(
    (r) => r.status === 200,
    () => false,
  );
/** The one process of ours whose command line holds every marker: never a broad kill by name. */
function pidOf(...markers: string[]): number {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  const found = lines.filter((l) => markers.every((m) => l.includes(m)));
  expect(found).toHaveLength(1);
  return Number(found[0]!.trim().split(/\s+/)[0]);
}

beforeAll(async () => {
  fs.chmodSync(dataDir, 0o755);
  const bundle = path.join(dataDir, 'workflow-bundle.js');
  fs.writeFileSync(bundle, (await workflowBundle()).code);
  [port, pgPort, temporalPort] = [await freePort(), await freePort(), await freePort()];
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  main = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['app/main.ts'], {
    cwd: root,
    env: {
      ...env,
      DATA_DIR: path.join(dataDir, 'data'),
      PORT: String(port),
      EMBEDDED_POSTGRES_PORT: String(pgPort),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(await freePort()),
      WORKFLOW_BUNDLE: bundle,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  main.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  main.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await until('npm start ready', ready, 240_000);
}, 300_000);
afterAll(() => {
  if (main.exitCode === null) main.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('npm start restarts the Temporal dev server it started when it dies, on the same data, and carries on', async () => {
  const before = pidOf('start-dev', '--port', String(temporalPort), dataDir);
  process.kill(before, 'SIGKILL');
  await until('the Temporal dev server restarted', () => output.includes('the Temporal dev server restarted'), 60_000);
  expect(pidOf('start-dev', '--port', String(temporalPort), dataDir)).not.toBe(before);
  await until('ready again', ready, 60_000);
}, 120_000);

it('npm start restarts the embedded PostgreSQL it started when it dies, and carries on', async () => {
  const before = pidOf('postgres -D', `-p ${pgPort}`);
  process.kill(before, 'SIGKILL');
  await until('PostgreSQL restarted', () => output.includes('embedded PostgreSQL restarted'), 90_000);
  await until('ready again', ready, 60_000);
}, 120_000);

it('SIGTERM stops npm start and everything it started, exit 0', async () => {
  const exited = new Promise<number | null>((resolve) => main.once('exit', (code) => resolve(code)));
  main.kill('SIGTERM');
  expect(await exited).toBe(0);
  await sleep(500);
  const left = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(dataDir) || l.includes(`-p ${pgPort}`));
  expect(left).toEqual([]);
}, 60_000);
