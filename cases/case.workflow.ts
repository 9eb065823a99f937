import { allHandlersFinished, condition, executeChild, patched, setHandler } from '@temporalio/workflow';
import {
  ANSWERS,
  MAX_LOCATE_MOVES,
  PLANNING_FASTER_DELIVERY_WORKING_DAYS,
  canWithdraw,
  cancellationFees,
  earliestNormalLocateDate,
  feeLine,
  feeTotal,
  handlingSchedule,
  locateDateOnAnswers,
  moveFees,
  offersLocateOnOrder,
  ownerLocateFees,
  planningAddOnFees,
  planningFasterDueDate,
  scheduleLocate,
  scheduleMove,
  type FeeLine,
} from './cases.rules';
import {
  addWorkingDays,
  orderTime as orderTimeOf,
  stockholmDate,
  zonedInstant,
  type IsoDate,
} from '../domain/calendar';
import { activityProxies } from '../platform/temporal/proxies';
import { failingVisiblyOnBadInput, refusal } from '../platform/temporal/refusal';
import {
  answerUpdate,
  cancelLocateUpdate,
  caseStateQuery,
  deliverCaseUpdate,
  locateDoneUpdate,
  moveLocateUpdate,
  orderMapOnlyLocateUpdate,
  orderPlanningAddOnsUpdate,
  questionerCorrectedSignal,
  splitUpdate,
  withdrawUpdate,
  type CaseInput,
  type CaseState,
  CLOSED_CASE_STATUSES,
  type SplitPart,
} from './case.messages';
import type { CaseActivities } from './cases.activities';
import type { InvoiceActivities } from '../invoicing/invoices.activities';
import type { StaffActivities } from '../identity/staff.activities';
import type { EmailActivities } from '../platform/outbox/email.activities';

const { acts, longActs } = activityProxies<CaseActivities & InvoiceActivities & StaffActivities & EmailActivities>();

const confirmFee = (fees: FeeLine[], expectedFeeMinor: number) => {
  if (feeTotal(fees) !== expectedFeeMinor)
    throw refusal(409, 'fee_changed', `the fee is ${feeTotal(fees)} öre, not ${expectedFeeMinor}; confirm again`, {
      fees,
    });
};

/**
 * One workflow per locate, planning or survey case; id = its LK number. It confirms the
 * registration (L4), watches the handling deadline with reminders and escalation (L10),
 * collects an answer per network owner (L11), schedules the physical locate (L12), runs the
 * parts of a split case as child workflows (L13), sells map-only owners' locates (L14) and
 * planning add-ons (L17), and takes changes, cancellations and withdrawals with their fees
 * (L15, L16, L18). Its history is bounded (answers ≤ owners, moves ≤ MAX_LOCATE_MOVES,
 * each add-on once), so it needs no continue-as-new.
 */
export async function locateCase(input: CaseInput): Promise<CaseState> {
  const { lk } = input;
  /**
   * Issue 18: the rules at their edges (L15's express period from the change, L12's locate never
   * on a past date, L17's faster delivery from the registration date, surveys handled by their
   * delivery) and the history of the workflow's own steps. A case started before keeps replaying
   * and runs on as it began (docs/decisions.md).
   */
  const edges = patched('issue-18-case-edges');
  const state: CaseState = {
    status: 'registered',
    handlingDeadline: input.handlingDeadline,
    answers: {},
    locateDate: null,
    express: false,
    overdue: false,
    addOns: [],
    moves: 0,
    parts: [],
    files: [],
  };
  let splitParts: SplitPart[] = [];
  const split = Boolean(input.part);
  const allAnswered = () => input.owners.every((o) => state.answers[o.id]);
  // Surveys are handled by their delivery, like planning cases; only a locate is handled by its answers (issue 18).
  const handledByAnswers = edges ? input.kind === 'locate' : input.kind !== 'planning';
  const handled = () => state.status !== 'registered' || (handledByAnswers && allAnswered());
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
  /** A step of the case's history: who (a user, or the workflow itself) did what. */
  const event = (type: string, suffix: string, by: string | undefined, data: Record<string, unknown> = {}) => ({
    type,
    actor: by ?? 'system',
    data,
    key: `${lk}:${type}:${suffix}`,
  });
  type CaseEventInput = ReturnType<typeof event>;
  const mirror = (step?: CaseEventInput) =>
    acts.recordCaseState(
      lk,
      {
        status: state.status,
        locate_date: state.locateDate,
        express: state.express,
        overdue: state.overdue,
        handling_deadline: state.handlingDeadline,
        add_ons: state.addOns,
      },
      step,
    );
  const expressRefusal = () =>
    refusal(
      422,
      'express_not_allowed_for_split_case',
      `${lk} is part of a split case: express locate cannot be ordered through the portal; contact a handler (L13)`,
    );

  setHandler(caseStateQuery, () => state);
  // L8: the case's e-mails read the questioner when they are sent. A history recorded before this
  // handler existed replays without the marker and ignores the signal, as it did.
  setHandler(questionerCorrectedSignal, (contact) => {
    if (patched('questioner-corrected-signal')) Object.assign(input.questioner, contact);
  });

  setHandler(
    answerUpdate,
    async ({ ownerId, answer, note, by }) => {
      state.answers[ownerId] = { answer, note: note ?? null };
      await acts.recordCaseAnswer({ lk, ownerId, answer, note: note ?? null, by, at: Date.now() });
      return { answered: Object.keys(state.answers).length, of: input.owners.length };
    },
    {
      validator: ({ ownerId, answer }) => {
        if (input.kind === 'planning')
          throw refusal(409, 'not_applicable', `${lk} is a planning case; it is delivered, not answered per owner`);
        if (state.status !== 'registered')
          throw refusal(409, 'case_not_open', `${lk} is ${state.status}; answers can no longer be given`);
        if (!input.owners.some((o) => o.id === ownerId))
          throw refusal(422, 'unknown_owner', `network owner ${ownerId} is not in the work area of ${lk}`);
        if (!ANSWERS.includes(answer))
          throw refusal(422, 'unknown_answer', `the answer must be one of ${ANSWERS.join(', ')}`);
        if (state.answers[ownerId])
          throw refusal(409, 'already_answered', `network owner ${ownerId} has already been answered on ${lk}`);
      },
    },
  );

  setHandler(
    locateDoneUpdate,
    async ({ by }: { by: string }) => {
      state.status = 'located';
      await mirror(event('locate_done', 'done', by, { locateDate: state.locateDate }));
      await mail('case-locate-done', 'locate-done', { locateDate: state.locateDate });
      return state;
    },
    {
      validator: (_done: { by: string }) => {
        if (state.status !== 'locate_scheduled')
          throw refusal(409, 'no_locate_scheduled', `${lk} has no scheduled locate`);
      },
    },
  );

  const quoteMove = (date: IsoDate, express: boolean, byHandler: boolean) => {
    // L15: the express period counts from the change; L13: a handler may give a split part express.
    const scheduled = edges
      ? scheduleMove(new Date(), date, { express, split: split && !byHandler })
      : scheduleLocate(input.orderTime, date, { express, split, today: stockholmDate(new Date()) });
    if (!scheduled.ok && scheduled.reason === 'express_not_allowed_for_split_case') throw expressRefusal();
    if (!scheduled.ok)
      throw refusal(
        422,
        scheduled.reason,
        `${date} cannot be the locate date of ${lk}: ${scheduled.reason.replace(/_/g, ' ')}`,
      );
    return {
      scheduled,
      fees: moveFees(input.fees, state.locateDate!, scheduled.express && !state.express, new Date()),
    };
  };
  setHandler(
    moveLocateUpdate,
    async ({ date, express, by, byHandler }) => {
      const { scheduled, fees } = quoteMove(date, express, Boolean(byHandler));
      await charge(`move-${date}`, fees);
      const from = state.locateDate;
      state.locateDate = scheduled.date;
      state.express = state.express || scheduled.express;
      state.moves += 1;
      await mirror(
        event('locate_moved', `${state.moves}`, by, { from, to: scheduled.date, express: scheduled.express, fees }),
      );
      await mail('case-locate-moved', `moved-${scheduled.date}`, { locateDate: scheduled.date });
      return { locateDate: scheduled.date, express: state.express, fees };
    },
    {
      validator: ({ date, express, expectedFeeMinor, byHandler }) => {
        if (state.status !== 'locate_scheduled')
          throw refusal(409, 'no_locate_scheduled', `${lk} has no scheduled locate to move`);
        if (state.moves >= MAX_LOCATE_MOVES)
          throw refusal(
            409,
            'too_many_moves',
            `the locate of ${lk} has been moved ${MAX_LOCATE_MOVES} times; contact a handler`,
          );
        confirmFee(quoteMove(date, express, Boolean(byHandler)).fees, expectedFeeMinor);
      },
    },
  );

  setHandler(
    cancelLocateUpdate,
    async ({ by }) => {
      const fees = cancellationFees(input.fees, state.locateDate!, new Date());
      await charge('cancel', fees);
      state.status = 'cancelled';
      await mirror(event('locate_cancelled', 'cancelled', by, { locateDate: state.locateDate, fees }));
      await mail('case-cancelled', 'cancelled');
      return { fees };
    },
    {
      validator: ({ expectedFeeMinor }) => {
        if (state.status !== 'locate_scheduled')
          throw refusal(409, 'no_locate_scheduled', `${lk} has no scheduled locate to cancel`);
        confirmFee(cancellationFees(input.fees, state.locateDate!, new Date()), expectedFeeMinor);
      },
    },
  );

  setHandler(
    deliverCaseUpdate,
    async ({ by, surveyFile }) => {
      state.status = 'delivered';
      state.files = surveyFile ? [surveyFile] : await longActs.producePlanningFiles(lk);
      await acts.recordCaseState(
        lk,
        { status: state.status, files: state.files },
        event('delivered', 'delivered', by, { files: state.files }),
      );
      const files = state.files.map((f) => ({
        name: f.name,
        url: `${input.publicUrl}/api/v1/cases/${lk}/files/${encodeURIComponent(f.name)}`,
      }));
      await mail(input.kind === 'survey' ? 'case-survey-delivered' : 'case-planning-delivered', 'delivered', { files });
      return state;
    },
    {
      validator: ({ surveyFile }) => {
        if (input.kind === 'locate' || state.status !== 'registered')
          throw refusal(409, 'not_deliverable', `${lk} is not a planning case or survey awaiting delivery`);
        if ((input.kind === 'survey') !== Boolean(surveyFile)) {
          throw refusal(
            422,
            input.kind === 'survey' ? 'file_missing' : 'unexpected_file',
            input.kind === 'survey'
              ? `${lk} is a survey: deliver it with its file`
              : `${lk} is a planning case: its files are produced, not uploaded`,
          );
        }
      },
    },
  );

  setHandler(
    withdrawUpdate,
    async ({ by, noticeReceivedAt }: { by?: string; noticeReceivedAt?: number }) => {
      state.status = 'withdrawn';
      await mirror(
        event('withdrawn', 'withdrawn', by, noticeReceivedAt ? { noticeReceivedAt: new Date(noticeReceivedAt) } : {}),
      );
      await mail('case-withdrawn', 'withdrawn');
      return state;
    },
    {
      validator: ({ noticeReceivedAt }: { by?: string; noticeReceivedAt?: number }) => {
        if (input.kind !== 'planning') throw refusal(409, 'not_withdrawable', `${lk} is not a planning case`);
        // L18 by e-mail (§4.2): the 48 hours count to when the notice arrived, not to when a handler records it.
        const noticeAt = new Date(noticeReceivedAt ?? Date.now());
        if (state.status !== 'registered' || !canWithdraw(new Date(input.registeredAt), noticeAt, false)) {
          throw refusal(
            409,
            'withdrawal_period_over',
            `${lk} can only be withdrawn within 48 hours of ordering and before delivery (L18)`,
          );
        }
      },
    },
  );

  // L14 (§3.1): owners that only or primarily supply maps; only a map-only owner's locate costs a fee.
  const mapOnlyLocateOffered = (ownerId: string) =>
    input.owners.some((o) => o.id === ownerId && offersLocateOnOrder(o.mode, state.answers[ownerId]?.answer));
  const ownerLocateFeesOf = (ownerId: string) =>
    ownerLocateFees(input.fees, input.owners.find((o) => o.id === ownerId)!.mode);
  setHandler(
    orderMapOnlyLocateUpdate,
    async ({ ownerId, by }) => {
      state.addOns.push(`map_only_locate:${ownerId}`);
      const fees = ownerLocateFeesOf(ownerId);
      await charge(`map-only-locate-${ownerId}`, fees);
      if (state.status === 'answered') {
        // Ordered after the answers: the normal locate period (L12) counts from this order's own order time.
        const orderedAt = orderTimeOf(new Date());
        const wanted = input.desiredLocateDate ?? earliestNormalLocateDate(orderedAt);
        const scheduled = scheduleLocate(orderedAt, wanted, { express: false, split });
        state.locateDate = scheduled.ok ? scheduled.date : earliestNormalLocateDate(orderedAt);
        state.status = 'locate_scheduled';
      }
      await mirror(event('owner_locate_ordered', ownerId, by, { ownerId, locateDate: state.locateDate, fees }));
      await mail('case-locate-ordered', `map-only-locate-${ownerId}`, {
        owner: input.owners.find((o) => o.id === ownerId)!.name,
        locateDate: state.locateDate,
      });
      return state;
    },
    {
      validator: ({ ownerId, expectedFeeMinor }) => {
        if (state.status !== 'answered' && state.status !== 'locate_scheduled')
          throw refusal(
            409,
            'case_not_answered',
            `${lk} is ${state.status}; a locate can be ordered once the owners have answered`,
          );
        if (!mapOnlyLocateOffered(ownerId))
          throw refusal(
            422,
            'not_a_map_only_owner',
            `${ownerId} is not a map-only network owner answered "dig according to map" on ${lk} (L14)`,
          );
        if (state.addOns.includes(`map_only_locate:${ownerId}`))
          throw refusal(409, 'already_ordered', `a locate of ${ownerId}'s lines is already ordered on ${lk}`);
        confirmFee(ownerLocateFeesOf(ownerId), expectedFeeMinor);
      },
    },
  );

  // L17: faster delivery counts from the registration date, as the free PDF does (issue 18).
  const fasterDeadline = edges
    ? planningFasterDueDate(new Date(input.registeredAt))
    : addWorkingDays(input.orderTime, PLANNING_FASTER_DELIVERY_WORKING_DAYS);
  setHandler(
    orderPlanningAddOnsUpdate,
    async ({ fasterDelivery, formats, by }) => {
      const items = [...(fasterDelivery ? ['faster_delivery'] : []), ...formats];
      state.addOns.push(...items);
      if (fasterDelivery) state.handlingDeadline = fasterDeadline;
      const fees = planningAddOnFees(input.fees, fasterDelivery, formats);
      await charge(`add-ons-${items.join('-')}`, fees);
      await mirror(
        event('add_ons_ordered', items.join('-'), by, {
          items,
          fees,
          ...(fasterDelivery ? { handlingDeadline: fasterDeadline } : {}),
        }),
      );
      return state;
    },
    {
      validator: ({ fasterDelivery, formats, expectedFeeMinor }) => {
        if (input.kind !== 'planning' || state.status !== 'registered')
          throw refusal(409, 'not_a_planning_case_in_progress', `${lk} is not a planning case awaiting delivery (L17)`);
        if (!fasterDelivery && formats.length === 0)
          throw refusal(422, 'nothing_ordered', 'order faster delivery, a vector format or both');
        const again = [...(fasterDelivery ? ['faster_delivery'] : []), ...formats].filter(
          (a, i, all) => state.addOns.includes(a) || all.indexOf(a) !== i,
        );
        if (again.length > 0) throw refusal(409, 'already_ordered', `already ordered on ${lk}: ${again.join(', ')}`);
        if (fasterDelivery && fasterDeadline <= orderTimeOf(new Date()))
          throw refusal(
            409,
            'too_late_for_faster_delivery',
            `faster delivery of ${lk} would be due ${fasterDeadline}, which has passed`,
          );
        confirmFee(planningAddOnFees(input.fees, fasterDelivery, formats), expectedFeeMinor);
      },
    },
  );

  setHandler(
    splitUpdate,
    async ({ parts, by }) => {
      splitParts = parts;
      state.parts = parts.map((_, i) => `${lk}-${i + 1}`);
      await acts.recordCaseParts(
        lk,
        parts.map((p, i) => ({
          lk: state.parts[i]!,
          workArea: p.workArea,
          areaM2: p.areaM2,
          ownerIds: p.owners.map((o) => o.id),
        })),
      );
      state.status = 'split';
      await mirror(event('split', 'split', by, { parts: state.parts }));
      return { parts: state.parts };
    },
    {
      validator: ({ parts }) => {
        if (input.kind !== 'locate' || input.part)
          throw refusal(409, 'not_splittable', `${lk} is not a locate case that can be split`);
        if (state.status !== 'registered' || Object.keys(state.answers).length > 0)
          throw refusal(409, 'case_not_open', `${lk} can only be split before it is answered`);
        if (parts.length < 2) throw refusal(422, 'too_few_parts', 'a case is split into at least two parts');
      },
    },
  );

  // A step that fails on its input stops the case visibly and alerts admins (A6).
  await failingVisiblyOnBadInput(
    { workflow: 'locateCase', id: lk },
    async () => {
      // L4: the confirmation goes out at once.
      await mail('case-confirmation', 'confirmation', {
        kind: input.kind,
        orderTime: input.orderTime,
        deadline: input.handlingDeadline,
      });

      // L10 (L17 for planning): reminders on the deadline morning and two hours before, escalation
      // when missed. A paid faster delivery moves the deadline, and the watch starts over.
      while (!handled()) {
        const deadline = state.handlingDeadline;
        const settled = () => handled() || state.handlingDeadline !== deadline;
        const schedule = handlingSchedule(deadline);
        // [when, skipped when its time passed before the deadline moved (a reminder is not sent late), what]
        const steps = [
          [
            schedule.morningReminder,
            true,
            async () => {
              await acts.emailStaff({
                key: `${lk}:reminder-morning-${deadline}`,
                role: 'handler',
                template: 'case-reminder',
                data: { lk, deadline, which: 'morning' },
              });
              if (edges)
                await acts.recordCaseEvent(lk, event('reminder', `morning-${deadline}`, undefined, { deadline }));
            },
          ],
          [
            schedule.lastReminder,
            true,
            async () => {
              await acts.emailStaff({
                key: `${lk}:reminder-two-hours-${deadline}`,
                role: 'handler',
                template: 'case-reminder',
                data: { lk, deadline, which: 'two-hours' },
              });
              if (edges)
                await acts.recordCaseEvent(lk, event('reminder', `two-hours-${deadline}`, undefined, { deadline }));
            },
          ],
          [
            schedule.due,
            false,
            async () => {
              state.overdue = true;
              await mirror(event('escalated', deadline, undefined, { deadline }));
              await acts.emailStaff({
                key: `${lk}:escalation-${deadline}`,
                role: 'admin',
                template: 'case-escalation',
                data: { lk, deadline },
              });
            },
          ],
        ] as const;
        for (const [at, skipWhenPast, act] of steps) {
          if (skipWhenPast && at.getTime() <= Date.now()) continue;
          if (await condition(settled, Math.max(1, at.getTime() - Date.now()))) break;
          await act();
        }
        await condition(settled);
      }

      if (state.status === 'registered') {
        // Every owner has answered (L11): one summary, and the physical locate where it is needed (L12).
        const needsLocate =
          input.kind === 'locate' && Object.values(state.answers).some((a) => a.answer === 'locate_needed');
        if (needsLocate && edges) {
          // L12: answers that come on or after the desired date never schedule the locate in the past.
          const scheduled = locateDateOnAnswers(input.orderTime, input.desiredLocateDate, {
            express: input.express,
            split,
            today: stockholmDate(new Date()),
          });
          state.locateDate = scheduled.date;
          state.express = scheduled.express;
          if (state.express) await charge('express', [feeLine(input.fees, 'express')]);
        } else if (needsLocate) {
          const scheduled = input.desiredLocateDate
            ? scheduleLocate(input.orderTime, input.desiredLocateDate, { express: input.express, split })
            : null;
          state.locateDate = scheduled?.ok ? scheduled.date : earliestNormalLocateDate(input.orderTime);
          state.express = Boolean(scheduled?.ok && scheduled.express);
          if (state.express) await charge('express', [feeLine(input.fees, 'express')]);
        }
        state.status = needsLocate ? 'locate_scheduled' : 'answered';
        await mirror(
          needsLocate
            ? event('locate_scheduled', 'answers', undefined, {
                locateDate: state.locateDate,
                express: state.express,
                fees: state.express ? [feeLine(input.fees, 'express')] : [],
              })
            : event('all_answered', 'answers', undefined),
        );
        await mail('case-answers', 'answers', {
          answers: input.owners.map((o) => ({
            owner: o.name,
            answer: state.answers[o.id]!.answer,
            note: state.answers[o.id]!.note,
          })),
          locateDate: state.locateDate,
          // L14: after "dig according to map", careful digging applies in the area.
          carefulDigging: Object.values(state.answers).some((a) => a.answer === 'dig_according_to_map'),
        });
      }
      if (state.status === 'split') {
        // L13: each part is a case of its own; the split case is done when every part is.
        await Promise.all(
          splitParts.map((p, i) =>
            executeChild(locateCase, {
              workflowId: state.parts[i]!,
              args: [{ ...input, lk: state.parts[i]!, owners: p.owners, express: false, part: true }],
            }),
          ),
        );
        state.status = 'completed';
        await mirror(event('completed', 'parts', undefined, { parts: state.parts }));
      }
      if (state.status === 'answered' && input.owners.some((o) => mapOnlyLocateOffered(o.id))) {
        // L14: a map-only owner's locate can be ordered until the dig start.
        const digStart = zonedInstant(input.digStart, 0, 0, 'Europe/Stockholm');
        await condition(() => state.status !== 'answered', Math.max(1, digStart.getTime() - Date.now()));
      }
      if (state.status !== 'answered') await condition(() => CLOSED_CASE_STATUSES.includes(state.status));
    },
    (message) => {
      state.failure = message;
    },
  );
  await condition(allHandlersFinished);
  return state;
}
