/**
 * Provisions the two Temporal executables Kartkontor needs and caches them outside
 * the clone (CACHE_DIR, by default ~/.cache/kartkontor) so later clones and CI reuse them:
 *  - the Temporal CLI (dev server for `npm start` and integration tests);
 *  - the Java time-skipping test server (workflow tests with days of timers).
 * Every step says which path it took; long steps stream their progress.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEST_SERVER_VERSION = '1.38.0';

type Say = (line: string) => void;
const defaultSay: Say = (line) => process.stderr.write(`[provision] ${line}\n`);

function cacheDir(): string {
  return (
    process.env.CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(process.env.HOME ?? '/tmp', '.cache'), 'kartkontor')
  );
}

function onPath(binary: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  const p = found.stdout.trim();
  return found.status === 0 && p ? p : undefined;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, say: Say, cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) say(`  ${line.trim()}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

async function tryReleaseDownload(target: string, say: Say): Promise<boolean> {
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const url = `https://temporal.download/cli/archive/v${TEMPORAL_CLI_VERSION}?platform=${process.platform}&arch=${arch}`;
  say(`trying the official release download (${url})`);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const archive = `${target}.tar.gz`;
    fs.writeFileSync(archive, Buffer.from(await res.arrayBuffer()));
    const dir = path.dirname(target);
    const untar = spawnSync('tar', ['-xzf', archive, '-C', dir, 'temporal']);
    fs.rmSync(archive, { force: true });
    if (untar.status !== 0) throw new Error('could not unpack the archive');
    return true;
  } catch (err) {
    say(`release download not possible here (${(err as Error).message})`);
    return false;
  }
}

/** TEMPORAL_CLI, else `temporal` on PATH, else the cache, else download, else build with Go. */
export async function ensureTemporalCli(say: Say = defaultSay): Promise<string> {
  if (process.env.TEMPORAL_CLI) {
    say(`Temporal CLI: using TEMPORAL_CLI=${process.env.TEMPORAL_CLI}`);
    return process.env.TEMPORAL_CLI;
  }
  const fromPath = onPath('temporal');
  if (fromPath) {
    say(`Temporal CLI: using ${fromPath} from PATH`);
    return fromPath;
  }
  const binDir = path.join(cacheDir(), 'bin');
  const cached = path.join(binDir, 'temporal');
  if (fs.existsSync(cached)) {
    say(`Temporal CLI: using cached ${cached}`);
    return cached;
  }
  fs.mkdirSync(binDir, { recursive: true });
  if (await tryReleaseDownload(cached, say)) {
    say(`Temporal CLI: downloaded to ${cached}`);
    return cached;
  }
  if (!onPath('go'))
    throw new Error('Temporal CLI not found: set TEMPORAL_CLI, put `temporal` on PATH, or install Go to build it');
  say(
    `Temporal CLI: building v${TEMPORAL_CLI_VERSION} from the Go module proxy (several minutes the first time; cached afterwards)`,
  );
  const env = {
    ...process.env,
    GOBIN: binDir,
    GOPATH: path.join(cacheDir(), 'go'),
    GOFLAGS: '-modcacherw',
  };
  await run('go', ['install', '-v', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], env, say);
  say(`Temporal CLI: built ${cached}`);
  return cached;
}

/** TEMPORAL_TEST_SERVER, else the Maven artifact resolved into the cache behind a wrapper script. */
export async function ensureTestServer(say: Say = defaultSay): Promise<string> {
  if (process.env.TEMPORAL_TEST_SERVER) {
    say(`time-skipping test server: using TEMPORAL_TEST_SERVER=${process.env.TEMPORAL_TEST_SERVER}`);
    return process.env.TEMPORAL_TEST_SERVER;
  }
  const dir = path.join(cacheDir(), `temporal-test-server-${TEST_SERVER_VERSION}`);
  const wrapper = path.join(dir, 'temporal-test-server');
  if (fs.existsSync(wrapper)) {
    say(`time-skipping test server: using cached ${wrapper}`);
    return wrapper;
  }
  if (!onPath('mvn') || !onPath('java'))
    throw new Error('time-skipping test server needs Java and Maven (or set TEMPORAL_TEST_SERVER)');
  say(`time-skipping test server: resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>kartkontor</groupId><artifactId>temporal-test-server</artifactId><version>1</version><packaging>pom</packaging>
<dependencies><dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEST_SERVER_VERSION}</version></dependency></dependencies>
</project>\n`,
  );
  await run(
    'mvn',
    ['-B', '-ntp', 'dependency:copy-dependencies', '-DoutputDirectory=lib', '-DincludeScope=runtime'],
    process.env,
    say,
    dir,
  );
  // @temporalio/testing runs this with the port as its first argument.
  fs.writeFileSync(
    wrapper,
    `#!/bin/sh\nexec java -cp "$(dirname "$0")/lib/*" io.temporal.testserver.TestServer "$@"\n`,
    { mode: 0o755 },
  );
  say(`time-skipping test server: ready at ${wrapper}`);
  return wrapper;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cli = await ensureTemporalCli();
  const testServer = await ensureTestServer();
  defaultSay(`done: TEMPORAL_CLI=${cli} TEMPORAL_TEST_SERVER=${testServer}`);
}
