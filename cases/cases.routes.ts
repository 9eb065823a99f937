import type { Response } from 'express';
import { ACCOUNT_ACCESS } from '../identity/account-roles';
import { z } from 'zod';
import {
  ANSWERS,
  CASE_FEE_CODES,
  REMARK_REASONS,
  VECTOR_FORMATS,
  locateExpired,
  locateValidUntil,
  ownerLocateFees,
  planningAddOnFees,
  remarkFees,
  type CaseFees,
} from './cases.rules';
import { toSvgPath } from '../domain/geometry';
import { addDays, stockholmDate, zonedInstant } from '../domain/calendar';
import type { Db } from '../platform/db';
import {
  caseFileKey,
  casePartsOf,
  complaintFileKey,
  listCaseEvents,
  listCases,
  CASE_LIST_KEYS,
  listCasePriceVersions,
  listComplaints,
  planningPdfName,
  searchCasesAndOrders,
  type CaseEventRow,
  type CaseRow,
} from './cases.store';
import type { DeliveryStore } from '../platform/file-store';
import { accountScope } from '../identity/auth';
import { presentAcceptance } from '../identity/terms';
import { ApiError } from '../platform/http/errors';
import {
  defineRoute,
  paging,
  readCursor as readListCursor,
  writeCursor as writeListCursor,
} from '../platform/http/route';
import { isoDate } from '../platform/http/schemas';
import { uploadedFile, type Upload } from '../platform/http/upload';
import { newCase, type CaseService } from './cases.service';

// A split part (L13) is numbered `LK-2026-000123-1`.
const lkParams = z.object({
  lk: z.string().regex(/^LK-\d{4}-\d{6}(-\d{1,3})?$/, 'must be an LK number like LK-2026-000123'),
});
/** Without expectedFeeMinor a paid order only answers its fee; with it, the fee is confirmed and the order placed. */
const expectedFeeMinor = z.number().int().min(0).optional();

const present = (c: CaseRow) => ({
  lk: c.lk,
  kind: c.kind,
  status: c.status,
  overdue: c.overdue,
  registeredAt: c.registered_at,
  orderTime: c.order_time,
  handlingDeadline: c.handling_deadline,
  digStart: c.dig_start,
  desiredLocateDate: c.desired_locate_date,
  locateDate: c.locate_date,
  ...locateValidity(c),
  emergency: c.emergency,
  handlingDueAt: c.handling_due_at,
  express: c.express,
  areaM2: c.area_m2,
  parentLk: c.parent_lk,
  addOns: c.add_ons,
  files: c.files.map((f) => ({ ...f, href: `/api/v1/cases/${c.lk}/files/${encodeURIComponent(f.name)}` })),
  fees: presentFees(c.fees),
});

/**
 * Issue 18: a done locate's marks are valid until `validUntil` (inclusive); after it, `expired`, and
 * digging needs a renewal. Cases located before issue 18 count from their locate date.
 */
function locateValidity(c: CaseRow) {
  const locatedOn = c.status === 'located' ? (c.located_on ?? c.locate_date) : null;
  if (!locatedOn) return { locatedOn: null, validUntil: null, expired: false };
  return {
    locatedOn,
    validUntil: locateValidUntil(locatedOn),
    expired: locateExpired(locatedOn, stockholmDate(new Date())),
  };
}

/**
 * A step of the case's history. The questioner sees who acted by role (staff are not named to
 * customers); handlers and admins see the user.
 */
const presentEvent = (role: string) => (e: CaseEventRow) => ({
  at: e.at,
  type: e.type,
  actorRole: e.actor === 'system' ? 'system' : e.actor_role,
  ...(role === 'customer' && e.actor_role !== 'customer' ? {} : { actor: e.actor }),
  data: e.data,
});

/** T3: the case's price list (excluding VAT), as the customer is quoted from it. */
const presentFees = (f: CaseFees) => ({ priceListVersion: f.version, ...f.amounts });

/** `e,n` or `minE,minN,maxE,maxN` in metres (SWEREF 99 TM, as work areas are drawn). */
const coordinates = (count: number) =>
  z
    .string()
    .max(100)
    .transform((v, ctx) => {
      const parts = v.split(',').map((x) => Number(x.trim()));
      if (parts.length !== count || parts.some((x) => !Number.isFinite(x))) {
        ctx.addIssue({ code: 'custom', message: `must be ${count} numbers separated by commas` });
        return z.NEVER;
      }
      if (count === 4 && (parts[0]! > parts[2]! || parts[1]! > parts[3]!)) {
        ctx.addIssue({ code: 'custom', message: 'must be minE,minN,maxE,maxN with min ≤ max' });
        return z.NEVER;
      }
      return parts;
    });

/** Keyset cursor of the search: the last hit's time and reference, opaque to clients. */
const writeCursor = (h: { at: Date; ref: string }) =>
  Buffer.from(JSON.stringify([h.at.toISOString(), h.ref])).toString('base64url');
function readCursor(cursor: string): { at: Date; ref: string } {
  try {
    const [at, ref] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof ref === 'string' && !Number.isNaN(Date.parse(at)))
      return { at: new Date(at), ref };
  } catch {
    // Falls through to the refusal below.
  }
  throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this search gave; start again without it');
}

/** Surveys: the handler uploads the survey's file (a body of this type, or the multipart field `file`). */
const SURVEY_UPLOAD: Upload = { mediaType: 'application/octet-stream', multipartField: 'file' };
const SURVEY_FILE_MAX_BYTES = 50 * 1_048_576;
/**
 * A file name the delivery store and a Content-Disposition header both take as it is: no path,
 * and no `..` anywhere (A6: the store refuses a key with one; a name is not worth a 500).
 */
const safeFileName = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\w.-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .slice(-100)
    .replace(/^[._]+/, '') || 'file';

/** Locate, planning and survey cases (L1–L18); the case workflow decides, these routes ask it. */
export function caseRoutes(deps: { db: Db; cases: CaseService; store: DeliveryStore }) {
  const visibleCase = deps.cases.visibleCase;
  /** T2, L5: a fee quote with its VAT; `expectedFeeMinor` confirms its net sum. */
  const fees = deps.cases.quoteFor;
  /** Streams a delivered file from the store, never whole in memory. */
  const sendCaseFile = async (res: Response, lk: string, name: string) => {
    const key = caseFileKey(lk, name);
    const type = name.endsWith('.pdf')
      ? 'application/pdf'
      : name.endsWith('.zip')
        ? 'application/zip'
        : name.endsWith('.dxf')
          ? 'image/vnd.dxf'
          : 'application/octet-stream';
    await sendStored(res, key, name, type);
  };
  const sendStored = async (res: Response, key: string, name: string, type: string) => {
    res.set({
      'Content-Type': type,
      'Content-Length': String(await deps.store.size(key)),
      'Content-Disposition': `attachment; filename="${name}"`,
    });
    await new Promise<void>((resolve, reject) => {
      deps.store.read(key).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
    });
  };

  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/cases',
      tag: 'cases',
      summary:
        'Register a locate, planning or survey case; answers the LK number, order time and deadlines (L1–L4, L10, L12)',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.order,
      body: newCase,
      idempotent: true,
      successStatus: 201,
      handler: async ({ body, principal }) => {
        const registered = await deps.cases.register(principal, body);
        return { body: { ...registered, fees: presentFees(registered.fees) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/quote',
      tag: 'cases',
      summary:
        'Before registering: the order time, handling deadline, network owners and fees a case would get; nothing is stored (L2–L5, L10, L12)',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.order,
      body: newCase,
      handler: async ({ body, principal }) => {
        const quote = await deps.cases.quote(principal, body);
        return { body: { ...quote, fees: presentFees(quote.fees) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/cases',
      tag: 'cases',
      summary: 'List cases by handling deadline: customers their own, handlers all',
      auth: ['customer', 'handler', 'admin'],
      accountRoles: ACCOUNT_ACCESS.read,
      query: z.object({
        status: z.string().max(40).optional(),
        overdue: z.enum(['true', 'false']).optional(),
        ...paging,
      }),
      handler: async ({ query, principal }) => {
        const { items, next } = await listCases(deps.db, {
          ...query,
          after: readListCursor(query.cursor, CASE_LIST_KEYS),
          overdue: query.overdue === undefined ? undefined : query.overdue === 'true',
          accountId: accountScope(principal),
        });
        return { body: { items: items.map(present), next: writeListCursor(next), limit: query.limit } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/cases/:lk',
      tag: 'cases',
      summary:
        'One case with its work area (also as an SVG path in a 240×240 box), its network owners and their answers',
      auth: ['customer', 'handler', 'admin'],
      accountRoles: ACCOUNT_ACCESS.read,
      params: lkParams,
      handler: async ({ params, principal }) => {
        const c = await visibleCase(principal, params.lk);
        const parts = await casePartsOf(deps.db, c.lk);
        const complaints = await listComplaints(deps.db, c.lk);
        const history = await listCaseEvents(deps.db, c.lk);
        return {
          body: {
            ...present(c),
            // L1: the terms accepted by registering the case, with its LK number.
            termsAcceptance: await presentAcceptance(deps.db, { lk: c.lk }),
            workArea: c.work_area,
            workAreaSvg: toSvgPath(c.work_area, 240, 240),
            owners: c.owners.map((o) => ({
              id: o.owner_id,
              name: o.name,
              mode: o.mode,
              answer: o.answer,
              note: o.note,
              answeredAt: o.answered_at,
            })),
            parts,
            complaints: complaints.map((k) => ({
              id: k.id,
              text: k.text,
              channel: k.channel,
              filedAt: k.filed_at,
              receivedAt: k.received_at,
              attachment: k.attachment_name,
              response: k.response,
              respondedAt: k.responded_at,
            })),
            history: history.map(presentEvent(principal.role)),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/answers',
      tag: 'cases',
      summary: 'A handler answers for one network owner (L11)',
      auth: ['handler'],
      params: lkParams,
      body: z.object({ ownerId: z.string().min(1), answer: z.enum(ANSWERS), note: z.string().max(2000).optional() }),
      handler: async ({ params, body, principal }) => ({
        body: await deps.cases.answer(principal, params.lk, body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/locate-done',
      tag: 'cases',
      summary: 'The field technician has marked the lines (L12)',
      auth: ['handler'],
      params: lkParams,
      handler: async ({ params, principal }) => ({ body: await deps.cases.locateDone(principal, params.lk) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/cases/:lk/locate/quote',
      tag: 'cases',
      summary:
        'The fee of moving (with date) or cancelling (without) the locate, before confirming (L15, L16); with VAT (T2), expectedFeeMinor is fees.net.minor',
      auth: ['customer', 'handler'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: lkParams,
      query: z.object({ date: isoDate.optional(), express: z.enum(['true', 'false']).default('false') }),
      handler: async ({ params, query, principal }) => {
        const { accountId, ...quote } = await deps.cases.quoteLocateChange(principal, params.lk, {
          date: query.date,
          express: query.express === 'true',
        });
        return { body: { ...quote, fees: await fees(accountId, quote.fees) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/locate/move',
      tag: 'cases',
      summary:
        "Move the locate; expectedFeeMinor is the quoted net fee, refused with 409 if it has changed (L15). A handler moves it on the questioner's behalf and may give a split part express (L13)",
      auth: ['customer', 'handler'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: lkParams,
      body: z.object({ date: isoDate, express: z.boolean().default(false), expectedFeeMinor: z.number().int().min(0) }),
      handler: async ({ params, body, principal }) => {
        return { body: await deps.cases.moveLocate(principal, params.lk, body) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/locate/remark',
      tag: 'cases',
      summary:
        'Order a done locate marked again: `marks_destroyed` at any time, `renewal` once its marks have expired; at the normal date, or a later working day asked for; without expectedFeeMinor answers the fee only',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: lkParams,
      body: z.object({ reason: z.enum(REMARK_REASONS), date: isoDate.optional(), expectedFeeMinor }),
      handler: async ({ params, body, principal }) => {
        const c = await visibleCase(principal, params.lk);
        if (body.expectedFeeMinor === undefined)
          return { body: { confirmed: false, fees: await fees(c.account_id, remarkFees()) } };
        return {
          body: await deps.cases.remarkLocate(principal, c.lk, { ...body, expectedFeeMinor: body.expectedFeeMinor }),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/locate/cancel',
      tag: 'cases',
      summary: 'Cancel the locate; expectedFeeMinor is the quoted fee (L16)',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: lkParams,
      body: z.object({ expectedFeeMinor: z.number().int().min(0) }),
      handler: async ({ params, body, principal }) => {
        return { body: await deps.cases.cancelLocate(principal, params.lk, body) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/deliver',
      tag: 'cases',
      summary:
        'A handler delivers a planning case (its PDF and ordered vector formats are produced, L17) or a survey with its file (body or multipart field `file`, ?filename=)',
      auth: ['handler'],
      params: lkParams,
      query: z.object({ filename: z.string().min(1).max(200).optional() }),
      upload: SURVEY_UPLOAD,
      handler: async ({ params, query, principal, req }) => {
        const surveyUpload = async (lk: string) => {
          const file = await uploadedFile(req, SURVEY_UPLOAD, SURVEY_FILE_MAX_BYTES);
          return deps.cases.storeSurveyFile(
            lk,
            safeFileName(query.filename ?? file.filename ?? `inmatning-${lk}`),
            file.data,
          );
        };
        return { body: await deps.cases.deliver(principal, params.lk, surveyUpload) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/cases/:lk/planning-basis.pdf',
      tag: 'cases',
      summary: 'The delivered planning basis as PDF (L17); not for digging',
      auth: ['customer', 'handler', 'admin'],
      accountRoles: ACCOUNT_ACCESS.read,
      params: lkParams,
      handler: async ({ params, principal, res }) => {
        const c = await visibleCase(principal, params.lk);
        if (c.kind !== 'planning' || c.status !== 'delivered')
          throw new ApiError(404, 'not_found', `${c.lk} has no delivered planning basis`);
        await sendCaseFile(res, c.lk, planningPdfName(c.lk));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/cases/:lk/files/:name',
      tag: 'cases',
      summary: 'A delivered file of a planning case or survey (L17)',
      auth: ['customer', 'handler', 'admin'],
      accountRoles: ACCOUNT_ACCESS.read,
      params: lkParams.extend({ name: z.string().min(1).max(200) }),
      handler: async ({ params, principal, res }) => {
        const c = await visibleCase(principal, params.lk);
        if (!c.files.some((f) => f.name === params.name))
          throw new ApiError(404, 'not_found', `${c.lk} has no delivered file ${params.name}`);
        await sendCaseFile(res, c.lk, params.name);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/withdraw',
      tag: 'cases',
      summary:
        'Withdraw a planning case within 48 hours of ordering, before delivery (L18); a handler records a notice received by e-mail with noticeReceivedAt',
      auth: ['customer', 'handler'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: lkParams,
      body: z.object({ noticeReceivedAt: z.string().datetime({ offset: true }).optional() }).default({}),
      handler: async ({ params, body, principal }) => {
        if (principal.role === 'handler' && !body.noticeReceivedAt)
          throw new ApiError(
            422,
            'notice_received_at_missing',
            'A handler records a withdrawal notice received by e-mail: give noticeReceivedAt, when it arrived (L18)',
          );
        if (principal.role !== 'handler' && body.noticeReceivedAt)
          throw new ApiError(422, 'unexpected_field', 'noticeReceivedAt is for a notice a handler records');
        const receivedAt = body.noticeReceivedAt ? new Date(body.noticeReceivedAt) : undefined;
        return { body: await deps.cases.withdraw(principal, params.lk, receivedAt) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/split',
      tag: 'cases',
      summary:
        'A handler splits a large or complex locate case into parts, each with its own sub-area and owners (L13)',
      auth: ['handler'],
      params: lkParams,
      body: z.object({
        parts: z
          .array(z.object({ workArea: z.unknown() }))
          .min(2)
          .max(20),
      }),
      handler: async ({ params, body, principal }) => {
        return {
          body: await deps.cases.split(
            principal,
            params.lk,
            body.parts.map((p) => p.workArea),
          ),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/map-only-locate',
      tag: 'cases',
      summary:
        "Order a physical locate of a map-only network owner's lines, for a fee (L14); without expectedFeeMinor answers the fee only",
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: lkParams,
      body: z.object({ ownerId: z.string().min(1), expectedFeeMinor }),
      handler: async ({ params, body, principal }) => {
        const c = await visibleCase(principal, params.lk);
        const owner = c.owners.find((o) => o.owner_id === body.ownerId);
        if (body.expectedFeeMinor === undefined)
          return {
            body: {
              confirmed: false,
              fees: await fees(c.account_id, owner ? ownerLocateFees(c.fees, owner.mode) : []),
            },
          };
        return {
          body: await deps.cases.orderMapOnlyLocate(principal, c.lk, {
            ...body,
            expectedFeeMinor: body.expectedFeeMinor,
          }),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/add-ons',
      tag: 'cases',
      summary:
        'Order planning add-ons: faster delivery and vector formats (L17); without expectedFeeMinor answers the fee only',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: lkParams,
      body: z.object({
        fasterDelivery: z.boolean().default(false),
        formats: z.array(z.enum(VECTOR_FORMATS)).max(VECTOR_FORMATS.length).default([]),
        expectedFeeMinor,
      }),
      handler: async ({ params, body, principal }) => {
        const c = await visibleCase(principal, params.lk);
        if (body.expectedFeeMinor === undefined)
          return {
            body: {
              confirmed: false,
              fees: await fees(c.account_id, planningAddOnFees(c.fees, body.fasterDelivery, body.formats)),
            },
          };
        return {
          body: await deps.cases.orderPlanningAddOns(principal, c.lk, {
            ...body,
            expectedFeeMinor: body.expectedFeeMinor,
          }),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/complaints',
      tag: 'cases',
      summary:
        'File a written complaint on a case (L7); handlers are notified. A handler records one received by e-mail (§2.4): receivedAt, and the original message as base64',
      auth: ['customer', 'handler'],
      accountRoles: ACCOUNT_ACCESS.order,
      params: lkParams,
      body: z.object({
        text: z.string().trim().min(1).max(5000),
        receivedAt: z.string().datetime({ offset: true }).optional(),
        original: z
          .object({ name: z.string().min(1).max(200), contentBase64: z.string().base64().max(1_400_000) })
          .optional(),
      }),
      idempotent: true,
      successStatus: 201,
      handler: async ({ params, body, principal }) => {
        const handler = principal.role === 'handler';
        if (handler && !body.receivedAt)
          throw new ApiError(
            422,
            'received_at_missing',
            'A handler records a complaint received in writing: give receivedAt, when it arrived (L7)',
          );
        if (!handler && (body.receivedAt || body.original))
          throw new ApiError(422, 'unexpected_field', 'receivedAt and original are for a complaint a handler records');
        const received = body.receivedAt
          ? {
              at: new Date(body.receivedAt),
              original: body.original && {
                name: safeFileName(body.original.name),
                data: Buffer.from(body.original.contentBase64, 'base64'),
              },
            }
          : undefined;
        return { body: await deps.cases.fileComplaint(principal, params.lk, body.text, received) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/cases/:lk/complaints/:complaintId/original',
      tag: 'cases',
      summary: 'The original e-mail of a complaint a handler recorded (L7)',
      auth: ['customer', 'handler', 'admin'],
      params: lkParams.extend({ complaintId: z.string().uuid() }),
      handler: async ({ params, principal, res }) => {
        const c = await visibleCase(principal, params.lk);
        const complaint = (await listComplaints(deps.db, c.lk)).find((k) => k.id === params.complaintId);
        if (!complaint?.attachment_name)
          throw new ApiError(404, 'not_found', `Complaint ${params.complaintId} on ${c.lk} has no original attached`);
        const key = complaintFileKey(c.lk, complaint.id, complaint.attachment_name);
        await sendStored(res, key, complaint.attachment_name, 'application/octet-stream');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/complaints/:complaintId/response',
      tag: 'cases',
      summary: 'A handler responds to a complaint (L7); the response is recorded and sent to the questioner',
      auth: ['handler'],
      params: lkParams.extend({ complaintId: z.string().uuid() }),
      body: z.object({ response: z.string().trim().min(1).max(5000) }),
      handler: async ({ params, body, principal }) => {
        return { body: await deps.cases.respondToComplaint(principal, params.lk, params.complaintId, body.response) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/search',
      tag: 'cases',
      summary:
        'Handlers search cases and orders: q (LK or order number, name, organisation number, e-mail), owner, status, kind, dates, a point or box on the map (SWEREF 99 TM); newest first, a page at a time (keyset: pass next as cursor)',
      auth: ['handler', 'admin'],
      query: z.object({
        q: z.string().trim().min(1).max(200).optional(),
        ownerId: z.string().min(1).max(100).optional(),
        status: z.string().min(1).max(40).optional(),
        kind: z.enum(['case', 'order']).optional(),
        from: isoDate.optional(),
        to: isoDate.optional(),
        point: coordinates(2).optional(),
        box: coordinates(4).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(200).optional(),
      }),
      handler: async ({ query }) => {
        if (query.point && query.box)
          throw new ApiError(422, 'point_and_box', 'Search by a point or by a box, not both');
        const [e, n] = query.point ?? [];
        const box = query.box
          ? { minE: query.box[0]!, minN: query.box[1]!, maxE: query.box[2]!, maxN: query.box[3]! }
          : query.point
            ? { minE: e!, minN: n!, maxE: e!, maxN: n! }
            : undefined;
        const hits = await searchCasesAndOrders(deps.db, {
          q: query.q,
          ownerId: query.ownerId,
          status: query.status,
          kind: query.kind,
          from: query.from ? zonedInstant(query.from, 0, 0, 'Europe/Stockholm') : undefined,
          to: query.to ? zonedInstant(addDays(query.to, 1), 0, 0, 'Europe/Stockholm') : undefined,
          box,
          limit: query.limit,
          after: query.cursor ? readCursor(query.cursor) : undefined,
        });
        const last = hits.length === query.limit ? hits.at(-1) : undefined;
        return {
          body: {
            items: hits.map((h) => ({
              type: h.type,
              ref: h.ref,
              status: h.status,
              at: h.at,
              customer: h.customer,
              organisationNumber: h.organisation_number,
              email: h.email,
              href: h.type === 'case' ? `/api/v1/cases/${h.ref}` : `/api/v1/orders/${h.ref}`,
            })),
            next: last ? writeCursor(last) : null,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/case-prices',
      tag: 'cases',
      summary: 'The case fees (L12, L14–L17) by price-list version, newest first (T3); SEK excluding VAT',
      auth: 'authenticated',
      handler: async () => ({ body: { items: (await listCasePriceVersions(deps.db)).map(presentFees) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/case-prices',
      tag: 'cases',
      summary:
        'An admin adds a price-list version of the case fees from a future date; cases keep the version of their order time (T3)',
      auth: ['admin'],
      body: z.object({
        validFrom: isoDate,
        amounts: z.object(
          Object.fromEntries(CASE_FEE_CODES.map((code) => [code, z.number().int().min(0).max(100_000_000)])) as Record<
            (typeof CASE_FEE_CODES)[number],
            z.ZodNumber
          >,
        ),
      }),
      successStatus: 201,
      handler: async ({ body }) => {
        return { body: presentFees(await deps.cases.addPriceVersion(body.validFrom, body.amounts)) };
      },
    }),
  ];
}
