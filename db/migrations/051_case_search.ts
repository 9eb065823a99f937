import type { Knex } from 'knex';
import { bbox, type Area } from '../../domain/geometry';

/**
 * Issue 18: handlers search cases by a point or an area on the map. Each case keeps its work
 * area's bounding box in indexed columns, so a search compares numbers instead of reading every
 * polygon; the exact intersection is left to the handler's eye on the result's map.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cases', (t) => {
    for (const c of ['min_e', 'min_n', 'max_e', 'max_n']) t.double(c);
    t.index(['min_e', 'max_e']);
    // Search results are newest first, then by LK number (keyset pagination).
    t.index(['registered_at', 'lk']);
  });
  const rows: { lk: string; work_area: Area }[] = await knex('cases').select('lk', 'work_area');
  for (const row of rows) {
    const b = bbox(row.work_area);
    await knex('cases').where({ lk: row.lk }).update({ min_e: b.minE, min_n: b.minN, max_e: b.maxE, max_n: b.maxN });
  }
  await knex.schema.alterTable('orders', (t) => t.index(['placed_at', 'id']));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => t.dropIndex(['placed_at', 'id']));
  await knex.schema.alterTable('cases', (t) => {
    t.dropIndex(['registered_at', 'lk']);
    t.dropIndex(['min_e', 'max_e']);
    for (const c of ['min_e', 'min_n', 'max_e', 'max_n']) t.dropColumn(c);
  });
}
