import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  ParentClosePolicy,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { zonedParts } from '../domain/calendar';
import { activityProxies } from '../platform/temporal/proxies';
import type { StaffActivities } from '../identity/staff.activities';
import type { SettlementActivities } from './settlement.activities';
import { failingVisiblyOnBadInput, refusal } from '../platform/temporal/refusal';
import {
  approveUpdate,
  closeBooksUpdate,
  correctUpdate,
  recomputeUpdate,
  settlementStateQuery,
  settlementWorkflow,
  type SettlementState,
} from './settlement.messages';

const { acts, longActs } = activityProxies<SettlementActivities & StaffActivities>();

/** M5: while the books are open, finance is reminded once a week. */
export const BOOKS_REMINDER_INTERVAL = '7 days';

/**
 * The yearly royalty settlement of `year` (id `settlement-{year}`): waits for the year's
 * books to be closed (M5), computes a draft (M2–M6) that finance may recompute, and freezes
 * it on approval by a second finance user (four eyes), then sends each provider its statement.
 * It stays open after approval: a correction drafts a new version with its reason, and the
 * approved ones stay as they are.
 */
export async function settlement({ year, by }: { year: number; by: string }): Promise<SettlementState> {
  const state: SettlementState = {
    year,
    status: 'waiting_for_books',
    booksClosedBy: null,
    computedBy: null,
    version: null,
  };
  /** Four eyes: who ran or last recomputed the current draft; none of them may approve it. */
  let draftAuthors: string[] = [];
  /** One change at a time: an approval must not overtake a recompute that is still running. */
  let busy = false;
  /** Changes wait until the settlement's row exists (an update may arrive right after the start). */
  let opened = false;
  setHandler(settlementStateQuery, () => state);

  const change =
    <A extends { by: string }>(run: (arg: A) => Promise<void>) =>
    async (arg: A) => {
      busy = true;
      try {
        await condition(() => opened);
        await run(arg);
        return state;
      } catch (err) {
        // An activity's refusal (stale draft, inputs that do not fit) answers the update as it is.
        if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable)
          throw err.cause;
        throw err;
      } finally {
        busy = false;
      }
    };
  const notBusy = () => {
    if (busy) throw refusal(409, 'busy', `The ${year} settlement is being changed right now; try again in a moment`);
  };
  const requireStatus = (status: SettlementState['status'], what: string) => {
    notBusy();
    if (state.status !== status)
      throw refusal(409, `not_${status}`, `The ${year} statement is ${state.status.replace(/_/g, ' ')}; ${what}`);
  };
  const compute = async (who: string, cause: 'books_closed' | 'recompute' | 'correction') => {
    await longActs.computeSettlementDraft(year, who, cause);
    state.status = 'draft';
    state.computedBy = who;
    // The run's starter counts as an author of the first draft too (not the schedule).
    draftAuthors = cause === 'books_closed' && by !== 'schedule' ? [by, who] : [who];
  };

  setHandler(
    closeBooksUpdate,
    change(async ({ by: who }) => {
      await acts.markBooksClosed(year, who);
      state.booksClosedBy = who;
      await compute(who, 'books_closed');
    }),
    {
      validator: (_close: { by: string }) => {
        notBusy();
        if (state.booksClosedBy) throw refusal(409, 'books_already_closed', `The books of ${year} are already closed`);
      },
    },
  );
  setHandler(
    recomputeUpdate,
    change(async ({ by: who }) => compute(who, 'recompute')),
    {
      validator: (_recompute: { by: string }) => {
        // Also after closed books whose first computation was refused (inputs that did not fit).
        if (state.booksClosedBy && state.status === 'waiting_for_books') return notBusy();
        requireStatus('draft', 'only a draft can be recomputed');
      },
    },
  );
  setHandler(
    approveUpdate,
    change(async ({ by: who }) => {
      state.version = await acts.approveSettlement(year, who);
      state.status = 'approved';
      await longActs.sendProviderStatements(year, state.version);
    }),
    {
      validator: ({ by: who }) => {
        requireStatus('draft', 'only a draft can be approved');
        if (draftAuthors.includes(who)) {
          throw refusal(
            403,
            'four_eyes',
            'You ran or last recomputed this draft; another finance user must approve it (four eyes)',
          );
        }
      },
    },
  );
  setHandler(
    correctUpdate,
    change(async ({ by: who, reason }) => {
      await acts.reopenSettlement(year, who, reason);
      await compute(who, 'correction');
    }),
    {
      validator: ({ reason }) => {
        requireStatus('approved', 'only an approved statement can be corrected');
        if (!reason.trim()) throw refusal(422, 'reason_required', 'A correction needs its reason');
      },
    },
  );

  // A step that fails on its input stops the process visibly and alerts admins (A6).
  await failingVisiblyOnBadInput(
    { workflow: 'settlement', id: settlementWorkflow.workflowId(year) },
    async () => {
      await acts.openSettlement(year, by);
      opened = true;
      for (let week = 1; !(await condition(() => state.booksClosedBy !== null, BOOKS_REMINDER_INTERVAL)); week++) {
        await acts.emailStaff({
          key: `${settlementWorkflow.workflowId(year)}:books-reminder-${week}`,
          role: 'finance',
          template: 'settlement-books-reminder',
          data: { year },
        });
      }
    },
    (message) => {
      state.failure = message;
    },
  );
  // Waits for corrections for as long as the year may be corrected, i.e. for ever.
  await condition(() => false);
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
      workflowId: settlementWorkflow.workflowId(year),
      args: [{ year, by: 'schedule' }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return year;
}
