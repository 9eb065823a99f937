import type { WorkflowGateway } from '../platform/temporal/gateway';
import {
  approveUpdate,
  closeBooksUpdate,
  correctUpdate,
  recomputeUpdate,
  settlementWorkflow,
} from './settlement.messages';

/** What finance does to a year's settlement (M5, M6), carried out by its workflow. */
export const SETTLEMENT_ACTIONS = {
  'close-books': closeBooksUpdate,
  recompute: recomputeUpdate,
  approve: approveUpdate,
} as const;
export type SettlementAction = keyof typeof SETTLEMENT_ACTIONS;

export type SettlementService = ReturnType<typeof createSettlementService>;

/** The settlement's use cases that go through its workflow: starting a year, its steps, a correction. */
export function createSettlementService(deps: { workflows: WorkflowGateway }) {
  const { workflows } = deps;
  return {
    /** Starts the settlement of a year now (the January schedule does it too); answers its workflow id. */
    start: (year: number, by: string) => workflows.start(settlementWorkflow, year, { year, by }),
    /** Closes the books, recomputes or approves (four eyes: the workflow refuses the one who computed it). */
    act: (year: number, action: SettlementAction, by: string) =>
      workflows.update(settlementWorkflow.workflowId(year), SETTLEMENT_ACTIONS[action], { by }),
    /** M6: a correction drafts a new version with its reason; approved versions stay as they are. */
    correct: (year: number, by: string, reason: string) =>
      workflows.update(settlementWorkflow.workflowId(year), correctUpdate, { by, reason }),
  };
}
