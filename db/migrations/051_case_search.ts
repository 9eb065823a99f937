import type { Knex } from 'knex';

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
  // Existing cases: the box of every position of their Polygon or MultiPolygon.
  await knex.raw(`UPDATE cases c SET min_e = b.min_e, min_n = b.min_n, max_e = b.max_e, max_n = b.max_n
    FROM (SELECT lk, min((p->>0)::float8) AS min_e, min((p->>1)::float8) AS min_n,
                     max((p->>0)::float8) AS max_e, max((p->>1)::float8) AS max_n
          FROM cases, LATERAL jsonb_path_query(work_area, (CASE WHEN work_area->>'type' = 'Polygon'
            THEN '$.coordinates[*][*]' ELSE '$.coordinates[*][*][*]' END)::jsonpath) AS p
          GROUP BY lk) b
    WHERE b.lk = c.lk`);
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
