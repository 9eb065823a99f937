/**
 * Starts the real servers once per test run: embedded PostgreSQL (fresh data folder),
 * the Temporal dev server (in memory), the Java time-skipping test server, and an SMTP
 * receiver that keeps every message as an .eml file. Tests find them through `inject`.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../dev/embedded-postgres';
import { createLogger } from '../../platform/logger';
import { startTemporalDevServer } from '../../dev/temporal-dev-server';
import { ensureTemporalCli, ensureTestServer } from '../../dev/provision';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    /** The time-skipping test server's executable: each test file starts its own (test/support/time-skipping.ts). */
    timeSkippingServer: string;
    smtpPort: number;
    mailDir: string;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Recipients named `reject-once+…@` are refused on their first delivery, to exercise retries. */
function startSmtpReceiver(mailDir: string, port: number): Promise<SMTPServer> {
  const refused = new Set<string>();
  let counter = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('reject-once+') && !refused.has(address.address)) {
        refused.add(address.address);
        return callback(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        counter += 1;
        fs.writeFileSync(path.join(mailDir, `${Date.now()}-${counter}.eml`), Buffer.concat(chunks));
        callback();
      });
    },
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

export default async function setup(project: TestProject) {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn', 'test-setup');
  const say = (line: string) => process.stderr.write(`[test setup] ${line}\n`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kartkontor-test-'));
  fs.chmodSync(root, 0o755);
  const mailDir = path.join(root, 'mail');
  fs.mkdirSync(mailDir);

  const [cli, testServer] = [await ensureTemporalCli(say), await ensureTestServer(say)];
  const [pgPort, devPort, smtpPort] = [await freePort(), await freePort(), await freePort()];

  const [pg, temporal, smtp] = await Promise.all([
    startEmbeddedPostgres({ dataDir: path.join(root, 'postgres'), port: pgPort, log }),
    startTemporalDevServer({ cli, port: devPort, uiPort: null, dbFile: null, namespace: 'default', log }),
    startSmtpReceiver(mailDir, smtpPort),
  ]);
  project.provide('databaseUrl', pg.url);
  project.provide('temporalAddress', temporal.address);
  project.provide('timeSkippingServer', testServer);
  project.provide('smtpPort', smtpPort);
  project.provide('mailDir', mailDir);

  return async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await temporal.stop();
    await pg.stop();
    // As root with a TMPDIR the postgres user cannot enter, the cluster lives elsewhere (dev/embedded-postgres.ts).
    if (pg.dataDir !== path.join(root, 'postgres')) fs.rmSync(pg.dataDir, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  };
}
