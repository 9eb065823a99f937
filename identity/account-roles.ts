import type { AccountRole } from '../platform/http/principal';

/**
 * A3, G9: which account roles may do what, as the routes' `accountRoles` name them. An admin may
 * do everything in the account (the first user of a private person's account is its only one).
 */
export const ACCOUNT_ACCESS = {
  /** Place orders, register cases, start extracts, change or cancel them. */
  order: ['admin', 'orderer'],
  /** Read orders, deliveries, agreements and cases. */
  read: ['admin', 'orderer', 'viewer'],
  /** Read invoices (the invoice recipients receive them too). */
  invoices: ['admin', 'viewer', 'invoices'],
  /** Users and their roles, system accounts, personal data. */
  administer: ['admin'],
} as const satisfies Record<string, readonly AccountRole[]>;

export type AccountPermission = keyof typeof ACCOUNT_ACCESS;

/** What a role may do in its account: the list the users page shows. */
export const permissionsOf = (role: AccountRole): AccountPermission[] =>
  (Object.keys(ACCOUNT_ACCESS) as AccountPermission[]).filter((p) =>
    (ACCOUNT_ACCESS[p] as readonly AccountRole[]).includes(role),
  );
