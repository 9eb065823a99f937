import { workflowInfo } from '@temporalio/workflow';
import { activityProxies } from '../platform/temporal/proxies';
import { failingVisiblyOnBadInput } from '../platform/temporal/refusal';
import type { WelcomeUserInput } from './welcome-user.messages';
import type { EmailActivities } from '../platform/outbox/email.activities';

const { acts } = activityProxies<EmailActivities>();

/** Id: welcomeUserWorkflow.workflowId(userId). Sends a new user their welcome e-mail, once. */
export async function welcomeUser(input: WelcomeUserInput): Promise<void> {
  const id = workflowInfo().workflowId;
  await failingVisiblyOnBadInput({ workflow: 'welcomeUser', id }, () =>
    acts.sendEmail({
      key: id,
      template: 'welcome',
      locale: input.language,
      to: input.email,
      data: { name: input.name, email: input.email, signInUrl: input.signInUrl },
      accountId: input.accountId,
    }),
  );
}
