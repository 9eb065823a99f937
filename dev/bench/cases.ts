/**
 * `npm run bench:cases [-- --cases N --concurrency C]`: registers N locate cases (default 1000)
 * through the HTTP API of a back office running as child processes (the API and a worker), a
 * scripted handler answering each owner of each case as soon as it is registered; prints cases
 * per second end to end (until every case is answered), p50/p99 of registering a case, and the
 * working-day calendar's operations per second (add n working days).
 */
import { seedNetworkOwners } from '../demo-network-owners';
import { addDays, addWorkingDays, orderTime } from '../../domain/calendar';
import { loadConfig } from '../../platform/config';
import { connectRuntime } from '../../app/runtime';
import { arg, check, customerAndHandler, percentile, runBenchmark, say, startBackOfficeProcesses } from './support';

const N = arg('cases', 1000);
const CONCURRENCY = arg('concurrency', 8);
// A 200 m square inside two demo owners' coverage (Stockholm Elnät, Fiber Öst).
const E = 675_000;
const NORTH = 6_580_000;

/** The calendar alone, in this process: adding 0–20 working days to dates spread over 1900–2200. */
function calendarOpsPerSecond(): number {
  const dates = Array.from({ length: 1000 }, (_, i) => addDays('1900-01-01', i * 109));
  const ops = 2_000_000;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) sink += addWorkingDays(dates[i % 1000]!, i % 21).length;
  const seconds = (performance.now() - t0) / 1000;
  if (sink === 0) throw new Error('unreachable');
  return ops / seconds;
}

await runBenchmark('bench-cases', async ({ env, stops }) => {
  const config = loadConfig(env);
  say(`Benchmark: ${N} locate cases, ${CONCURRENCY} at a time; servers in ${env.DATA_DIR}`);
  const { base } = await startBackOfficeProcesses(env, config, stops);

  const runtime = await connectRuntime(config);
  stops.unshift(runtime.close);
  await seedNetworkOwners(runtime.db);
  const { customer, handler } = await customerAndHandler(runtime.db, base, {
    name: 'Bench Gräv AB',
    organisationNumber: '556000-0001',
    language: 'sv',
  });
  const post = async (token: string, url: string, body: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };

  const today = orderTime(new Date());
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const e = E + (i % 10) * 10;
        const t0 = performance.now();
        const registered = await post(customer, '/api/v1/cases', {
          kind: 'locate',
          acceptTerms: true,
          workArea: {
            type: 'Polygon',
            coordinates: [
              [
                [e, NORTH],
                [e + 100, NORTH],
                [e + 100, NORTH + 100],
                [e, NORTH + 100],
                [e, NORTH],
              ],
            ],
          },
          digStart: addWorkingDays(today, 15),
          desiredLocateDate: addWorkingDays(today, 10),
        });
        latencies.push(performance.now() - t0);
        // The scripted handler: every owner answers at once.
        for (const owner of registered.owners as { id: string }[]) {
          await post(handler, `/api/v1/cases/${registered.lk as string}/answers`, {
            ownerId: owner.id,
            answer: i % 2 ? 'no_infrastructure' : 'dig_according_to_map',
          });
        }
      }
    }),
  );
  // Answered means every owner's answer is in and the workflow has mirrored the case's new status.
  const answered = async () =>
    Number(
      (await runtime.db('cases').where({ status: 'answered' }).count<{ count: string }[]>('* as count'))[0]!.count,
    );
  while ((await answered()) < N) await new Promise((r) => setTimeout(r, 100));
  const seconds = (performance.now() - started) / 1000;

  latencies.sort((a, b) => a - b);
  const calendar = calendarOpsPerSecond();
  say('');
  say(
    `cases end to end           ${(N / seconds).toFixed(1)} cases/s (${N} registered and answered in ${seconds.toFixed(1)} s)`,
  );
  say(
    `registering a case         p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`,
  );
  say(
    `calendar: add working days ${Math.round(calendar).toLocaleString('en')} ops/s   target ≥ 1,000,000: ${check(calendar >= 1_000_000)}`,
  );
});
