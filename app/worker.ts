import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type LogLevel,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import type { Db } from '../platform/db';
import type { Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import { temporalConnectionOptions } from '../platform/temporal/connection';
import { DEMO_SOURCE_VERSION, ensureDemoSources } from '../dev/demo-source';
import { retentionDays } from '../orders/retention';
import { sellerOf } from '../invoicing/invoice-document';

export const WORKFLOWS_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'workflows.ts');

let runtimeInstalled = false;

/**
 * The SDK logs through our pino logger (structured, one format), and leaves signal
 * handling to the entry point, which stops the worker in its own order.
 */
function installRuntime(log: Logger, metricsAddress: string | undefined) {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  const sdkLog = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    shutdownSignals: [],
    // The SDK's own worker metrics (task slots, poll and schedule latencies) for Prometheus to scrape.
    ...(metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } } : {}),
    logger: new DefaultLogger('INFO', (entry) => sdkLog[levels[entry.level]]({ ...entry.meta }, entry.message)),
  });
}

/** G7: the product sources: PRODUCT_SOURCE_DIR, or the demo sources generated under DATA_DIR. */
export const productSourceDir = (config: Config) =>
  config.PRODUCT_SOURCE_DIR ?? path.join(config.DATA_DIR, 'product-sources', DEMO_SOURCE_VERSION);

/** The activities' dependencies as the configuration names them. */
export function activityDeps(config: Config, db: Db, log: Logger): ActivityDeps {
  return {
    db,
    smtpUrl: config.SMTP_URL,
    mailFrom: config.MAIL_FROM,
    deliveryDir: path.join(config.DATA_DIR, 'deliveries'),
    productSourceDir: productSourceDir(config),
    retentionDays: retentionDays(config),
    seller: sellerOf(config),
    log,
  };
}

/**
 * One worker on the configured task queue with every workflow and activity registered. The
 * workflow code is the given bundle, else WORKFLOW_BUNDLE, else bundled now (webpack, in this
 * process: slower to start and a larger process for good).
 */
export async function createWorker(
  config: Config,
  deps: { db: Db; log: Logger },
  bundle?: WorkflowBundleOption,
): Promise<Worker> {
  installRuntime(deps.log, config.WORKER_METRICS_ADDRESS);
  if (!config.PRODUCT_SOURCE_DIR) ensureDemoSources(productSourceDir(config));
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(bundle
      ? { workflowBundle: bundle }
      : config.WORKFLOW_BUNDLE
        ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE } }
        : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(activityDeps(config, deps.db, deps.log)),
    // On shutdown (SIGTERM) activities in flight get this long to finish before they are cancelled;
    // a cancelled one is retried on another worker, harmlessly, as every activity is idempotent.
    shutdownGraceTime: '30 seconds',
  });
}
