/**
 * `npm run worker`: one Temporal worker, configured only through the environment.
 * Run as many as the load needs, on as many machines; they share the task queue.
 */
import { loadConfigOrExit } from '../platform/config';
import { createLogger } from '../platform/logger';
import { connectRuntime } from './runtime';
import { ensurePurgeSchedule } from '../identity/purge-schedule';
import { ensureHandlerDigestSchedule } from '../cases/digest-schedule';
import { ensureInvoiceMailSchedule } from '../invoicing/invoice-mail.schedule';
import { ensureSettlementSchedule } from '../settlement/schedule';
import { ensureDeliveryRetentionSchedule } from '../orders/retention.schedule';
import { createWorker } from './worker';

const config = loadConfigOrExit();
const log = createLogger(config.LOG_LEVEL, 'worker');
const runtime = await connectRuntime(config);
// The workers run what the Schedule starts, so they keep it in place (idempotent, M5).
await ensureSettlementSchedule(runtime.temporal, config);
await ensureDeliveryRetentionSchedule(runtime.temporal, config);
await ensurePurgeSchedule(runtime.temporal, config);
await ensureHandlerDigestSchedule(runtime.temporal, config);
await ensureInvoiceMailSchedule(runtime.temporal, config);
const worker = await createWorker(config, { db: runtime.db, log });
const stop = () => {
  if (worker.getState() === 'RUNNING') worker.shutdown();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.temporalAddress }, 'worker running');
await worker.run();
await runtime.close();
