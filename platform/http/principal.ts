import type { Language } from '../../domain/vocabulary';

/** A user's role: inside a customer's account, or staff (A3). */
export const ROLES = ['customer', 'handler', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A customer user's role inside the account (A3): admin (users, system accounts, personal data),
 * orderer (orders, cases, extracts), viewer (reads), invoices (receives and reads invoices).
 */
export const ACCOUNT_ROLES = ['admin', 'orderer', 'viewer', 'invoices'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** Who is calling: a signed-in user or a system account (G10), as identity authenticated it. */
export interface Principal {
  kind: 'user' | 'system_account';
  id: string;
  role: Role;
  accountId: string | null;
  email: string | null;
  language: Language;
  /** Set for customer users only (A3); system accounts and staff have none. */
  accountRole?: AccountRole;
}
