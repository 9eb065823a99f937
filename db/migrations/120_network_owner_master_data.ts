import type { Knex } from 'knex';

/**
 * Issue 21 (L11, L14): network owners become master data staff keep: organisation number,
 * contact, the fee class of a maps-only owner's locate, retirement from a date. Their coverage
 * moves into versions valid from a date, each stored as its parts (one row per polygon) with a
 * bounding box under a GiST index, so matching a work area reads only the parts near it. The
 * coverage every owner had becomes its first version, valid from the start of time, so existing
 * cases match as they were matched.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('network_owners', (t) => {
    t.text('organisation_number');
    t.text('contact');
    // L14: the case price-list fee charged for a locate of a maps-only owner's lines.
    t.text('fee_class');
    t.date('retired_from');
  });
  await knex('network_owners').where({ mode: 'map_only' }).update({ fee_class: 'mapOnlyOwnerLocate' });
  await knex.schema.createTable('network_owner_coverages', (t) => {
    t.bigIncrements('id');
    t.text('owner_id').notNullable().references('network_owners.id');
    t.integer('version').notNullable();
    t.date('valid_from').notNullable();
    t.text('source').notNullable();
    t.integer('features').notNullable();
    t.text('loaded_by').notNullable();
    t.text('reason').notNullable();
    t.timestamp('loaded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['owner_id', 'version']);
    t.unique(['owner_id', 'valid_from']);
  });
  await knex.schema.createTable('network_owner_coverage_parts', (t) => {
    t.bigInteger('coverage_id').notNullable().references('network_owner_coverages.id');
    t.integer('part').notNullable();
    t.jsonb('geometry').notNullable();
    t.specificType('bbox', 'box').notNullable();
    t.primary(['coverage_id', 'part']);
  });
  await knex.raw('CREATE INDEX network_owner_coverage_parts_bbox ON network_owner_coverage_parts USING gist (bbox)');
  const owners: { id: string; coverage: unknown }[] = await knex('network_owners').select('id', 'coverage');
  for (const owner of owners) {
    const [{ id }] = await knex('network_owner_coverages')
      .insert({
        owner_id: owner.id,
        version: 1,
        valid_from: '1900-01-01',
        source: 'migration',
        features: 1,
        loaded_by: 'system',
        reason: 'coverage before issue 21',
      })
      .returning('id');
    const [minE, minN, maxE, maxN] = boxOf(owner.coverage);
    await knex('network_owner_coverage_parts').insert({
      coverage_id: id,
      part: 1,
      geometry: JSON.stringify(owner.coverage),
      bbox: knex.raw('box(point(?, ?), point(?, ?))', [minE, minN, maxE, maxN]),
    });
  }
  await knex.schema.alterTable('network_owners', (t) => t.dropColumn('coverage'));
}

/** The bounding box [minE, minN, maxE, maxN] of a GeoJSON geometry's positions. */
function boxOf(geometry: unknown): [number, number, number, number] {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (v: unknown): void => {
    if (!Array.isArray(v)) return;
    if (typeof v[0] === 'number') {
      box[0] = Math.min(box[0], v[0]);
      box[1] = Math.min(box[1], v[1] as number);
      box[2] = Math.max(box[2], v[0]);
      box[3] = Math.max(box[3], v[1] as number);
    } else v.forEach(walk);
  };
  walk((geometry as { coordinates?: unknown }).coordinates);
  return box;
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('network_owners', (t) => t.jsonb('coverage'));
  await knex.raw(`UPDATE network_owners o SET coverage = p.geometry FROM network_owner_coverages c
    JOIN network_owner_coverage_parts p ON p.coverage_id = c.id AND p.part = 1
    WHERE c.owner_id = o.id AND c.version = (SELECT max(version) FROM network_owner_coverages WHERE owner_id = o.id)`);
  await knex.schema.dropTable('network_owner_coverage_parts');
  await knex.schema.dropTable('network_owner_coverages');
  await knex.schema.alterTable('network_owners', (t) => {
    t.dropColumn('retired_from');
    t.dropColumn('fee_class');
    t.dropColumn('contact');
    t.dropColumn('organisation_number');
  });
}
