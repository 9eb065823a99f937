import { z } from 'zod';
import { orderTime as orderTimeOf, stockholmDate } from '../../domain/calendar';
import {
  ANSWERS,
  CASE_KINDS,
  cancellationFees,
  earliestNormalLocateDate,
  expressWindow,
  handlingDeadlineDate,
  isAdult,
  moveFees,
  planningDueDate,
  scheduleLocate,
  type FeeLine,
} from '../../domain/cases';
import { intersects, validateArea } from '../../domain/geometry';
import type { Db } from '../../db/knex';
import { getAccount } from '../../db/stores/accounts';
import { getCase, listCases, listNetworkOwners, registerCase, type CaseRow } from '../../db/stores/cases';
import type { Config } from '../../lib/config';
import type { CaseInput } from '../../workflows/case';
import { workflowIds } from '../../workflows/ids';
import { accountScope, assertVisible } from '../auth';
import { ApiError } from '../errors';
import type { WorkflowGateway } from '../temporal';
import { defineRoute, paging } from '../route';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const lkParams = z.object({ lk: z.string().regex(/^LK-\d{4}-\d{6}$/, 'must be an LK number like LK-2026-000123') });

const newCase = z
  .object({
    kind: z.enum(CASE_KINDS),
    workArea: z.unknown(),
    digStart: isoDate,
    desiredLocateDate: isoDate.optional(),
    express: z.boolean().default(false),
  })
  .refine((c) => c.kind !== 'locate' || c.desiredLocateDate, { message: 'a locate case needs a desired locate date', path: ['desiredLocateDate'] });

const fees = (lines: FeeLine[]) => ({
  lines: lines.map((f) => ({ code: f.code, amount: f.amount })),
  total: { minor: lines.reduce((s, f) => s + f.amount.minor, 0), currency: 'SEK' },
  vatExcluded: true,
});

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
  express: c.express,
  areaM2: c.area_m2,
});

/** Locate, planning and survey cases (L1–L18); the case workflow decides, these routes ask it. */
export function caseRoutes(deps: { db: Db; workflows: WorkflowGateway; config: Config }) {
  const visibleCase = async (principal: Parameters<typeof assertVisible>[0], lk: string) => assertVisible(principal, await getCase(deps.db, lk), `Case ${lk}`);

  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/cases',
      tag: 'cases',
      summary: 'Register a locate, planning or survey case; answers the LK number, order time and deadlines (L1–L4, L10, L12)',
      auth: ['customer'],
      body: newCase,
      idempotent: true,
      successStatus: 201,
      handler: async ({ body, principal }) => {
        const account = (await getAccount(deps.db, principal.accountId!))!;
        const now = new Date();
        const orderTime = orderTimeOf(now);
        if (account.blocked_at) throw new ApiError(403, 'account_blocked', 'This account is blocked (L9); contact customer service');
        if (account.kind === 'private' && !isAdult(account.birth_date!, stockholmDate(now))) {
          throw new ApiError(422, 'under_age', 'A private person must be at least 18 years old to order (L5)');
        }
        const area = validateArea(body.workArea);
        if (!area.ok) throw new ApiError(422, 'invalid_work_area', `The work area is not valid: ${area.problems.map((p) => p.message).join('; ')}`, area.problems);
        if (body.digStart < orderTime) throw new ApiError(422, 'dig_start_in_past', `The dig start must be on or after the order time ${orderTime}`);
        if (body.desiredLocateDate) {
          const check = scheduleLocate(orderTime, body.desiredLocateDate, { express: body.express, split: false });
          if (!check.ok) throw new ApiError(422, check.reason, `The desired locate date ${body.desiredLocateDate} is not possible: ${check.reason.replace(/_/g, ' ')}`);
        }
        const owners = (await listNetworkOwners(deps.db)).filter((o) => intersects(o.coverage, area.geometry));
        const deadline = body.kind === 'planning' ? planningDueDate(orderTime) : handlingDeadlineDate(orderTime, body.digStart);
        const lk = await registerCase(
          deps.db,
          {
            kind: body.kind,
            account_id: account.id,
            work_area: area.geometry,
            area_m2: area.areaM2,
            registered_at: now,
            order_time: orderTime,
            handling_deadline: deadline,
            dig_start: body.digStart,
            desired_locate_date: body.desiredLocateDate ?? null,
            express: false,
          },
          owners.map((o) => o.id),
          (lk) =>
            deps.workflows.start<[CaseInput]>('locateCase', workflowIds.locateCase(lk), [
              {
                lk,
                kind: body.kind,
                accountId: account.id,
                questioner: { name: account.name, email: account.email, language: account.language },
                registeredAt: now.getTime(),
                orderTime,
                handlingDeadline: deadline,
                digStart: body.digStart,
                desiredLocateDate: body.desiredLocateDate ?? null,
                express: body.express,
                owners: owners.map((o) => ({ id: o.id, name: o.name, mode: o.mode })),
                publicUrl: deps.config.publicUrl,
              },
            ]),
        );
        return {
          body: {
            lk,
            kind: body.kind,
            orderTime,
            handlingDeadline: deadline,
            earliestNormalLocateDate: earliestNormalLocateDate(orderTime),
            expressWindow: expressWindow(orderTime),
            owners: owners.map((o) => ({ id: o.id, name: o.name, mode: o.mode })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/cases',
      tag: 'cases',
      summary: 'List cases by handling deadline: customers their own, handlers all',
      auth: ['customer', 'handler', 'admin'],
      query: z.object({ status: z.string().max(40).optional(), overdue: z.enum(['true', 'false']).optional(), ...paging }),
      handler: async ({ query, principal }) => {
        const { items, total } = await listCases(deps.db, { ...query, overdue: query.overdue === undefined ? undefined : query.overdue === 'true', accountId: accountScope(principal) });
        return { body: { items: items.map(present), total, limit: query.limit, offset: query.offset } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/cases/:lk',
      tag: 'cases',
      summary: 'One case with its network owners and their answers',
      auth: ['customer', 'handler', 'admin'],
      params: lkParams,
      handler: async ({ params, principal }) => {
        const c = await visibleCase(principal, params.lk);
        return { body: { ...present(c), owners: c.owners.map((o) => ({ id: o.owner_id, name: o.name, mode: o.mode, answer: o.answer, note: o.note, answeredAt: o.answered_at })) } };
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
        body: await deps.workflows.update(workflowIds.locateCase(params.lk), 'answer', { ...body, by: principal.id }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/locate-done',
      tag: 'cases',
      summary: 'The field technician has marked the lines (L12)',
      auth: ['handler'],
      params: lkParams,
      handler: async ({ params, principal }) => ({ body: await deps.workflows.update(workflowIds.locateCase(params.lk), 'locateDone', { by: principal.id }) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/cases/:lk/locate/quote',
      tag: 'cases',
      summary: 'The fee of moving (with date) or cancelling (without) the locate, before confirming (L15, L16)',
      auth: ['customer', 'handler'],
      params: lkParams,
      query: z.object({ date: isoDate.optional(), express: z.enum(['true', 'false']).default('false') }),
      handler: async ({ params, query, principal }) => {
        const c = await visibleCase(principal, params.lk);
        if (c.status !== 'locate_scheduled' || !c.locate_date) throw new ApiError(409, 'no_locate_scheduled', `${c.lk} has no scheduled locate`);
        if (!query.date) return { body: { action: 'cancel', fees: fees(cancellationFees(c.locate_date, new Date())) } };
        const scheduled = scheduleLocate(c.order_time, query.date, { express: query.express === 'true', split: false });
        if (!scheduled.ok) throw new ApiError(422, scheduled.reason, `${query.date} cannot be the locate date: ${scheduled.reason.replace(/_/g, ' ')}`);
        return { body: { action: 'move', locateDate: scheduled.date, express: scheduled.express, fees: fees(moveFees(c.locate_date, scheduled.express && !c.express, new Date())) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/locate/move',
      tag: 'cases',
      summary: 'Move the locate; expectedFeeMinor is the quoted fee, refused with 409 if it has changed (L15)',
      auth: ['customer'],
      params: lkParams,
      body: z.object({ date: isoDate, express: z.boolean().default(false), expectedFeeMinor: z.number().int().min(0) }),
      handler: async ({ params, body, principal }) => {
        await visibleCase(principal, params.lk);
        return { body: await deps.workflows.update(workflowIds.locateCase(params.lk), 'moveLocate', body) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/locate/cancel',
      tag: 'cases',
      summary: 'Cancel the locate; expectedFeeMinor is the quoted fee (L16)',
      auth: ['customer'],
      params: lkParams,
      body: z.object({ expectedFeeMinor: z.number().int().min(0) }),
      handler: async ({ params, body, principal }) => {
        await visibleCase(principal, params.lk);
        return { body: await deps.workflows.update(workflowIds.locateCase(params.lk), 'cancelLocate', body) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/deliver',
      tag: 'cases',
      summary: 'A handler delivers a planning case (L17)',
      auth: ['handler'],
      params: lkParams,
      handler: async ({ params, principal }) => ({ body: await deps.workflows.update(workflowIds.locateCase(params.lk), 'deliverPlanning', { by: principal.id }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/cases/:lk/withdraw',
      tag: 'cases',
      summary: 'Withdraw a planning case within 48 hours of ordering, before delivery (L18)',
      auth: ['customer'],
      params: lkParams,
      handler: async ({ params, principal }) => {
        await visibleCase(principal, params.lk);
        return { body: await deps.workflows.update(workflowIds.locateCase(params.lk), 'withdraw', {}) };
      },
    }),
  ];
}
