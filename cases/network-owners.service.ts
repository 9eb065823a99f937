import { z } from 'zod';
import { orderTime as orderTimeOf, type IsoDate } from '../domain/calendar';
import { organisationNumber } from '../domain/customer';
import { intersects, type Area } from '../domain/geometry';
import { appendAudit, auditHistory, type AuditEntry } from '../platform/audit/audit.store';
import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import { isoDate } from '../platform/http/schemas';
import { OWNER_MODES } from './cases.rules';
import { readCoverage, type CoverageFormat } from './coverage-files';
import {
  addCoverageVersion,
  coveragePartsNear,
  coveragesInForce,
  coverageVersions,
  getNetworkOwner,
  insertNetworkOwner,
  listNetworkOwners,
  updateNetworkOwner,
  type NetworkOwnerRow,
  type OwnerMatch,
} from './network-owners.store';

/** L14: the fee classes of a maps-only owner's locate: the case price-list fees it may charge. */
export const OWNER_FEE_CLASSES = ['mapOnlyOwnerLocate'] as const;

const orgNo = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const checked = organisationNumber(s);
    if (checked.ok) return checked.value;
    ctx.addIssue({
      code: 'custom',
      message: checked.problem === 'format' ? 'must look like 556123-4567' : 'the check digit is wrong',
    });
    return z.NEVER;
  });
/** Issue 21: why a change was made, for the audit log and the owner's history. */
export const reason = z.string().trim().min(3, 'say why, in a few words').max(500);

const ownerFields = z.object({
  name: z.string().trim().min(1).max(200),
  organisationNumber: orgNo.nullable(),
  email: z.email(),
  contact: z.string().trim().min(1).max(500).nullable(),
  mode: z.enum(OWNER_MODES),
  feeClass: z.enum(OWNER_FEE_CLASSES).nullable(),
});

export const newOwnerSchema = ownerFields.extend({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2–63 lower-case letters, digits and hyphens, like "fiber-ost"'),
  organisationNumber: ownerFields.shape.organisationNumber.default(null),
  contact: ownerFields.shape.contact.default(null),
  feeClass: ownerFields.shape.feeClass.default(null),
  reason,
});
export type NewOwnerInput = z.input<typeof newOwnerSchema>;

// No defaults here: a field left out of a change stays as it is.
export const ownerChangesSchema = ownerFields.partial().extend({ reason });
export type OwnerChangesInput = z.input<typeof ownerChangesSchema>;

type Actor = Pick<AuditEntry, 'actorType' | 'actorId' | 'requestId' | 'clientRequestId'>;

/** L14: a maps-only owner's locate costs a fee, so it has a fee class; others have none. */
function checkFeeClass(mode: NetworkOwnerRow['mode'], feeClass: string | null) {
  if (mode === 'map_only' && !feeClass)
    throw new ApiError(422, 'fee_class_required', 'A maps-only owner needs the fee class of its locate (L14)');
  if (mode !== 'map_only' && feeClass)
    throw new ApiError(422, 'fee_class_not_map_only', 'Only a maps-only owner has a fee class for its locate (L14)');
}

/**
 * A date a change takes effect from must come after the order time of a case registered now (L3):
 * every case already matched keeps the coverage it was matched against, so its match is reproducible.
 */
function assertFuture(date: IsoDate, now: Date, what: string) {
  const earliest = orderTimeOf(now);
  if (date <= earliest)
    throw new ApiError(
      422,
      'valid_from_not_in_future',
      `${what} must take effect after ${earliest}, the order time of a case registered now; ${date} does not`,
    );
}

export const presentOwner = (o: NetworkOwnerRow) => ({
  id: o.id,
  name: o.name,
  organisationNumber: o.organisation_number,
  email: o.email,
  contact: o.contact,
  mode: o.mode,
  feeClass: o.fee_class,
  retiredFrom: o.retired_from,
});

/**
 * L2, L11: the owners whose coverage in force on `date` (a case's order time) meets the area. The
 * GiST index finds the parts whose bounding boxes meet the area's; the exact test decides. The
 * same date always gives the same owners, so a case's match can be reproduced later.
 */
export async function matchOwners(db: Db, area: Area, date: IsoDate): Promise<OwnerMatch[]> {
  const matched = new Map<string, OwnerMatch>();
  for (const { geometry, ...owner } of await coveragePartsNear(db, area, date))
    if (!matched.has(owner.id) && intersects(geometry, area)) matched.set(owner.id, owner);
  return [...matched.values()];
}

/** Issue 21 (L11, L14): staff keep the network owners and their coverage, every change audited. */
export function createNetworkOwners(deps: { db: Db }) {
  const { db } = deps;
  // The change and its audit entry commit together: no change goes unrecorded.
  const audit = (trx: Db, actor: Actor, action: string, ownerId: string, details: Record<string, unknown>) =>
    appendAudit(trx, { ...actor, action, objectType: 'network_owner', objectId: ownerId, details });
  const existing = async (id: string) => {
    const owner = await getNetworkOwner(db, id);
    if (!owner) throw new ApiError(404, 'not_found', `No network owner ${id}`);
    return owner;
  };

  return {
    async create(input: NewOwnerInput, actor: Actor) {
      const o = newOwnerSchema.parse(input);
      checkFeeClass(o.mode, o.feeClass);
      const row: NetworkOwnerRow = {
        id: o.id,
        name: o.name,
        organisation_number: o.organisationNumber,
        email: o.email,
        contact: o.contact,
        mode: o.mode,
        fee_class: o.feeClass,
        retired_from: null,
      };
      try {
        await db.transaction(async (trx) => {
          await insertNetworkOwner(trx, row);
          await audit(trx, actor, 'network_owner.created', o.id, { reason: o.reason, owner: presentOwner(row) });
        });
      } catch (err) {
        if ((err as { code?: string }).code === '23505')
          throw new ApiError(409, 'owner_exists', `A network owner ${o.id} already exists`);
        throw err;
      }
      return presentOwner(row);
    },

    async change(id: string, input: OwnerChangesInput, actor: Actor) {
      const { reason: why, ...changes } = ownerChangesSchema.parse(input);
      const before = await existing(id);
      const after: NetworkOwnerRow = {
        ...before,
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.organisationNumber !== undefined ? { organisation_number: changes.organisationNumber } : {}),
        ...(changes.email !== undefined ? { email: changes.email } : {}),
        ...(changes.contact !== undefined ? { contact: changes.contact } : {}),
        ...(changes.mode !== undefined ? { mode: changes.mode } : {}),
        ...(changes.feeClass !== undefined ? { fee_class: changes.feeClass } : {}),
      };
      // Leaving map_only drops the fee class with it.
      if (changes.mode !== undefined && changes.mode !== 'map_only' && changes.feeClass === undefined)
        after.fee_class = null;
      checkFeeClass(after.mode, after.fee_class);
      const { id: _id, ...columns } = after;
      const changed = Object.fromEntries(
        Object.entries(presentOwner(after)).filter(
          ([k, v]) => v !== presentOwner(before)[k as keyof ReturnType<typeof presentOwner>],
        ),
      );
      await db.transaction(async (trx) => {
        await updateNetworkOwner(trx, id, columns);
        await audit(trx, actor, 'network_owner.changed', id, { reason: why, changed });
      });
      return presentOwner(after);
    },

    /** Retired from a date: cases ordered from then on are not matched to the owner; earlier ones keep it. */
    async retire(id: string, input: { from: IsoDate; reason: string }, actor: Actor, now = new Date()) {
      const r = z.object({ from: isoDate, reason }).parse(input);
      const owner = await existing(id);
      if (owner.retired_from)
        throw new ApiError(409, 'owner_retired', `${id} is already retired from ${owner.retired_from}`);
      assertFuture(r.from, now, 'A retirement');
      await db.transaction(async (trx) => {
        await updateNetworkOwner(trx, id, { retired_from: r.from });
        await audit(trx, actor, 'network_owner.retired', id, { reason: r.reason, from: r.from });
      });
      return presentOwner({ ...owner, retired_from: r.from });
    },

    /**
     * Loads a new coverage version from a file (GeoJSON, zipped shapefile, GeoPackage in
     * EPSG:3006), valid from a future date. Any feature's problem refuses the whole file (422, by
     * feature) and nothing is stored.
     */
    async loadCoverage(
      id: string,
      file: Buffer,
      input: { validFrom: IsoDate; reason: string },
      actor: Actor,
      now = new Date(),
    ) {
      const v = z.object({ validFrom: isoDate, reason }).parse(input);
      const owner = await existing(id);
      if (owner.retired_from) throw new ApiError(409, 'owner_retired', `${id} is retired from ${owner.retired_from}`);
      assertFuture(v.validFrom, now, 'A coverage version');
      const read = await readCoverage(file);
      if (!read.ok)
        throw new ApiError(
          422,
          'invalid_coverage',
          read.file
            ? `The coverage file is refused: ${read.file}`
            : `The coverage file is refused: ${read.features.length} feature(s) are not valid polygons in SWEREF 99 TM inside Sweden (feature ${read.features.map((f) => f.feature).join(', ')})`,
          read.features,
        );
      const version = await db.transaction(async (trx) => {
        let added;
        try {
          added = await addCoverageVersion(
            trx,
            {
              owner_id: id,
              valid_from: v.validFrom,
              source: read.format,
              features: read.features,
              loaded_by: actor.actorId ?? 'system',
              reason: v.reason,
            },
            read.parts,
          );
        } catch (err) {
          if ((err as { code?: string }).code === '23505')
            throw new ApiError(
              409,
              'version_exists',
              `${id} already has a coverage version from ${v.validFrom}; a stored version never changes`,
            );
          throw err;
        }
        await audit(trx, actor, 'network_owner.coverage_loaded', id, {
          reason: v.reason,
          version: added.version,
          validFrom: v.validFrom,
          format: read.format,
          features: read.features,
          parts: read.parts.length,
        });
        return added;
      });
      return presentVersion(version);
    },

    match: (area: Area, date: IsoDate) => matchOwners(db, area, date),

    async list(page: { limit: number; after?: string }) {
      const rows = await listNetworkOwners(db, page);
      return { items: rows.map(presentOwner), next: rows.length === page.limit ? rows.at(-1)!.id : null };
    },

    async get(id: string) {
      const owner = await existing(id);
      return { ...presentOwner(owner), coverageVersions: (await coverageVersions(db, id)).map(presentVersion) };
    },

    /** Issue 21: the owner's history, from the audit log: who changed what, when and why. */
    async history(id: string) {
      await existing(id);
      return auditHistory(db, 'network_owner', id);
    },

    /** The staff page's map: every owner's coverage in force on a date. */
    coveragesOn: (date: IsoDate) => coveragesInForce(db, date),
  };
}
export type NetworkOwners = ReturnType<typeof createNetworkOwners>;

export const presentVersion = (v: {
  version: number;
  valid_from: IsoDate;
  source: string;
  features: number;
  loaded_by: string;
  reason: string;
  loaded_at: Date;
}) => ({
  version: v.version,
  validFrom: v.valid_from,
  format: v.source as CoverageFormat | 'migration',
  features: v.features,
  loadedBy: v.loaded_by,
  reason: v.reason,
  loadedAt: v.loaded_at,
});
