import { workflowInfo } from '@temporalio/workflow';
import { activityProxies } from '../platform/temporal/proxies';
import type { WelcomeUserInput } from './welcome-user.messages';
import type { EmailActivities } from '../platform/outbox/email.activities';

const { acts } = activityProxies<EmailActivities>();

/** Id: welcomeUserWorkflow.workflowId(userId). Sends a new user their welcome e-mail, once. */
export async function welcomeUser(input: WelcomeUserInput): Promise<void> {
  await acts.sendEmail({
    key: workflowInfo().workflowId,
    template: 'welcome',
    locale: input.language,
    to: input.email,
    data: { name: input.name, email: input.email, signInUrl: input.signInUrl },
    accountId: input.accountId,
  });
}
