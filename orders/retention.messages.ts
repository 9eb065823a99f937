import { defineWorkflow } from '../platform/temporal/contract';

/** G10: started daily by its Schedule; removes the files of deliveries past `lagringstid`. */
export const deliveryRetentionWorkflow = defineWorkflow<[], { deliveries: number; files: number }>()(
  'deliveryRetention',
  (scheduledRun: string) => scheduledRun,
);
/** The Schedule that runs the retention purge every night. */
export const DELIVERY_RETENTION_SCHEDULE_ID = 'delivery-retention-daily';
