import { workflowInfo } from '@temporalio/workflow';
import { acts } from '../platform/temporal/activities';

export interface WelcomeUserInput {
  userId: string;
  accountId: string | null;
  email: string;
  name: string;
  language: 'sv' | 'en';
  signInUrl: string;
}

/** Id: workflowIds.welcomeUser(userId). Sends a new user their welcome e-mail, once. */
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
