/**
 * `npm run worker`: one Temporal worker, configured only through the environment.
 * Run as many as the load needs, on as many machines; they share the task queue.
 */
import { createDb, migrateLatest } from './db/knex';
import { loadConfigOrExit } from './lib/config';
import { createLogger } from './lib/logger';
import { createWorker } from './lib/worker';

const config = loadConfigOrExit();
const log = createLogger(config.LOG_LEVEL, 'worker');
const db = createDb(config.databaseUrl);
await migrateLatest(db);
const worker = await createWorker(config, { db, log });
const stop = () => {
  if (worker.getState() === 'RUNNING') worker.shutdown();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.temporalAddress }, 'worker running');
await worker.run();
await db.destroy();
