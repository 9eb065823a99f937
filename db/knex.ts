import knex, { type Knex } from 'knex';
import pg from 'pg';
import { migrations } from './migrations';

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

export async function migrateLatest(db: Db): Promise<void> {
  await db.migrate.latest();
}
