import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../platform/db';
import { businessCounts } from './metrics.store';

type Counts = Awaited<ReturnType<typeof businessCounts>>;

/**
 * The business gauges beside the HTTP histogram: the outbox's backlog (`pending`) and failures
 * (`failed`), cases by status and how many of them are overdue (L10), deliveries by status
 * (`PÅGÅENDE` are in progress), settlement runs by status. One set of queries per scrape.
 */
export function registerBusinessMetrics(registry: Registry, db: Db) {
  // The gauges are collected one after another within a scrape: the first reads, the rest reuse it.
  let reading: Promise<Counts> | null = null;
  const read = () => {
    reading ??= businessCounts(db).finally(() => setTimeout(() => (reading = null), 0));
    return reading;
  };
  const gauge = (name: string, help: string, rows: (c: Counts) => { status: string; count?: string }[]) =>
    new Gauge({
      name,
      help,
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of rows(await read())) this.set({ status: r.status }, Number(r.count ?? 0));
      },
    });
  gauge('kartkontor_outbox_messages', 'E-mails in the outbox by status (pending: backlog, failed)', (c) => c.outbox);
  gauge('kartkontor_cases', 'Cases by status', (c) => c.cases);
  gauge('kartkontor_cases_overdue', 'Cases past their handling deadline by status (L10)', (c) =>
    c.cases.map((r) => ({ status: r.status, count: r.overdue })),
  );
  gauge('kartkontor_deliveries', 'Deliveries by status (PÅGÅENDE: in progress)', (c) => c.deliveries);
  gauge('kartkontor_settlements', 'Settlement runs by status', (c) => c.settlements);
}
