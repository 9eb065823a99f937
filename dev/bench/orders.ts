/**
 * `npm run bench:orders [-- --orders N --concurrency C --approvers A --profile DIR]`: places N geodata orders through the HTTP
 * API of a back office running as child processes (the API and a worker on a prebuilt workflow
 * bundle), while a scripted handler approves them; waits until every delivery is LYCKAD, then
 * pushes N baseline workflows (as many regular and local no-op activities as an order ran,
 * nothing else) through the same Temporal server. Prints orders/s end to end, p50/p99 of placing
 * an order, each worker's peak memory, and the ratio of the baseline's rate to the orders' rate.
 *
 * Everything runs on embedded defaults in a temporary folder; each worker is a process of its
 * own, so its peak memory (VmHWM) is its own.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../platform/config';
import { connectRuntime } from '../../app/runtime';
import { baselineWorkflow } from './baseline.messages';
import {
  arg,
  check,
  cpuPerItem,
  cpuSeconds,
  customerAndHandler,
  peakMemoryMiB,
  percentile,
  pool,
  ROOT,
  runBenchmark,
  say,
  startBackOfficeProcesses,
  startChild,
  untilPolled,
} from './support';

// The baseline worker: the same server, a task queue of its own, activities that do nothing.
if (process.argv.includes('--baseline-worker')) {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    taskQueue: 'bench-baseline',
    workflowsPath: path.join(ROOT, 'dev/bench/baseline.workflow.ts'),
    activities: { async noop() {} },
  });
  process.on('SIGTERM', () => worker.shutdown());
  await worker.run();
  process.exit(0);
}

const N = arg('orders', 1000);
/**
 * Customers placing at once. Two already place faster than the back office delivers (about
 * 70/s against 25/s), so more only queue: p99 then measures the queue behind the server, not
 * placing an order.
 */
const CONCURRENCY = arg('concurrency', 2);
/** Baseline workflows at once: enough to keep the server busy, whatever the customers' concurrency. */
const BASELINE_CONCURRENCY = arg('baseline-concurrency', 32);
/** The scripted handlers: how many approvals are on their way at once. */
const APPROVERS = arg('approvers', 16);

await runBenchmark('bench-orders', async ({ env, stops }) => {
  const config = loadConfig(env);
  say(`Benchmark: ${N} orders, ${CONCURRENCY} placed and ${APPROVERS} approved at a time; servers in ${env.DATA_DIR}`);
  const { base, processes } = await startBackOfficeProcesses(env, config, stops);
  const runtime = await connectRuntime(config);
  stops.unshift(runtime.close);

  const { customer, handler } = await customerAndHandler(runtime.db, base, {
    name: 'Bench AB',
    organisationNumber: '556000-0000',
    language: 'en',
  });
  const post = (token: string, url: string, body?: unknown) =>
    fetch(`${base}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  // The scripted handler: approves whatever waits, until every order has been approved.
  let approved = 0;
  let placing = true;
  const approving = (async () => {
    while (placing || approved < N) {
      const res = await fetch(`${base}/api/v1/orders?status=awaiting_approval&limit=200`, {
        headers: { authorization: `Bearer ${handler}` },
      });
      const { items } = (await res.json()) as { items: { id: string }[] };
      await pool(items.length, APPROVERS, async (i) => {
        const answer = await post(handler, `/api/v1/orders/${items[i]!.id}/approve`);
        if (answer.ok) approved++;
      });
      if (items.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
  })();

  const lyckad = async () =>
    Number(
      (await runtime.db('deliveries').where({ status: 'LYCKAD' }).count<{ count: string }[]>('* as count'))[0]!.count,
    );
  const untilDelivered = async (n: number) => {
    while ((await lyckad()) < n) await new Promise((r) => setTimeout(r, 100));
  };

  await untilPolled(runtime.temporal, config.TEMPORAL_TASK_QUEUE);
  const latencies: number[] = [];
  const cpuAtStart = cpuSeconds(processes);
  const started = performance.now();
  await pool(N, CONCURRENCY, async (i) => {
    // 1–2 km² squares spread over Stockholm; fee-based, so every order waits for the handler.
    const e = 660_000 + (i % 40) * 1000;
    const n = 6_570_000 + Math.floor(i / 40) * 1000;
    const t0 = performance.now();
    const res = await post(customer, '/api/v1/orders', {
      productId: 'fastighetskartan-vektor',
      format: 'GeoJSON',
      selection: {
        type: 'Polygon',
        coordinates: [
          [
            [e, n],
            [e + 1000, n],
            [e + 1000, n + 1000 + (i % 2) * 1000],
            [e, n + 1000 + (i % 2) * 1000],
            [e, n],
          ],
        ],
      },
    });
    latencies.push(performance.now() - t0);
    if (res.status !== 201) throw new Error(`placing order ${i} answered ${res.status}: ${await res.text()}`);
  });
  placing = false;
  await untilDelivered(N);
  const orderSeconds = (performance.now() - started) / 1000;
  await approving;
  const orderCpu = cpuPerItem(cpuAtStart, cpuSeconds(processes), N);
  const orderWorkerMiB = peakMemoryMiB(processes.worker.pid!);

  // As many activities as one order ran, counted from its history: regular ones are scheduled, local ones leave a marker.
  const anyOrder = (await runtime.db<{ id: string }>('orders').first('id'))!;
  const history = await runtime.temporal.workflow.getHandle(`order-${anyOrder.id}`).fetchHistory();
  const steps = {
    regular: history.events!.filter((e) => e.activityTaskScheduledEventAttributes).length,
    local: history.events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length,
  };

  const baselineWorker = startChild(['dev/bench/orders.ts', '--baseline-worker'], {
    ...env,
    TEMPORAL_ADDRESS: config.temporalAddress,
  });
  stops.unshift(async () => baselineWorker.kill('SIGTERM'));
  const connection = await Connection.connect({ address: config.temporalAddress });
  stops.unshift(() => connection.close());
  const client = new Client({ connection });
  await untilPolled(client, 'bench-baseline');
  const baselineProcesses = { 'baseline worker': baselineWorker };
  const baselineCpuAtStart = cpuSeconds(baselineProcesses);
  const baselineStarted = performance.now();
  await pool(N, BASELINE_CONCURRENCY, async (i) => {
    await client.workflow.execute(baselineWorkflow.workflowType, {
      taskQueue: 'bench-baseline',
      workflowId: baselineWorkflow.workflowId(i),
      args: [steps],
    });
  });
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  const baselineCpu = cpuPerItem(baselineCpuAtStart, cpuSeconds(baselineProcesses), N);
  const baselineWorkerMiB = peakMemoryMiB(baselineWorker.pid!);

  latencies.sort((a, b) => a - b);
  const orderRate = N / orderSeconds;
  const baselineRate = N / baselineSeconds;
  const ratio = baselineRate / orderRate;
  say('');
  say(
    `orders end to end        ${orderRate.toFixed(1)} orders/s (${N} in ${orderSeconds.toFixed(1)} s)   target ≥ 25: ${check(orderRate >= 25)}`,
  );
  say(
    `placing an order         p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms   target p99 < 150: ${check(percentile(latencies, 99) < 150)}`,
  );
  say(`order worker peak memory ${orderWorkerMiB ?? '?'} MiB`);
  say(
    `baseline                 ${baselineRate.toFixed(1)} workflows/s with ${steps.regular} regular and ${steps.local} local activities each; worker peak ${baselineWorkerMiB ?? '?'} MiB`,
  );
  say(`ratio baseline / orders  ${ratio.toFixed(2)}   target ≤ 1.5: ${check(ratio <= 1.5)}`);
  say(`CPU per order            ${orderCpu}`);
  say(`CPU per baseline         ${baselineCpu}`);
});
