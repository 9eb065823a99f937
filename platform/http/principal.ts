import type { Language } from '../../domain/vocabulary';

/** A user's role: inside a customer's account, or staff (A3). */
export const ROLES = ['customer', 'handler', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a signed-in user or a system account (G10), as identity authenticated it. */
export interface Principal {
  kind: 'user' | 'system_account';
  id: string;
  role: Role;
  accountId: string | null;
  email: string | null;
  language: Language;
}
