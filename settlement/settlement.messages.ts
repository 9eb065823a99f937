import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { defineWorkflow } from '../platform/temporal/contract';

export const SETTLEMENT_STATUSES = ['waiting_for_books', 'draft', 'approved'] as const;
export type SettlementStatus = (typeof SETTLEMENT_STATUSES)[number];

export interface SettlementState {
  /** Set when a step failed on its input and the process stopped (A6); admins are alerted. */
  failure?: string;
  year: number;
  status: SettlementStatus;
  booksClosedBy: string | null;
  computedBy: string | null;
  /** The latest approved version; a correction drafts the next one. */
  version: number | null;
}

export const settlementStateQuery = defineQuery<SettlementState>('state');
export const closeBooksUpdate = defineUpdate<SettlementState, [{ by: string }]>('closeBooks');
export const recomputeUpdate = defineUpdate<SettlementState, [{ by: string }]>('recompute');
export const approveUpdate = defineUpdate<SettlementState, [{ by: string }]>('approve');
export const correctUpdate = defineUpdate<SettlementState, [{ by: string; reason: string }]>('correct');

/** M5: one workflow per settlement year. */
export const settlementWorkflow = defineWorkflow<[{ year: number; by: string }], SettlementState>()(
  'settlement',
  (year: number) => `settlement-${year}`,
);
/** Started by the yearly Schedule; starts the previous year's settlement and answers its year. */
export const yearlySettlementWorkflow = defineWorkflow<[], number>()(
  'yearlySettlement',
  (scheduledRun: string) => scheduledRun,
);
/** The Schedule that starts each January's settlement of the previous year. */
export const YEARLY_SETTLEMENT_SCHEDULE_ID = 'settlement-yearly';
