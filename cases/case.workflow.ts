import { allHandlersFinished, condition, executeChild, patched, setHandler } from '@temporalio/workflow';
import {
  earliestNormalLocateDate,
  emergencyFees,
  feeLine,
  handlingSchedule,
  locateDateOnAnswers,
  remarkOpenUntil,
  scheduleLocate,
} from './cases.rules';
import { stockholmDate, zonedInstant } from '../domain/calendar';
import {
  caseStateQuery,
  CLOSED_CASE_STATUSES,
  questionerCorrectedSignal,
  type CaseInput,
  type CaseState,
} from './case.messages';
import { failingVisiblyOnBadInput } from '../platform/temporal/refusal';
import { acts, caseContext } from './case-context.workflow';
import { locateHandlers } from './case-locate.workflow';
import { deliveryHandlers } from './case-planning.workflow';

/**
 * One workflow per locate, planning or survey case; id = its LK number. It confirms the
 * registration (L4), watches the handling deadline with reminders and escalation (L10),
 * collects an answer per network owner (L11), schedules the physical locate (L12), runs the
 * parts of a split case as child workflows (L13), sells map-only owners' locates (L14) and
 * planning add-ons (L17), and takes changes, cancellations and withdrawals with their fees
 * (L15, L16, L18). Its history is bounded (answers ≤ owners, moves ≤ MAX_LOCATE_MOVES,
 * each add-on once), so it needs no continue-as-new. One workflow type in three parts: the
 * shared context (`case-context.workflow.ts`), the locate's handlers (`case-locate.workflow.ts`)
 * and the delivery's of planning cases and surveys (`case-planning.workflow.ts`); this file is the
 * main flow: confirmation, deadline watch, the answers' outcome and the split's parts.
 */
export async function locateCase(input: CaseInput): Promise<CaseState> {
  const ctx = caseContext(input);
  const { lk, state, edges, split, handled, mail, charge, event, mirror } = ctx;
  setHandler(caseStateQuery, () => state);
  const { mapOnlyLocateOffered } = locateHandlers(ctx);
  deliveryHandlers(ctx);

  // L8: the case's e-mails read the questioner when they are sent. A history recorded before this
  // handler existed replays without the marker and ignores the signal, as it did.
  setHandler(questionerCorrectedSignal, (contact) => {
    if (patched('questioner-corrected-signal')) Object.assign(input.questioner, contact);
  });

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

      // Issue 18: an emergency is answered at once: its fee, handlers alerted now, escalation when
      // its hours pass. Only cases registered as emergencies take this path.
      if (input.emergency && input.handlingDueAt && patched('emergency-case')) {
        const dueAt = new Date(input.handlingDueAt).toISOString();
        await charge('emergency', emergencyFees(input.fees));
        await acts.emailStaff({
          key: `${lk}:emergency-alert`,
          role: 'handler',
          template: 'case-emergency',
          data: { lk, dueAt, which: 'alert' },
        });
        if (!(await condition(handled, Math.max(1, input.handlingDueAt - Date.now())))) {
          state.overdue = true;
          await mirror(event('escalated', 'emergency', undefined, { dueAt }));
          await acts.emailStaff({
            key: `${lk}:escalation-emergency`,
            role: 'admin',
            template: 'case-emergency',
            data: { lk, dueAt, which: 'escalation' },
          });
        }
        await condition(handled);
      }

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
        if (needsLocate && input.emergency) {
          // Issue 18: an emergency is located the same day, not at a working-day date.
          state.locateDate = stockholmDate(new Date());
        } else if (needsLocate && edges) {
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
          ctx.splitParts.map((p, i) =>
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
      // Issue 18: a done locate stays open for a re-mark or a renewal until LOCATE_RENEWAL_DAYS after
      // its marks expire; a re-marked locate is followed as before. A history that completed at
      // `located` replays without the marker and completes as it did.
      while (state.status === 'located' && state.locatedOn && patched('locate-remark')) {
        const openUntil = remarkOpenUntil(state.locatedOn);
        const remarked = await condition(
          () => state.status !== 'located',
          Math.max(1, openUntil.getTime() - Date.now()),
        );
        if (!remarked) break;
        await condition(() => CLOSED_CASE_STATUSES.includes(state.status));
      }
    },
    (message) => {
      state.failure = message;
    },
  );
  await condition(allHandlersFinished);
  return state;
}
