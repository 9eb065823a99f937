import type { Answer } from '../domain/cases';
import type { Db } from '../db/knex';
import { recordAnswer, updateCase, type CaseRow } from '../db/stores/cases';
import type { Role } from '../db/stores/users';
import type { SendEmail } from './email';

export function createCaseActivities(deps: { db: Db; sendEmail: (m: SendEmail) => Promise<unknown> }) {
  return {
    async recordCaseState(lk: string, changes: Partial<Pick<CaseRow, 'status' | 'overdue' | 'locate_date' | 'express'>>): Promise<void> {
      await updateCase(deps.db, lk, changes);
    },

    async recordCaseAnswer(input: { lk: string; ownerId: string; answer: Answer; note: string | null; by: string; at: number }): Promise<void> {
      await recordAnswer(deps.db, input.lk, input.ownerId, input.answer, input.note, input.by, new Date(input.at));
    },

    /** One message per staff member of the role, each under its own key (so a retry sends none twice). */
    async emailStaff(input: { key: string; role: Role; template: string; data: Record<string, unknown> }): Promise<number> {
      const staff: { id: string; email: string; language: 'sv' | 'en' }[] = await deps.db('users').where({ role: input.role }).select('id', 'email', 'language');
      for (const user of staff) {
        await deps.sendEmail({ key: `${input.key}:${user.id}`, template: input.template, locale: user.language, to: user.email, data: input.data });
      }
      return staff.length;
    },
  };
}
