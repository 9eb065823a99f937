import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { allHandlersFinished, condition, defineQuery, defineUpdate, ParentClosePolicy, setHandler, startChild } from '@temporalio/workflow';
import { zonedParts } from '../domain/calendar';
import { acts } from './activities';
import { workflowIds } from './ids';
import { refusal } from './refusal';

export interface SettlementState {
  year: number;
  status: 'waiting_for_books' | 'draft' | 'approved';
  booksClosedBy: string | null;
  computedBy: string | null;
  version: number | null;
}

export const settlementStateQuery = defineQuery<SettlementState>('state');
export const closeBooksUpdate = defineUpdate<SettlementState, [{ by: string }]>('closeBooks');
export const recomputeUpdate = defineUpdate<SettlementState, [{ by: string }]>('recompute');
export const approveUpdate = defineUpdate<SettlementState, [{ by: string }]>('approve');

/** M5: while the books are open, finance is reminded once a week. */
export const BOOKS_REMINDER_INTERVAL = '7 days';

/**
 * The yearly royalty settlement of `year` (id `settlement-{year}`): waits for the year's
 * books to be closed (M5), computes a draft (M2–M6) that finance may recompute, and freezes
 * it on approval by a second finance user (four eyes), then sends each provider its statement.
 */
export async function settlement({ year, by }: { year: number; by: string }): Promise<SettlementState> {
  const state: SettlementState = { year, status: 'waiting_for_books', booksClosedBy: null, computedBy: null, version: null };
  setHandler(settlementStateQuery, () => state);

  const compute = async (who: string) => {
    await acts.computeSettlementDraft(year, who);
    state.status = 'draft';
    state.computedBy = who;
  };

  setHandler(
    closeBooksUpdate,
    async ({ by: who }) => {
      await acts.markBooksClosed(year, who);
      state.booksClosedBy = who;
      await compute(who);
      return state;
    },
    { validator: (_close: { by: string }) => { if (state.booksClosedBy) throw refusal(409, 'books_already_closed', `The books of ${year} are already closed`); } },
  );
  setHandler(
    recomputeUpdate,
    async ({ by: who }) => {
      await compute(who);
      return state;
    },
    { validator: (_recompute: { by: string }) => { if (state.status !== 'draft') throw refusal(409, 'not_a_draft', `The ${year} statement is ${state.status.replace(/_/g, ' ')}; only a draft can be recomputed`); } },
  );
  setHandler(
    approveUpdate,
    async ({ by: who }) => {
      state.version = await acts.approveSettlement(year, who);
      state.status = 'approved';
      await acts.sendProviderStatements(year, state.version);
      return state;
    },
    {
      validator: ({ by: who }) => {
        if (state.status !== 'draft') throw refusal(409, 'not_a_draft', `The ${year} statement is ${state.status.replace(/_/g, ' ')}; only a draft can be approved`);
        if (who === state.computedBy) throw refusal(403, 'four_eyes', 'The statement must be approved by another finance user than the one who ran or last recomputed it');
      },
    },
  );

  await acts.openSettlement(year, by);
  for (let week = 1; !(await condition(() => state.booksClosedBy !== null, BOOKS_REMINDER_INTERVAL)); week++) {
    await acts.emailStaff({ key: `${workflowIds.settlement(year)}:books-reminder-${week}`, role: 'finance', template: 'settlement-books-reminder', data: { year } });
  }
  await condition(() => state.status === 'approved');
  await condition(allHandlersFinished);
  return state;
}

/**
 * Started by the yearly Schedule in January: settles the previous year (Helsinki time).
 * A settlement already started by hand for that year is left as it is.
 */
export async function yearlySettlement(): Promise<number> {
  const year = Number(zonedParts(new Date(), 'Europe/Helsinki').date.slice(0, 4)) - 1;
  try {
    await startChild(settlement, {
      workflowId: workflowIds.settlement(year),
      args: [{ year, by: 'schedule' }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return year;
}
