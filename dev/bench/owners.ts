/**
 * `npm run bench:owners [-- --cases 300 --concurrency 4 --owners 5000 --vertices 500]`: registers
 * cases through the HTTP API of a back office running as child processes, first with the three
 * demo network owners, then again after adding `owners` more with detailed coverage (a
 * `vertices`-gon each, tiled over Sweden so that a work area's box meets a few of them); prints
 * the p50/p99 of registering a case at both sizes and the p99 ratio beside its floor (issue 21:
 * within 20 %).
 */
import { seedNetworkOwners } from '../demo-network-owners';
import { addWorkingDays, orderTime } from '../../domain/calendar';
import type { Polygon, Position } from '../../domain/geometry';
import { loadConfig } from '../../platform/config';
import { addCoverageVersion } from '../../cases/network-owners.store';
import { connectRuntime } from '../../app/runtime';
import {
  arg,
  check,
  customerAndHandler,
  percentile,
  pool,
  runBenchmark,
  say,
  startBackOfficeProcesses,
} from './support';

const CASES = arg('cases', 300);
const CONCURRENCY = arg('concurrency', 4);
const OWNERS = arg('owners', 5000);
const VERTICES = arg('vertices', 500);
// Work areas around Stockholm, inside two demo owners' coverage.
const E = 675_000;
const NORTH = 6_580_000;

/** A detailed, wavy ring around (e, n): `VERTICES` positions, radius r ± 10 %. */
function detailed(e: number, n: number, r: number): Polygon {
  const ring: Position[] = Array.from({ length: VERTICES }, (_, i) => {
    const a = (2 * Math.PI * i) / VERTICES;
    const radius = r * (1 + 0.1 * Math.sin(a * 17));
    return [Math.round(e + radius * Math.cos(a)), Math.round(n + radius * Math.sin(a))];
  });
  return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
}

await runBenchmark('bench-owners', async ({ env, stops }) => {
  const config = loadConfig(env);
  say(
    `Benchmark: ${CASES} cases at 3 owners, then at ${OWNERS + 3} (${VERTICES} vertices each); servers in ${env.DATA_DIR}`,
  );
  const { base } = await startBackOfficeProcesses(env, config, stops);
  const runtime = await connectRuntime(config);
  stops.unshift(runtime.close);
  await seedNetworkOwners(runtime.db);
  const { customer } = await customerAndHandler(runtime.db, base, {
    name: 'Bench Nät AB',
    organisationNumber: '556000-0001',
    language: 'sv',
  });
  const today = orderTime(new Date());

  const registerAll = async () => {
    const latencies: number[] = [];
    let owners = 0;
    await pool(CASES, CONCURRENCY, async (i) => {
      const e = E + (i % 50) * 40;
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${customer}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'planning',
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
          digStart: addWorkingDays(today, 20),
        }),
      });
      if (!res.ok) throw new Error(`registering answered ${res.status}: ${await res.text()}`);
      latencies.push(performance.now() - t0);
      owners += ((await res.json()) as { owners: unknown[] }).owners.length;
    });
    return { sorted: latencies.sort((a, b) => a - b), ownersPerCase: owners / CASES };
  };

  // A first round warms the processes up (JIT, pools), so the two measured rounds compare alike.
  await registerAll();
  const small = await registerAll();

  say(`adding ${OWNERS} owners …`);
  const t0 = performance.now();
  const cols = Math.ceil(Math.sqrt(OWNERS / 2));
  const rows = Math.ceil(OWNERS / cols);
  const [minE, maxE, minN, maxN] = [260_000, 920_000, 6_150_000, 7_650_000];
  const [dE, dN] = [(maxE - minE) / cols, (maxN - minN) / rows];
  await pool(OWNERS, 4, async (i) => {
    const id = `bench-${String(i).padStart(5, '0')}`;
    const [c, r] = [i % cols, Math.floor(i / cols)];
    await runtime.db.transaction(async (trx) => {
      await trx('network_owners').insert({
        id,
        name: `Bench Nät ${i}`,
        email: `${id}@bench.example.se`,
        mode: 'locates',
      });
      await addCoverageVersion(
        trx,
        { owner_id: id, valid_from: '1900-01-01', source: 'geojson', features: 1, loaded_by: 'bench', reason: 'bench' },
        [detailed(minE + (c + 0.5) * dE, minN + (r + 0.5) * dN, 0.6 * Math.max(dE, dN))],
      );
    });
  });
  await runtime.db.raw('ANALYZE network_owner_coverage_parts; ANALYZE network_owner_coverages; ANALYZE network_owners');
  say(`… in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const large = await registerAll();
  const ratio = percentile(large.sorted, 99) / percentile(small.sorted, 99);
  const line = (label: string, r: typeof small) =>
    say(
      `${label} p50 ${percentile(r.sorted, 50).toFixed(1)} ms, p99 ${percentile(r.sorted, 99).toFixed(1)} ms (${r.ownersPerCase.toFixed(1)} owners matched per case)`,
    );
  say('');
  line(`registering at 3 owners       `, small);
  line(`registering at ${OWNERS + 3} owners    `, large);
  say(`p99 ratio                      ${ratio.toFixed(2)}   target ≤ 1.20: ${check(ratio <= 1.2)}`);
});
