/**
 * `npm start`: the whole back office on one machine. Starts what is not configured
 * (embedded PostgreSQL without DATABASE_URL, the Temporal dev server without
 * TEMPORAL_ADDRESS), migrates, seeds demo data on the first embedded start, and runs
 * one worker and the API in this process. Ctrl-C stops everything cleanly; data and
 * running workflows are kept under .data/ for the next start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createApp } from './api';
import { seedDemo, type DemoCredentials } from '../dev/demo-seed';
import { seedNetworkOwners } from '../dev/demo-network-owners';
import { listUsers } from '../identity/users.store';
import { loadConfigOrExit } from '../platform/config';
import { EmbeddedPostgresError, startEmbeddedPostgres } from '../dev/embedded-postgres';
import { createLogger } from '../platform/logger';
import { connectRuntime } from './runtime';
import { createServices } from './services';
import { ensurePurgeSchedule } from '../identity/purge-schedule';
import { ensureHandlerDigestSchedule } from '../cases/digest-schedule';
import { ensureInvoiceMailSchedule } from '../invoicing/invoice-mail.schedule';
import { ensureSettlementSchedule } from '../settlement/schedule';
import { ensureDeliveryRetentionSchedule } from '../orders/retention.schedule';
import { startTemporalDevServer } from '../dev/temporal-dev-server';
import { supervise } from '../dev/supervise';
import { createWorker } from './worker';
import { ensureTemporalCli } from '../dev/provision';

const config = loadConfigOrExit();
const log = createLogger(config.LOG_LEVEL, 'main');
const stops: (() => Promise<void>)[] = [];
const say = (line: string) => process.stdout.write(`${line}\n`);

async function start() {
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
  if (config.embeddedPostgres) {
    say(`Starting embedded PostgreSQL (data in ${path.join(config.DATA_DIR, 'postgres')}) …`);
    const startPg = () =>
      startEmbeddedPostgres({
        dataDir: path.join(config.DATA_DIR, 'postgres'),
        port: config.EMBEDDED_POSTGRES_PORT,
        log,
      });
    const pg = supervise('embedded PostgreSQL', await startPg(), startPg, { log, giveUp, halted });
    stops.unshift(pg.stop);
  }
  let temporalUi = "your Temporal cluster's Web UI";
  if (config.embeddedTemporal) {
    const cli = await ensureTemporalCli((line) => say(`[provision] ${line}`));
    say('Starting the Temporal dev server …');
    const startTemporal = () =>
      startTemporalDevServer({
        cli,
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: path.join(config.DATA_DIR, 'temporal.sqlite'),
        namespace: config.TEMPORAL_NAMESPACE,
        log,
      });
    const first = await startTemporal();
    temporalUi = first.uiUrl;
    const temporal = supervise('the Temporal dev server', first, startTemporal, { log, giveUp, halted });
    stops.unshift(temporal.stop);
  }

  const runtime = await connectRuntime(config);
  stops.unshift(runtime.close);
  const services = createServices({ db: runtime.db, temporal: runtime.temporal, config });
  await ensureSettlementSchedule(runtime.temporal, config);
  await ensureDeliveryRetentionSchedule(runtime.temporal, config);
  await ensurePurgeSchedule(runtime.temporal, config);
  await ensureHandlerDigestSchedule(runtime.temporal, config);
  await ensureInvoiceMailSchedule(runtime.temporal, config);

  const worker = await createWorker(config, { db: runtime.db, log });
  const running = worker.run();
  stops.unshift(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });

  const credentialsFile = path.join(config.DATA_DIR, 'demo-credentials.json');
  if (config.embeddedPostgres && (await listUsers(runtime.db)).length === 0) {
    say('First start: seeding demo data …');
    fs.writeFileSync(credentialsFile, JSON.stringify(await seedDemo(services.directory), null, 2));
    await seedNetworkOwners(runtime.db);
  }

  const app = createApp({ config, db: runtime.db, temporal: runtime.temporal, services, log });
  const server = app.listen(config.PORT);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  stops.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));

  say('');
  say('Kartkontor is running:');
  say(`  API            ${config.publicUrl}/api/v1   (ready: ${config.publicUrl}/readyz)`);
  say(`  API docs       ${config.publicUrl}/api/docs`);
  say(`  Temporal UI    ${temporalUi}`);
  say(
    `  E-mail outbox  ${config.SMTP_URL ? `sent to ${config.SMTP_URL.replace(/\/\/[^@]*@/, '//')}; every message is also in ` : ''}${config.publicUrl}/api/v1/outbox (handler or admin)`,
  );
  if (fs.existsSync(credentialsFile) && config.embeddedPostgres) {
    const demo = JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
    say('  Demo users (POST /api/v1/auth/login):');
    for (const u of demo.users) say(`    ${u.role.padEnd(9)} ${u.email} / ${u.password}`);
    say(
      `  Demo system account (POST /oauth2/token): ${demo.systemAccount.clientId} / ${demo.systemAccount.clientSecret}`,
    );
  }
  say('Press Ctrl-C to stop.');
}

/** A supervised server that cannot come back ends the process, non-zero, with one sentence. */
function giveUp(sentence: string) {
  process.stderr.write(`Kartkontor stops: ${sentence}\n`);
  void stop(1);
}

let stopping = false;
const halted = () => stopping;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  say('Stopping …');
  for (const s of stops) {
    try {
      await s();
    } catch (err) {
      log.warn({ err }, 'while stopping');
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

/** What a failed start says: one sentence on what to do; the stack is in the debug log. */
function startFailureAdvice(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (e?.code === 'EADDRINUSE') {
    return `port ${e.port ?? ''} is already in use: stop what uses it, or choose free ports with PORT, EMBEDDED_POSTGRES_PORT, TEMPORAL_DEV_PORT and TEMPORAL_UI_PORT.`;
  }
  if (err instanceof EmbeddedPostgresError) return err.message; // already says what to do
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.replace(/\.$/, '');
  return `${message}; run it again with LOG_LEVEL=debug for the details.`;
}
// Also errors thrown outside start()'s promise chain (e.g. a child process that cannot be
// spawned) end the start this way rather than as an unhandled stack trace.
function startFailed(err: unknown) {
  log.debug({ err }, 'start-up failed');
  if (stopping) return;
  process.stderr.write(`Kartkontor could not start: ${startFailureAdvice(err)}\n`);
  void stop(1);
}
process.on('uncaughtException', startFailed);
process.on('unhandledRejection', startFailed);
start().then(() => {
  process.off('uncaughtException', startFailed);
  process.off('unhandledRejection', startFailed);
}, startFailed);
