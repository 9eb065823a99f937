import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

const retry = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' };

/**
 * The activities of type `A` as a workflow sees them; each workflow names the activity types it
 * calls (its own context's, the outbox's, …), so it compiles against nothing else.
 */
export function activityProxies<A>() {
  return {
    /** Side effects retry with backoff; each is idempotent under a key the workflow derives from its own id, so a retry never doubles. */
    acts: proxyActivities<A>({ startToCloseTimeout: '1 minute', retry }),
    /** Work that takes long (files, a whole settlement's calculation or e-mails): heartbeating, so a lost worker is noticed, with time to finish. */
    longActs: proxyActivities<A>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '2 minutes', retry }),
    /**
     * The same short steps (database records, single e-mails) as local activities: they run in the
     * worker inside the workflow task, without a round trip of their own through the Temporal
     * server, whose task rate is what limits an order's throughput. Only for a workflow's main flow,
     * one step after another: replay meets local activities by their results' markers, and steps
     * taken side by side or from an update handler while the main flow goes on can come back in
     * another order than they ran (a nondeterminism error). A rerun after a worker crash is
     * harmless, as each step is idempotent under its key.
     */
    steps: proxyLocalActivities<A>({ startToCloseTimeout: '1 minute', retry }),
  };
}
