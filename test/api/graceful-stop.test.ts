import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { freePort } from '../setup/global';
import { createTestDatabase } from '../support/env';

const root = path.join(import.meta.dirname, '..', '..');
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let api: ChildProcess;
let port: number;

beforeAll(async () => {
  database = await createTestDatabase();
  port = await freePort();
  // The API as production runs it: its own process, `npm run api`.
  api = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['app/api-main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      PORT: String(port),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  while (
    (await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (Date.now() > deadline || api.exitCode !== null) throw new Error('the API did not start');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});
afterAll(async () => {
  if (api.exitCode === null) api.kill('SIGKILL');
  await database.drop();
});

/** A raw HTTP request whose body is sent in two parts, so it is in flight between them. */
function halfSentLogin() {
  const socket = net.connect(port, '127.0.0.1');
  const body = JSON.stringify({ email: 'nobody@graceful.test.se', password: 'not-the-password' });
  const answer = new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  socket.write(
    `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
  );
  return { finish: () => socket.write(body.slice(10)), answer };
}

it('SIGTERM: the API stops accepting connections, answers the request in flight, then exits 0', async () => {
  const inFlight = halfSentLogin();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const exited = new Promise<number | null>((resolve) => api.once('exit', (code) => resolve(code)));
  api.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));

  // A new connection is refused while the request in flight still waits for the rest of its body.
  const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => 'answered',
    () => 'refused',
  );
  expect(refused).toBe('refused');
  expect(api.exitCode).toBeNull();

  inFlight.finish();
  const answer = await inFlight.answer;
  expect(answer).toMatch(/^HTTP\/1\.1 401 /);
  expect(answer).toContain('"code"');
  expect(await exited).toBe(0);
});
