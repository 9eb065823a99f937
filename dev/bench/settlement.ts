/**
 * `npm run bench:settlement [-- --providers N --datasets M --heap MB]`: generates N providers
 * (default 10 000) and M map-material rows (default 1 000 000), streams them to the import API
 * of a back office running as child processes (the API and a worker, as production runs them),
 * then runs the year, closes its books and recomputes the draft. Prints import time,
 * calculation time and each process's memory against the targets of issue 6.
 */
import { createDirectory } from '../../identity/directory.service';
import { loadConfig } from '../../platform/config';
import { connectRuntime } from '../../app/runtime';
import {
  arg,
  check,
  peakMemoryMiB,
  residentMemoryMiB,
  runBenchmark,
  say,
  signIn,
  startBackOfficeProcesses,
} from './support';

const PROVIDERS = arg('providers', 10_000);
const DATASETS = arg('datasets', 1_000_000);
const YEAR = 2025;
const HEAP_MB = arg('heap', 160);
const SCALES = [500, 1000, 2000, 5000, 10_000, 20_000];

/** A CSV file made on the fly, in pieces of about 10 000 rows. */
function csvStream(header: string, rows: number, row: (i: number) => string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode(`${header}\n`));
    },
    pull(controller) {
      if (i >= rows) return controller.close();
      const end = Math.min(rows, i + 10_000);
      const lines: string[] = [];
      for (; i < end; i++) lines.push(row(i));
      controller.enqueue(encoder.encode(`${lines.join('\n')}\n`));
    },
  });
}

const pid = (i: number) => `p${String(i).padStart(5, '0')}`;

await runBenchmark('bench-settlement', async ({ env, stops }) => {
  const config = loadConfig(env);
  say(`Benchmark: ${PROVIDERS} providers, ${DATASETS} map-material rows; servers in ${env.DATA_DIR}`);
  // As in production (README), both with a capped heap, so V8 collects the import's garbage
  // instead of growing into the machine's free memory.
  const { processes, base } = await startBackOfficeProcesses(env, config, stops, {
    NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`,
  });
  await new Promise((r) => setTimeout(r, 2000)); // the worker's start-up

  // Each process's resident memory, sampled per phase (start-up, importing, calculating).
  const peaks = { api: 0, worker: 0 };
  const sampler = setInterval(() => {
    for (const name of ['api', 'worker'] as const)
      peaks[name] = Math.max(peaks[name], residentMemoryMiB(processes[name].pid!) ?? 0);
  }, 50);
  stops.unshift(async () => clearInterval(sampler));
  const phase = () => {
    const figures = { ...peaks };
    peaks.api = peaks.worker = 0;
    return figures;
  };
  const startup = {
    api: residentMemoryMiB(processes.api.pid!) ?? 0,
    worker: residentMemoryMiB(processes.worker.pid!) ?? 0,
  };
  const runtime = await connectRuntime(config);
  stops.unshift(runtime.close);
  const directory = createDirectory({ db: runtime.db, welcome: async () => {} });
  const tokens: string[] = [];
  for (const who of ['fin1', 'fin2']) {
    await directory.createUser(
      { email: `${who}@bench.test`, name: who, password: 'bench-password-1', role: 'finance' },
      { actorType: 'system' },
    );
    tokens.push(await signIn(base, `${who}@bench.test`, 'bench-password-1'));
  }
  const [fin1, fin2] = tokens as [string, string];
  const post = async (path: string, token: string, body?: ReadableStream<Uint8Array>) => {
    const res = await fetch(`${base}/api/v1/settlements/${YEAR}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'text/csv' } : {}) },
      body,
      duplex: 'half',
    });
    if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
    return res.json();
  };
  const timed = async (what: () => Promise<unknown>) => {
    const t0 = performance.now();
    await what();
    return (performance.now() - t0) / 1000;
  };

  const importSeconds = await timed(async () => {
    await post(
      '/imports/providers',
      fin1,
      csvStream(
        'provider_id,name,business_id,iban,email,language',
        PROVIDERS,
        (i) => `${pid(i)},Kunta ${i},0112038-9,FI2112345600000785,kunta${i}@bench.test,${['fi', 'sv', 'en'][i % 3]}`,
      ),
    );
    await post(
      '/imports/map-material',
      fin1,
      csvStream(
        'provider_id,dataset_id,area_km2,scale_denominator,in_service_from,in_service_to',
        DATASETS,
        (i) =>
          // Every fifth dataset went out of service during the year, every seventh came into it.
          `${pid(i % PROVIDERS)},ds-${i},${(i % 997) + 1}.${i % 100},${SCALES[i % SCALES.length]},${i % 7 === 0 ? `${YEAR}-0${1 + (i % 9)}-1${i % 10}` : '2015-01-01'},${i % 5 === 0 ? `${YEAR}-1${i % 3}-0${1 + (i % 9)}` : ''}`,
      ),
    );
    await post(
      '/imports/address-material',
      fin1,
      csvStream('provider_id,addresses', PROVIDERS, (i) => `${pid(i)},${1000 + ((i * 7919) % 50_000)}`),
    );
    await post(
      '/imports/revenue',
      fin1,
      csvStream(
        'category,amount',
        5,
        (i) =>
          `${['usage_fee', 'copy_permit', 'publication_permit', 'address_search', 'address_register_cost'][i]},${[4_500_000, 120_000, 30_000, 800_000, 200_000][i]}.00`,
      ),
    );
  });
  const importing = phase();

  await post('/run', fin1);
  const firstDraftSeconds = await timed(() => post('/close-books', fin1));
  const recomputeSeconds = await timed(() => post('/recompute', fin2));
  const statement = (await (
    await fetch(`${base}/api/v1/settlements/${YEAR}`, { headers: { authorization: `Bearer ${fin1}` } })
  ).json()) as { lines: { pool: string; amount: { minor: number } }[]; pools: { map: { total: { minor: number } } } };
  const mapLines = statement.lines.filter((l) => l.pool === 'map');
  const paid = mapLines.reduce((s, l) => s + l.amount.minor, 0);
  if (paid !== statement.pools.map.total.minor)
    throw new Error(`the map lines add up to ${paid}, not the pool's ${statement.pools.map.total.minor}`);
  const calculating = phase();
  clearInterval(sampler);
  const lifePeaks = { api: peakMemoryMiB(processes.api.pid!), worker: peakMemoryMiB(processes.worker.pid!) };

  say('');
  say(`import (4 files, ${DATASETS} map rows)   ${importSeconds.toFixed(1)} s`);
  say(
    `calculation (recompute)            ${recomputeSeconds.toFixed(1)} s   target ≤ 5: ${check(recomputeSeconds <= 5)}   (first draft on closing the books: ${firstDraftSeconds.toFixed(1)} s)`,
  );
  say(
    `import and calculation together    ${(importSeconds + recomputeSeconds).toFixed(1)} s   target ≤ 30: ${check(importSeconds + recomputeSeconds <= 30)}`,
  );
  const settling = Math.max(importing.api, importing.worker, calculating.api, calculating.worker);
  say(
    `memory while settling (MiB)        API importing ${importing.api}, calculating ${calculating.api}; worker importing ${importing.worker}, calculating ${calculating.worker}   target ≤ 300 each: ${check(settling > 0 && settling <= 300)}`,
  );
  say(
    `                                   at start-up: API ${startup.api}, worker ${startup.worker}; peak over their lives: API ${lifePeaks.api ?? '?'}, worker ${lifePeaks.worker ?? '?'} (heap capped at ${HEAP_MB} MB)`,
  );
  say(
    `statement                          ${mapLines.length} map lines adding up to the pool of ${(paid / 100).toFixed(2)} EUR`,
  );
});
