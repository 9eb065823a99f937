import { z } from 'zod';
import { stockholmDate } from '../domain/calendar';
import { validateArea, type Polygon } from '../domain/geometry';
import { auditActor } from '../platform/audit/actor';
import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { isoDate } from '../platform/http/schemas';
import { uploadedFile, type Upload } from '../platform/http/upload';
import { getCase } from './cases.store';
import { matchOwners, newOwnerSchema, ownerChangesSchema, reason, type NetworkOwners } from './network-owners.service';

const ownerParams = z.object({ id: z.string().min(1).max(63) });
/** A coverage file: the body as bytes, or the multipart field `file`; the format is read from its first bytes. */
export const COVERAGE_UPLOAD: Upload = { mediaType: 'application/octet-stream', multipartField: 'file' };
export const COVERAGE_FILE_MAX_BYTES = 50 * 1_048_576;

const areaOrRefuse = (workArea: unknown) => {
  const area = validateArea(workArea);
  if (!area.ok)
    throw new ApiError(
      422,
      'invalid_work_area',
      `The work area is not valid: ${area.problems.map((p) => p.message).join('; ')}`,
      area.problems,
    );
  return area.geometry;
};

/** Issue 21 (L11, L14): network owners and their coverage versions; staff read, admins change. */
export function networkOwnerRoutes(deps: { db: Db; networkOwners: NetworkOwners }) {
  const { networkOwners } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/network-owners',
      tag: 'network-owners',
      summary: 'The network owners (L11, L14) by id, a page at a time (keyset: pass next as cursor)',
      auth: ['admin', 'handler'],
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().min(1).max(63).optional(),
      }),
      handler: async ({ query }) => ({ body: await networkOwners.list({ limit: query.limit, after: query.cursor }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/network-owners',
      tag: 'network-owners',
      summary:
        'An admin adds a network owner: name, organisation number, contact, how it answers (L14) and, for a maps-only owner, its locate fee class; with the reason',
      auth: ['admin'],
      body: newOwnerSchema,
      idempotent: true,
      successStatus: 201,
      handler: async ({ body, principal, req }) => ({
        body: await networkOwners.create(body, auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/network-owners/coverage',
      tag: 'network-owners',
      summary:
        "Every owner's coverage in force on a date (default today), as parts in SWEREF 99 TM: the staff page's map",
      auth: ['admin', 'handler'],
      query: z.object({ date: isoDate.optional() }),
      handler: async ({ query }) => {
        const date = query.date ?? stockholmDate(new Date());
        const owners = new Map<string, { id: string; name: string; parts: Polygon[] }>();
        for (const part of await networkOwners.coveragesOn(date)) {
          const owner = owners.get(part.owner_id) ?? { id: part.owner_id, name: part.name, parts: [] };
          owner.parts.push(part.geometry);
          owners.set(part.owner_id, owner);
        }
        return { body: { date, owners: [...owners.values()] } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/network-owners/:id',
      tag: 'network-owners',
      summary: 'A network owner with its coverage versions, newest first',
      auth: ['admin', 'handler'],
      params: ownerParams,
      handler: async ({ params }) => ({ body: await networkOwners.get(params.id) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/network-owners/:id',
      tag: 'network-owners',
      summary: 'An admin changes a network owner (any of its fields), with the reason; audited',
      auth: ['admin'],
      params: ownerParams,
      body: ownerChangesSchema,
      handler: async ({ params, body, principal, req }) => ({
        body: await networkOwners.change(params.id, body, auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/network-owners/:id/retire',
      tag: 'network-owners',
      summary:
        'An admin retires a network owner from a future date: cases ordered from then are not matched to it; earlier cases keep it',
      auth: ['admin'],
      params: ownerParams,
      body: z.object({ from: isoDate, reason }),
      handler: async ({ params, body, principal, req }) => ({
        body: await networkOwners.retire(params.id, body, auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/network-owners/:id/coverage',
      tag: 'network-owners',
      summary:
        'An admin loads a new coverage version valid from a future date, from GeoJSON, a zipped shapefile or a GeoPackage in EPSG:3006 (body or multipart field `file`); a file with any invalid feature is refused by feature and nothing is stored',
      auth: ['admin'],
      params: ownerParams,
      query: z.object({ validFrom: isoDate, reason }),
      upload: COVERAGE_UPLOAD,
      successStatus: 201,
      handler: async ({ params, query, principal, req }) => {
        const file = await uploadedFile(req, COVERAGE_UPLOAD, COVERAGE_FILE_MAX_BYTES);
        return { body: await networkOwners.loadCoverage(params.id, file.data, query, auditActor(principal, req)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/network-owners/:id/history',
      tag: 'network-owners',
      summary: "A network owner's history from the audit log: every change, who made it, when and why",
      auth: ['admin', 'handler'],
      params: ownerParams,
      handler: async ({ params }) => ({ body: { items: await networkOwners.history(params.id) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/network-owners/match',
      tag: 'network-owners',
      summary:
        'The network owners whose coverage in force on a date meets a work area (L11), with the versions that decided',
      auth: ['admin', 'handler'],
      body: z.object({ workArea: z.unknown(), date: isoDate }),
      handler: async ({ body }) => ({
        body: { date: body.date, owners: await matchOwners(deps.db, areaOrRefuse(body.workArea), body.date) },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/cases/:lk/owner-match',
      tag: 'cases',
      summary:
        "A case's network owners matched again against the coverage versions in force at its order time (L11): the same owners as at registration, whatever changed since",
      auth: ['admin', 'handler'],
      params: z.object({ lk: z.string().regex(/^LK-\d{4}-\d{6}(-\d{1,3})?$/, 'must be an LK number') }),
      handler: async ({ params }) => {
        const c = await getCase(deps.db, params.lk);
        if (!c) throw new ApiError(404, 'not_found', `Case ${params.lk} was not found`);
        const owners = await matchOwners(deps.db, c.work_area, c.order_time);
        const recorded = c.owners.map((o) => o.owner_id).sort();
        return {
          body: {
            lk: c.lk,
            orderTime: c.order_time,
            owners,
            recordedOwners: recorded,
            sameAsRecorded: JSON.stringify(owners.map((o) => o.id).sort()) === JSON.stringify(recorded),
          },
        };
      },
    }),
  ];
}
