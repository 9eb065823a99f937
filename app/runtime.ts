import { Client, Connection } from '@temporalio/client';
import { createDb, migrateLatest, type Db } from '../platform/db';
import type { Config } from '../platform/config';
import { temporalConnectionOptions } from '../platform/temporal/connection';

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
