import { setHandler } from '@temporalio/workflow';
import {
  ANSWERS,
  MAX_LOCATE_MOVES,
  MAX_REMARKS,
  cancellationFees,
  locateExpired,
  earliestNormalLocateDate,
  moveFees,
  offersLocateOnOrder,
  ownerLocateFees,
  remarkDate,
  remarkFees,
  scheduleLocate,
  scheduleMove,
} from './cases.rules';
import { orderTime as orderTimeOf, stockholmDate, type IsoDate } from '../domain/calendar';
import { refusal } from '../platform/temporal/refusal';
import {
  answerUpdate,
  cancelLocateUpdate,
  locateDoneUpdate,
  moveLocateUpdate,
  orderMapOnlyLocateUpdate,
  remarkLocateUpdate,
  splitUpdate,
} from './case.messages';
import { acts, confirmFee, type CaseContext } from './case-context.workflow';

/**
 * The locate part of a case workflow: answers per network owner (L11), the scheduled locate
 * marked done, moved or cancelled with its fees (L12, L15, L16), locates of owners answered "dig
 * according to map" (L14) and the split (L13). Answers a question the main flow asks: whether an
 * owner's locate may still be ordered.
 */
export function locateHandlers(ctx: CaseContext) {
  const { input, lk, state, edges, split, mail, charge, event, mirror, expressRefusal } = ctx;
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
      // Issue 18: the marks are valid LOCATE_VALIDITY_DAYS from today.
      state.locatedOn = stockholmDate(new Date());
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

  // Issue 18: a done locate marked again, at the normal date from the order's time, fee first (free today).
  setHandler(
    remarkLocateUpdate,
    async ({ reason, date, by }) => {
      const fees = remarkFees();
      state.remarks = (state.remarks ?? 0) + 1;
      await charge(`remark-${state.remarks}`, fees);
      const previous = state.locatedOn;
      state.locateDate = remarkDate(new Date(), date);
      state.locatedOn = null;
      state.status = 'locate_scheduled';
      await mirror(
        event('locate_remark_ordered', `${state.remarks}`, by, {
          reason,
          locatedOn: previous,
          locateDate: state.locateDate,
          fees,
        }),
      );
      await mail('case-locate-remark', `remark-${state.remarks}`, { reason, locateDate: state.locateDate });
      return { locateDate: state.locateDate, fees };
    },
    {
      validator: ({ reason, expectedFeeMinor }) => {
        if (state.status !== 'located' || !state.locatedOn)
          throw refusal(409, 'locate_not_done', `${lk} has no done locate to mark again`);
        if ((state.remarks ?? 0) >= MAX_REMARKS)
          throw refusal(
            409,
            'too_many_remarks',
            `the locate of ${lk} has been marked again ${MAX_REMARKS} times; register a new case`,
          );
        if (reason === 'renewal' && !locateExpired(state.locatedOn, stockholmDate(new Date())))
          throw refusal(
            409,
            'marks_still_valid',
            `the marks of ${lk} are still valid; a renewal can be ordered once they expire`,
          );
        confirmFee(remarkFees(), expectedFeeMinor);
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

  setHandler(
    splitUpdate,
    async ({ parts, by }) => {
      ctx.splitParts = parts;
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

  return { mapOnlyLocateOffered };
}
