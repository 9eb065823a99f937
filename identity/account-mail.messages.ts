import type { Language } from '../domain/vocabulary';
import { defineWorkflow } from '../platform/temporal/contract';

/** One e-mail about a user's access: confirm the address, accept an invitation, reset a password (A2–A4). */
export interface AccountMailInput {
  /** The outbox key: one key, one message. */
  key: string;
  template: 'confirm-email' | 'account-invitation' | 'password-reset';
  language: Language;
  to: string;
  accountId: string | null;
  data: Record<string, string>;
}

/** Sends one access e-mail through the outbox, once: one workflow per key. */
export const accountMailWorkflow = defineWorkflow<[AccountMailInput], void>()(
  'accountMail',
  (key: string) => `account-mail-${key}`,
);
