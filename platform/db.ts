import knex, { type Knex } from 'knex';
import pg from 'pg';
import { migrations } from '../db/migrations';

// int8 (bigint) columns hold money in minor units and counters, all far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// DATE columns are business dates: keep them as 'YYYY-MM-DD', never shift them through a time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Knex;

/** PostgreSQL's SQLSTATE for a unique violation. */
export const UNIQUE_VIOLATION = '23505';

export function createDb(url: string, pool = { min: 0, max: 10 }): Db {
  return knex({ client: 'pg', connection: url, pool, migrations: { migrationSource: migrationSource() } });
}

/** Migrations are TypeScript modules listed in order, so they run the same under tsx, vitest and the CLI. */
function migrationSource(): Knex.MigrationSource<string> {
  return {
    getMigrations: async () => Object.keys(migrations),
    getMigrationName: (name) => name,
    getMigration: async (name) => migrations[name]!,
  };
}

/** Any fixed number: the advisory lock under which one process at a time migrates. */
const MIGRATION_LOCK = 4_711_001;

/**
 * The API and the workers may start together on a fresh database. The first to come migrates
 * while the others wait on a PostgreSQL advisory lock (knex's own lock would make them fail),
 * then find nothing left to do. Needs a pool of at least two connections.
 */
export async function migrateLatest(db: Db): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    await db.migrate.latest();
  });
}

/** A key of a keyset-paged list: its column, and the kind of value a cursor holds for it. */
export interface KeysetKey {
  column: string;
  kind: 'text' | 'date' | 'timestamp' | 'integer' | 'uuid';
}

/**
 * Issue 20: one page of a list ordered by `keys` (one direction; the last key unique), starting
 * after the key values `after` of the previous page's last row. A page costs the same however
 * deep it is, nothing counts the whole table, and one row more than a page is read to tell
 * whether there is a next page. `next` holds the last row's key values, read as text: a
 * timestamp as a JavaScript Date would lose its microseconds and skip the rows that share its
 * millisecond.
 */
export async function keysetPage<T>(
  db: Db,
  query: Knex.QueryBuilder,
  keys: readonly KeysetKey[],
  direction: 'asc' | 'desc',
  limit: number,
  after: readonly unknown[] | undefined,
): Promise<{ items: T[]; next: unknown[] | null }> {
  const columns = keys.map((k) => k.column);
  if (after)
    query.whereRaw(
      `(${columns.map(() => '??').join(', ')}) ${direction === 'asc' ? '>' : '<'} (${columns.map(() => '?').join(', ')})`,
      [...columns, ...(after as Knex.Value[])],
    );
  const keyText = keys.map((k, i) =>
    db.raw(k.kind === 'timestamp' ? '??::text as ??' : '?? as ??', [k.column, `keyset_${i}`]),
  );
  const rows = (await query
    .select('*', ...keyText)
    .orderBy(columns.map((column) => ({ column, order: direction })))
    .limit(limit + 1)) as Record<string, unknown>[];
  const keyValues = rows.map((row) => keys.map((_, i) => row[`keyset_${i}`]));
  for (const row of rows) keys.forEach((_, i) => delete row[`keyset_${i}`]);
  const items = rows.slice(0, limit) as T[];
  return { items, next: rows.length > limit ? keyValues[limit - 1]! : null };
}
