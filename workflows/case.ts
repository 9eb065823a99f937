import { allHandlersFinished, condition, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import { ANSWERS, CASE_FEES, canWithdraw, cancellationFees, earliestNormalLocateDate, handlingSchedule, moveFees, scheduleLocate, type Answer, type CaseKind, type FeeLine } from '../domain/cases';
import type { IsoDate } from '../domain/calendar';
import { acts } from './activities';
import { refusal } from './refusal';

export interface CaseInput {
  lk: string;
  kind: CaseKind;
  accountId: string;
  questioner: { name: string; email: string; language: 'sv' | 'en' };
  registeredAt: number;
  orderTime: IsoDate;
  /** L10 (locate, survey) or L17 (planning): when the case must be handled. */
  handlingDeadline: IsoDate;
  digStart: IsoDate;
  desiredLocateDate: IsoDate | null;
  express: boolean;
  owners: { id: string; name: string; mode: 'locates' | 'map_only' }[];
  publicUrl: string;
}

export type CaseStatus = 'registered' | 'answered' | 'locate_scheduled' | 'located' | 'cancelled' | 'delivered' | 'withdrawn';
const CLOSED: CaseStatus[] = ['answered', 'located', 'cancelled', 'delivered', 'withdrawn'];

export interface CaseState {
  status: CaseStatus;
  answers: Record<string, { answer: Answer; note: string | null }>;
  locateDate: IsoDate | null;
  express: boolean;
  overdue: boolean;
}

export const caseStateQuery = defineQuery<CaseState>('state');
export const answerUpdate = defineUpdate<{ answered: number; of: number }, [{ ownerId: string; answer: Answer; note?: string | null; by: string }]>('answer');
export const locateDoneUpdate = defineUpdate<CaseState, [{ by: string }]>('locateDone');
export const moveLocateUpdate = defineUpdate<{ locateDate: IsoDate; express: boolean; fees: FeeLine[] }, [{ date: IsoDate; express: boolean; expectedFeeMinor: number }]>('moveLocate');
export const cancelLocateUpdate = defineUpdate<{ fees: FeeLine[] }, [{ expectedFeeMinor: number }]>('cancelLocate');
export const deliverPlanningUpdate = defineUpdate<CaseState, [{ by: string }]>('deliverPlanning');
export const withdrawUpdate = defineUpdate<CaseState, [Record<string, never>]>('withdraw');

const feeTotal = (fees: FeeLine[]) => fees.reduce((s, f) => s + f.amount.minor, 0);

/**
 * One workflow per locate, planning or survey case; id = its LK number. It confirms the
 * registration (L4), watches the handling deadline with reminders and escalation (L10),
 * collects an answer per network owner (L11), schedules the physical locate (L12) and
 * takes changes, cancellations and withdrawals with their fees (L15, L16, L18).
 */
export async function locateCase(input: CaseInput): Promise<CaseState> {
  const { lk } = input;
  const state: CaseState = { status: 'registered', answers: {}, locateDate: null, express: false, overdue: false };
  const allAnswered = () => input.owners.every((o) => state.answers[o.id]);
  const handled = () => state.status !== 'registered' || (input.kind !== 'planning' && allAnswered());
  const mail = (template: string, suffix: string, data: Record<string, unknown> = {}) =>
    acts.sendEmail({
      key: `${lk}:${suffix}`,
      template,
      locale: input.questioner.language,
      to: input.questioner.email,
      data: { lk, name: input.questioner.name, caseUrl: `${input.publicUrl}/api/v1/cases/${lk}`, ...data },
      accountId: input.accountId,
    });
  const charge = async (suffix: string, fees: FeeLine[]) => {
    if (fees.length === 0) return;
    await acts.bookInvoice({
      idempotencyKey: `${lk}:${suffix}`,
      accountId: input.accountId,
      currency: 'SEK',
      reference: lk,
      lines: fees.map((f) => ({ description: `${lk}: ${f.code}`, quantity: 1, unitPrice: f.amount })),
    });
  };
  const mirror = () => acts.recordCaseState(lk, { status: state.status, locate_date: state.locateDate, express: state.express, overdue: state.overdue });

  setHandler(caseStateQuery, () => state);

  setHandler(
    answerUpdate,
    async ({ ownerId, answer, note, by }) => {
      state.answers[ownerId] = { answer, note: note ?? null };
      await acts.recordCaseAnswer({ lk, ownerId, answer, note: note ?? null, by, at: Date.now() });
      return { answered: Object.keys(state.answers).length, of: input.owners.length };
    },
    {
      validator: ({ ownerId, answer }) => {
        if (input.kind === 'planning') throw refusal(409, 'not_applicable', `${lk} is a planning case; it is delivered, not answered per owner`);
        if (state.status !== 'registered') throw refusal(409, 'case_not_open', `${lk} is ${state.status}; answers can no longer be given`);
        if (!input.owners.some((o) => o.id === ownerId)) throw refusal(422, 'unknown_owner', `network owner ${ownerId} is not in the work area of ${lk}`);
        if (!ANSWERS.includes(answer)) throw refusal(422, 'unknown_answer', `the answer must be one of ${ANSWERS.join(', ')}`);
        if (state.answers[ownerId]) throw refusal(409, 'already_answered', `network owner ${ownerId} has already been answered on ${lk}`);
      },
    },
  );

  setHandler(
    locateDoneUpdate,
    async (_done: { by: string }) => {
      state.status = 'located';
      await mirror();
      await mail('case-locate-done', 'locate-done', { locateDate: state.locateDate });
      return state;
    },
    { validator: (_done: { by: string }) => { if (state.status !== 'locate_scheduled') throw refusal(409, 'no_locate_scheduled', `${lk} has no scheduled locate`); } },
  );

  const quoteMove = (date: IsoDate, express: boolean) => {
    const scheduled = scheduleLocate(input.orderTime, date, { express, split: false });
    if (!scheduled.ok) throw refusal(422, scheduled.reason, `${date} cannot be the locate date of ${lk}: ${scheduled.reason.replace(/_/g, ' ')}`);
    return { scheduled, fees: moveFees(state.locateDate!, scheduled.express && !state.express, new Date()) };
  };
  setHandler(
    moveLocateUpdate,
    async ({ date, express }) => {
      const { scheduled, fees } = quoteMove(date, express);
      await charge(`move-${date}`, fees);
      state.locateDate = scheduled.date;
      state.express = state.express || scheduled.express;
      await mirror();
      await mail('case-locate-moved', `moved-${scheduled.date}`, { locateDate: scheduled.date });
      return { locateDate: scheduled.date, express: state.express, fees };
    },
    {
      validator: ({ date, express, expectedFeeMinor }) => {
        if (state.status !== 'locate_scheduled') throw refusal(409, 'no_locate_scheduled', `${lk} has no scheduled locate to move`);
        const { fees } = quoteMove(date, express);
        if (feeTotal(fees) !== expectedFeeMinor) throw refusal(409, 'fee_changed', `the fee is now ${feeTotal(fees)} öre, not ${expectedFeeMinor}; confirm again`, { fees });
      },
    },
  );

  setHandler(
    cancelLocateUpdate,
    async () => {
      const fees = cancellationFees(state.locateDate!, new Date());
      await charge('cancel', fees);
      state.status = 'cancelled';
      await mirror();
      await mail('case-cancelled', 'cancelled');
      return { fees };
    },
    {
      validator: ({ expectedFeeMinor }) => {
        if (state.status !== 'locate_scheduled') throw refusal(409, 'no_locate_scheduled', `${lk} has no scheduled locate to cancel`);
        const fees = cancellationFees(state.locateDate!, new Date());
        if (feeTotal(fees) !== expectedFeeMinor) throw refusal(409, 'fee_changed', `the fee is now ${feeTotal(fees)} öre, not ${expectedFeeMinor}; confirm again`, { fees });
      },
    },
  );

  setHandler(
    deliverPlanningUpdate,
    async (_delivered: { by: string }) => {
      state.status = 'delivered';
      await mirror();
      await mail('case-planning-delivered', 'delivered');
      return state;
    },
    { validator: (_delivered: { by: string }) => { if (input.kind !== 'planning' || state.status !== 'registered') throw refusal(409, 'not_deliverable', `${lk} is not a planning case awaiting delivery`); } },
  );

  setHandler(
    withdrawUpdate,
    async (_withdraw: Record<string, never>) => {
      state.status = 'withdrawn';
      await mirror();
      await mail('case-withdrawn', 'withdrawn');
      return state;
    },
    {
      validator: (_withdraw: Record<string, never>) => {
        if (input.kind !== 'planning') throw refusal(409, 'not_withdrawable', `${lk} is not a planning case`);
        if (state.status !== 'registered' || !canWithdraw(new Date(input.registeredAt), new Date(), false)) {
          throw refusal(409, 'withdrawal_period_over', `${lk} can only be withdrawn within 48 hours of ordering and before delivery (L18)`);
        }
      },
    },
  );

  // L4: the confirmation goes out at once.
  await mail('case-confirmation', 'confirmation', { kind: input.kind, orderTime: input.orderTime, deadline: input.handlingDeadline });

  // L10: reminders on the deadline morning and two hours before; escalation when missed.
  const schedule = handlingSchedule(input.handlingDeadline);
  const waitUntil = (at: Date) => condition(handled, Math.max(1, at.getTime() - Date.now()));
  for (const [at, which] of [[schedule.morningReminder, 'morning'], [schedule.lastReminder, 'two-hours']] as const) {
    if (handled() || (await waitUntil(at))) break;
    await acts.emailStaff({ key: `${lk}:reminder-${which}`, role: 'handler', template: 'case-reminder', data: { lk, deadline: input.handlingDeadline, which } });
  }
  if (!handled() && !(await waitUntil(schedule.due))) {
    state.overdue = true;
    await mirror();
    await acts.emailStaff({ key: `${lk}:escalation`, role: 'admin', template: 'case-escalation', data: { lk, deadline: input.handlingDeadline } });
  }
  await condition(handled);

  if (state.status === 'registered') {
    // Every owner has answered (L11): one summary, and the physical locate where it is needed (L12).
    const needsLocate = input.kind === 'locate' && Object.values(state.answers).some((a) => a.answer === 'locate_needed');
    if (needsLocate) {
      const scheduled = input.desiredLocateDate ? scheduleLocate(input.orderTime, input.desiredLocateDate, { express: input.express, split: false }) : null;
      state.locateDate = scheduled?.ok ? scheduled.date : earliestNormalLocateDate(input.orderTime);
      state.express = Boolean(scheduled?.ok && scheduled.express);
      if (state.express) await charge('express', [{ code: 'express', amount: CASE_FEES.express }]);
    }
    state.status = needsLocate ? 'locate_scheduled' : 'answered';
    await mirror();
    await mail('case-answers', 'answers', {
      answers: input.owners.map((o) => ({ owner: o.name, answer: state.answers[o.id]!.answer, note: state.answers[o.id]!.note })),
      locateDate: state.locateDate,
    });
  }
  await condition(() => CLOSED.includes(state.status));
  await condition(allHandlersFinished);
  return state;
}
