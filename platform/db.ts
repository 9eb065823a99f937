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
