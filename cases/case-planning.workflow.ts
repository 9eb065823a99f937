import { patched, setHandler } from '@temporalio/workflow';
import {
  PLANNING_FASTER_DELIVERY_WORKING_DAYS,
  canWithdraw,
  planningAddOnFees,
  planningFasterDueDate,
} from './cases.rules';
import { addWorkingDays, orderTime as orderTimeOf } from '../domain/calendar';
import { refusal } from '../platform/temporal/refusal';
import { deliverCaseUpdate, orderPlanningAddOnsUpdate, withdrawUpdate } from './case.messages';
import { acts, confirmFee, longActs, type CaseContext } from './case-context.workflow';

/**
 * The planning and survey part of a case workflow: delivery (a planning case's files produced, a
 * survey's file uploaded; L17), withdrawal within 48 hours (L18) and planning add-ons (L17).
 */
export function deliveryHandlers(ctx: CaseContext) {
  const { input, lk, state, edges, mail, charge, event, mirror } = ctx;
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
        // Issue 16: the case page lists the files (signed in), rather than the API route of each.
        url: patched('page-links-in-mail')
          ? `${input.publicUrl}/app/cases/${lk}#files`
          : `${input.publicUrl}/api/v1/cases/${lk}/files/${encodeURIComponent(f.name)}`,
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
      // L18, T8: add-ons already invoiced are credited. A history recorded before this replays without it.
      if (state.addOns.length > 0 && patched('withdrawal-credits-add-ons'))
        await acts.creditBookedInvoices({ keyPrefix: `${lk}:add-ons-`, reason: `${lk} withdrawn (L18)` });
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
}
