import { activityProxies } from '../platform/temporal/proxies';
import type { AccountMailInput } from './account-mail.messages';
import type { EmailActivities } from '../platform/outbox/email.activities';

const { acts } = activityProxies<EmailActivities>();

/** Id: accountMailWorkflow.workflowId(key). Sends one access e-mail through the outbox, once. */
export async function accountMail(input: AccountMailInput): Promise<void> {
  await acts.sendEmail({
    key: input.key,
    template: input.template,
    locale: input.language,
    to: input.to,
    data: input.data,
    accountId: input.accountId,
  });
}
