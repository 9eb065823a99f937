import { defineWorkflow } from '../../platform/temporal/contract';

/** bench:orders' yardstick workflow (baseline.workflow.ts): as many activities as an order runs. */
export const baselineWorkflow = defineWorkflow<[{ regular: number; local: number }], void>()(
  'baseline',
  (i: number) => `baseline-${i}`,
);
