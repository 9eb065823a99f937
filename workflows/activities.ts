import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const retry = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' };

/**
 * Database records and single e-mails, the short steps of every workflow. They run as local
 * activities: in the worker, inside the workflow task, with no round trip of their own through
 * the Temporal server, whose task rate is what limits an order's throughput. Each is idempotent
 * under a key the workflow derives from its own id, so the rerun after a worker crash (a local
 * activity may run again then) or a retry never doubles.
 */
export const acts = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', retry });

/**
 * Work that takes long (files, a whole settlement's calculation or e-mails): regular activities
 * on the task queue, which any worker may take; they heartbeat, so a lost worker is noticed.
 */
export const longActs = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes', retry });
