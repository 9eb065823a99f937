import { allHandlersFinished, condition, patched, setHandler } from '@temporalio/workflow';
import { activityProxies } from '../platform/temporal/proxies';
import { failingVisiblyOnBadInput, refusal } from '../platform/temporal/refusal';
import { respondToComplaintUpdate, type ComplaintInput } from './complaint.messages';
import { questionerCorrectedSignal } from './case.messages';
import type { CaseActivities } from './cases.activities';
import type { StaffActivities } from '../identity/staff.activities';
import type { EmailActivities } from '../platform/outbox/email.activities';

const { acts } = activityProxies<CaseActivities & StaffActivities & EmailActivities>();

/**
 * L7: a written complaint on a case. Its own workflow (id `complaint-<id>`), so a complaint
 * can come after the case itself has closed: handlers are notified, and the response is
 * recorded and sent to the questioner.
 */
export async function caseComplaint(input: ComplaintInput): Promise<void> {
  const key = `complaint-${input.complaintId}`;
  let response: string | null = null;
  // L8: the response goes to the questioner's corrected address (see the case workflow).
  setHandler(questionerCorrectedSignal, (contact) => {
    if (patched('questioner-corrected-signal')) Object.assign(input.questioner, contact);
  });
  setHandler(
    respondToComplaintUpdate,
    async ({ response: text, by }) => {
      response = text;
      await acts.recordComplaintResponse({ complaintId: input.complaintId, response: text, by, at: Date.now() });
      await acts.sendEmail({
        key: `${key}:response`,
        template: 'case-complaint-response',
        locale: input.questioner.language,
        to: input.questioner.email,
        data: { lk: input.lk, name: input.questioner.name, complaint: input.text, response: text },
        accountId: input.accountId,
      });
      return { complaintId: input.complaintId, response: text };
    },
    {
      validator: (_respond: { response: string; by: string }) => {
        if (response !== null)
          throw refusal(409, 'already_responded', `the complaint on ${input.lk} has already been answered`);
      },
    },
  );
  await failingVisiblyOnBadInput({ workflow: 'caseComplaint', id: key }, () =>
    acts.emailStaff({
      key: `${key}:filed`,
      role: 'handler',
      template: 'case-complaint',
      data: { lk: input.lk, text: input.text },
    }),
  );
  await condition(() => response !== null);
  await condition(allHandlersFinished);
}
