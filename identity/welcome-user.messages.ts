import type { Language } from '../domain/vocabulary';
import { defineWorkflow } from '../platform/temporal/contract';

export interface WelcomeUserInput {
  userId: string;
  accountId: string | null;
  email: string;
  name: string;
  language: Language;
  signInUrl: string;
}

/** Sends a new user their welcome e-mail, once: one workflow per user. */
export const welcomeUserWorkflow = defineWorkflow<[WelcomeUserInput], void>()(
  'welcomeUser',
  (userId: string) => `welcome-user-${userId}`,
);
