import { patched } from '@temporalio/workflow';
import { feeTotal, type FeeLine } from './cases.rules';
import { activityProxies } from '../platform/temporal/proxies';
import { refusal } from '../platform/temporal/refusal';
import type { CaseInput, CaseState, SplitPart } from './case.messages';
import type { CaseActivities } from './cases.activities';
import type { InvoiceActivities } from '../invoicing/invoices.activities';
import type { StaffActivities } from '../identity/staff.activities';
import type { EmailActivities } from '../platform/outbox/email.activities';

export const { acts, longActs } = activityProxies<
  CaseActivities & InvoiceActivities & StaffActivities & EmailActivities
>();

/** L14–L17: a paid change goes ahead only at the fee the questioner confirmed. */
export const confirmFee = (fees: FeeLine[], expectedFeeMinor: number) => {
  if (feeTotal(fees) !== expectedFeeMinor)
    throw refusal(409, 'fee_changed', `the fee is ${feeTotal(fees)} öre, not ${expectedFeeMinor}; confirm again`, {
      fees,
    });
};

/**
 * What every part of a case workflow shares: its input and state, whether it runs on the issue-18
 * rules, and its steps (mail to the questioner, charge a fee, mirror the state with a history step).
 * Created once at the workflow's start, where the `patched()` marker is read.
 */
export function caseContext(input: CaseInput) {
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
  const split = Boolean(input.part);
  const allAnswered = () => input.owners.every((o) => state.answers[o.id]);
  // Surveys are handled by their delivery, like planning cases; only a locate is handled by its answers (issue 18).
  const handledByAnswers = edges ? input.kind === 'locate' : input.kind !== 'planning';
  const handled = () => state.status !== 'registered' || (handledByAnswers && allAnswered());
  // Issue 16: the case page, not the API route; a case that ran before keeps its recorded links (replay).
  const caseLink = () =>
    patched('page-links-in-mail') ? `${input.publicUrl}/app/cases/${lk}` : `${input.publicUrl}/api/v1/cases/${lk}`;
  const mail = (template: string, suffix: string, data: Record<string, unknown> = {}) =>
    acts.sendEmail({
      key: `${lk}:${suffix}`,
      template,
      locale: input.questioner.language,
      to: input.questioner.email,
      data: { lk, name: input.questioner.name, caseUrl: caseLink(), ...data },
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
        located_on: state.locatedOn ?? null,
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

  return {
    input,
    lk,
    state,
    edges,
    split,
    /** L13: the parts a handler drew, run as child workflows once the split is recorded. */
    splitParts: [] as SplitPart[],
    handled,
    mail,
    charge,
    event,
    mirror,
    expressRefusal,
  };
}

export type CaseContext = ReturnType<typeof caseContext>;
