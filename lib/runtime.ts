import { Client, Connection } from '@temporalio/client';
import { createDb, migrateLatest, type Db } from '../db/knex';
import type { Config } from './config';
import { temporalConnectionOptions } from './temporal';

/** Database (migrated) and Temporal client, as every process that serves or administers needs them. */
export async function connectRuntime(config: Config): Promise<{ db: Db; temporal: Client; close(): Promise<void> }> {
  const db = createDb(config.databaseUrl);
  await migrateLatest(db);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    db,
    temporal,
    async close() {
      await connection.close();
      await db.destroy();
    },
  };
}
