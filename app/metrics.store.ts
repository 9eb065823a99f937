import type { Db } from '../platform/db';

type Counted = { status: string; count: string; overdue?: string };

/** What `/metrics` reports of the business: counts by status, read fresh at each scrape. */
export async function businessCounts(db: Db) {
  const [outbox, cases, deliveries, settlements] = await Promise.all([
    db('outbox').select('status').count('* as count').groupBy('status') as Promise<Counted[]>,
    db('cases')
      .select('status')
      .count('* as count')
      .select(db.raw('count(*) filter (where overdue) as overdue'))
      .groupBy('status') as Promise<Counted[]>,
    db('deliveries').select('status').count('* as count').groupBy('status') as Promise<Counted[]>,
    db('settlements').select('status').count('* as count').groupBy('status') as Promise<Counted[]>,
  ]);
  return { outbox, cases, deliveries, settlements };
}
