import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDb, migrateLatest, type Db } from '../../platform/db';
import { migrations } from '../../db/migrations';
import { createTestDatabase } from '../support/env';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
});
afterAll(() => database.drop());

const tables = async (db: Db) =>
  (
    await db.raw(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_%' ORDER BY 1`,
    )
  ).rows.map((r: { tablename: string }) => r.tablename);

it('migrates an empty database up, all the way down, and up again', async () => {
  const { db } = database;
  expect(await tables(db)).toEqual([]);
  await db.migrate.latest();
  const afterUp = await tables(db);
  expect(afterUp).toEqual(
    expect.arrayContaining([
      'accounts',
      'users',
      'invoices',
      'invoice_lines',
      'outbox',
      'audit_log',
      'idempotency_keys',
    ]),
  );

  await db.migrate.rollback(undefined, true);
  expect(await tables(db)).toEqual([]);
  const [, pending] = await db.migrate.list();
  expect(pending).toHaveLength(Object.keys(migrations).length);

  await db.migrate.latest();
  expect(await tables(db)).toEqual(afterUp);
});

it('keeps the audit log append-only', async () => {
  const { db } = database;
  await db('audit_log').insert({ actor_type: 'system', action: 'test', object_type: 'test' });
  await expect(db('audit_log').update({ action: 'rewritten' })).rejects.toThrow(/append-only/);
  await expect(db('audit_log').delete()).rejects.toThrow(/append-only/);
  expect(await db('audit_log').where({ action: 'test' })).toHaveLength(1);
});

it('processes starting together on a fresh database: one migrates, the others wait and none fails', async () => {
  const fresh = await createTestDatabase({ migrate: false });
  // Each a process of its own as far as PostgreSQL can tell: its own pool of connections.
  const processes = Array.from({ length: 4 }, () => createDb(fresh.url));
  try {
    await Promise.all(processes.map((db) => migrateLatest(db)));
    const [done, pending] = await fresh.db.migrate.list();
    expect(done).toHaveLength(Object.keys(migrations).length);
    expect(pending).toEqual([]);
  } finally {
    await Promise.all(processes.map((db) => db.destroy()));
    await fresh.drop();
  }
});
