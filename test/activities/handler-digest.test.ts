import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureHandlerDigestSchedule } from '../../cases/digest-schedule';
import { HANDLER_DIGEST_SCHEDULE_ID } from '../../cases/digest.messages';
import { HANDLER_DIGEST_HOUR } from '../../cases/cases.rules';
import { createTestDatabase, mailTo, testActivities, testConfig } from '../support/env';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const run = crypto.randomBytes(4).toString('hex');
const address = (who: string) => `${who}-${run}@digest.test.se`;

async function handler(who: string, language: 'sv' | 'en', extra: Record<string, unknown> = {}) {
  const [row] = await database
    .db('users')
    .insert({ email: address(who), name: who, password_hash: 'x', role: 'handler', language, ...extra })
    .returning('id');
  return (row as { id: string }).id;
}

async function caseRow(lk: string, handlingDeadline: string, status = 'registered', kind = 'locate') {
  const [account] = await database.db('accounts').select('id').limit(1);
  await database.db('cases').insert({
    lk,
    kind,
    account_id: (account as { id: string }).id,
    work_area: JSON.stringify({ type: 'Polygon', coordinates: [] }),
    area_m2: 100,
    registered_at: new Date('2026-12-01T09:00:00Z'),
    order_time: '2026-12-01',
    handling_deadline: handlingDeadline,
    dig_start: '2026-12-20',
    status,
    fees: JSON.stringify({ version: '2020-01-01', amounts: {} }),
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  await database
    .db('accounts')
    .insert({ kind: 'organisation', name: 'Gräv AB', organisation_number: '556000-0000', email: 'grav@test.se' });
});
afterAll(async () => {
  await database.drop();
});

describe('the handlers’ daily digest (issue 18)', () => {
  it('e-mails each handler, in their language, the cases due today and those overdue — once per day however often it runs', async () => {
    const sv = await handler('hanna', 'sv');
    await handler('harry', 'en');
    await handler('blocked', 'sv', { blocked_at: new Date() });
    await caseRow('LK-2026-000001', '2026-12-04');
    await caseRow('LK-2026-000002', '2026-12-02');
    await caseRow('LK-2026-000003', '2026-12-07');
    await caseRow('LK-2026-000004', '2026-12-03', 'located');
    await caseRow('LK-2026-000005', '2026-12-04', 'registered', 'planning');

    const { sendHandlerDigest } = testActivities(database.db);
    const result = await sendHandlerDigest({ day: '2026-12-04' });
    expect(result).toEqual({ day: '2026-12-04', handlers: 2, dueToday: 2, overdue: 1 });
    // A retried activity (or a second run the same day) sends nothing more.
    await sendHandlerDigest({ day: '2026-12-04' });

    const [swedish] = await mailTo(address('hanna'));
    expect(swedish!.subject).toBe('Dagens ärenden 2026-12-04: 2 att handlägga, 1 försenade');
    expect(swedish!.text).toContain('LK-2026-000001 (locate)');
    expect(swedish!.text).toContain('LK-2026-000005 (planning)');
    expect(swedish!.text).toMatch(
      /Försenade ärenden:\s+LK-2026-000002 \(locate\), skulle ha handlagts senast 2026-12-02/,
    );
    expect(swedish!.text).not.toContain('LK-2026-000003');
    expect(swedish!.text).not.toContain('LK-2026-000004');
    const [english] = await mailTo(address('harry'));
    expect(english!.subject).toBe("Today's cases 2026-12-04: 2 due, 1 overdue");
    expect(english!.text).toContain('LK-2026-000002 (locate), was due by 2026-12-02');

    await new Promise((r) => setTimeout(r, 500));
    expect(await mailTo(address('hanna'), 2, 500)).toHaveLength(1);
    expect(await mailTo(address('blocked'), 1, 500)).toHaveLength(0);
    expect(await database.db('outbox').where({ idempotency_key: `handler-digest:2026-12-04:${sv}` })).toHaveLength(1);
  });

  it('sends nothing on a day that is not a working day, nor when nothing is due or overdue', async () => {
    const { sendHandlerDigest } = testActivities(database.db);
    expect(await sendHandlerDigest({ day: '2026-12-05' })).toMatchObject({ handlers: 0 });
    expect(await sendHandlerDigest({ day: '2026-11-30' })).toEqual({
      day: '2026-11-30',
      handlers: 0,
      dueToday: 0,
      overdue: 0,
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailTo(address('harry'), 2, 500)).toHaveLength(1);
  });

  it('a Schedule on the dev server starts it every morning, created once however often the back office starts', async () => {
    const config = testConfig();
    const connection = await Connection.connect({ address: config.temporalAddress });
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    try {
      await ensureHandlerDigestSchedule(temporal, config);
      await ensureHandlerDigestSchedule(temporal, config);
      const schedules = [];
      for await (const s of temporal.schedule.list())
        if (s.scheduleId === HANDLER_DIGEST_SCHEDULE_ID) schedules.push(s);
      expect(schedules).toHaveLength(1);
      const described = await temporal.schedule.getHandle(HANDLER_DIGEST_SCHEDULE_ID).describe();
      expect(described.spec.timezone).toBe('Europe/Stockholm');
      expect(described.spec.calendars).toEqual([
        expect.objectContaining({ hour: [{ start: HANDLER_DIGEST_HOUR, end: HANDLER_DIGEST_HOUR, step: 1 }] }),
      ]);
      expect(described.action).toMatchObject({ workflowType: 'handlerDigest', taskQueue: config.TEMPORAL_TASK_QUEUE });
    } finally {
      await temporal.schedule.getHandle(HANDLER_DIGEST_SCHEDULE_ID).delete();
      await connection.close();
    }
  });
});
