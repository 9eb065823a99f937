import { isWorkingDay, type IsoDate } from '../domain/calendar';
import type { Locale } from '../domain/vocabulary';
import type { Db } from '../platform/db';
import type { SendEmail } from '../platform/outbox/email.activities';
import type { HandlerDigestResult } from './digest.messages';

interface DigestCase {
  lk: string;
  kind: string;
  deadline: IsoDate;
}

/** Issue 18: the handlers' daily digest of the cases they must handle. */
export function createDigestActivities(deps: { db: Db; sendEmail: (m: SendEmail) => Promise<unknown> }) {
  return {
    /**
     * Cases still waiting for a handler (`registered`) whose handling deadline (L10) is `day`, and
     * those whose deadline has passed, e-mailed to every handler not blocked, each in their own
     * language. Idempotent: one outbox key per handler per day, so a retry sends nothing twice.
     */
    async sendHandlerDigest(input: { day: IsoDate }): Promise<HandlerDigestResult> {
      const { day } = input;
      const none = { day, handlers: 0, dueToday: 0, overdue: 0 };
      if (!isWorkingDay(day)) return none;
      const rows: { lk: string; kind: string; handling_deadline: string }[] = await deps
        .db('cases')
        .where({ status: 'registered' })
        .andWhere('handling_deadline', '<=', day)
        .select('lk', 'kind', deps.db.raw(`to_char(handling_deadline, 'YYYY-MM-DD') as handling_deadline`))
        .orderBy([{ column: 'handling_deadline' }, { column: 'lk' }]);
      const cases: DigestCase[] = rows.map((r) => ({ lk: r.lk, kind: r.kind, deadline: r.handling_deadline }));
      const dueToday = cases.filter((c) => c.deadline === day);
      const overdue = cases.filter((c) => c.deadline < day);
      // Nothing due and nothing late: no e-mail (a digest that says nothing teaches handlers to skip it).
      if (cases.length === 0) return none;
      const handlers: { id: string; email: string; name: string; language: Locale }[] = await deps
        .db('users')
        .where({ role: 'handler' })
        .whereNull('blocked_at')
        .select('id', 'email', 'name', 'language')
        .orderBy('email');
      for (const h of handlers) {
        await deps.sendEmail({
          key: `handler-digest:${day}:${h.id}`,
          template: 'handler-digest',
          locale: h.language,
          to: h.email,
          data: { name: h.name, day, dueToday, overdue },
        });
      }
      return { day, handlers: handlers.length, dueToday: dueToday.length, overdue: overdue.length };
    },
  };
}

export type DigestActivities = ReturnType<typeof createDigestActivities>;
