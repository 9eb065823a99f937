import type { Directory } from '../identity/directory.service';

const system = { actorType: 'system' as const, actorId: 'demo-seed' };

export interface DemoCredentials {
  users: { role: string; email: string; password: string }[];
  systemAccount: { clientId: string; clientSecret: string };
}

/**
 * Demo data for a laptop: one user of each role (two in finance, for four-eyes approval),
 * a private and an organisation customer, and a system account for the delivery API.
 * Only ever run on the embedded database's first start.
 */
export async function seedDemo(directory: Directory): Promise<DemoCredentials> {
  const password = 'demo-password';
  const privatePerson = await directory.createAccount(
    { kind: 'private', name: 'Anna Andersson', email: 'anna@example.se', language: 'sv', birthDate: '1985-04-12' },
    system,
  );
  const organisation = await directory.createAccount(
    {
      kind: 'organisation',
      name: 'Bygg & Mark AB',
      email: 'info@byggmark.example.se',
      language: 'sv',
      organisationNumber: '556123-4567',
    },
    system,
  );
  const users = [
    { email: 'admin@kartkontor.example', name: 'Ada Admin', role: 'admin' as const },
    { email: 'handler@kartkontor.example', name: 'Hugo Handläggare', role: 'handler' as const },
    { email: 'finance@kartkontor.example', name: 'Fia Finans', role: 'finance' as const },
    { email: 'finance2@kartkontor.example', name: 'Frans Finans', role: 'finance' as const },
    { email: 'anna@example.se', name: 'Anna Andersson', role: 'customer' as const, accountId: privatePerson.id },
    {
      email: 'bo@byggmark.example.se',
      name: 'Bo Byggare',
      role: 'customer' as const,
      accountId: organisation.id,
      language: 'en' as const,
    },
  ];
  for (const u of users) await directory.createUser({ ...u, password }, system);
  const systemAccount = await directory.createSystemAccount(organisation.id, 'Demo integration', system);
  return {
    users: users.map((u) => ({ role: u.role, email: u.email, password })),
    systemAccount: { clientId: systemAccount.clientId, clientSecret: systemAccount.clientSecret },
  };
}
