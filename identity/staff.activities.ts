import type { Db } from '../platform/db';
import type { SendEmail } from '../platform/outbox/email.activities';
import type { Language } from '../domain/vocabulary';
import type { Role } from '../platform/http/principal';

/** E-mail to every staff user of a role (handlers, finance), each once under `{key}:{user}`. */
export function createStaffActivities(deps: { db: Db; sendEmail: (m: SendEmail) => Promise<unknown> }) {
  return {
    async emailStaff(input: {
      key: string;
      role: Role;
      template: string;
      data: Record<string, unknown>;
    }): Promise<number> {
      const staff: { id: string; email: string; language: Language }[] = await deps
        .db('users')
        .where({ role: input.role })
        .select('id', 'email', 'language');
      for (const user of staff) {
        await deps.sendEmail({
          key: `${input.key}:${user.id}`,
          template: input.template,
          locale: user.language,
          to: user.email,
          data: input.data,
        });
      }
      return staff.length;
    },
  };
}

export type StaffActivities = ReturnType<typeof createStaffActivities>;
