import { z } from 'zod';
import { stockholmDate } from '../domain/calendar';
import { auditActor } from '../platform/audit/actor';
import { defineRoute } from '../platform/http/route';
import { isoDate } from '../platform/http/schemas';
import { newPriceVersionSchema, type PriceList } from './price-list.service';

const productParams = z.object({ id: z.string().min(1).max(100) });

/** Issue 21 (T3): the geodata price list by version; admins add versions from a future date. */
export function priceListRoutes(deps: { priceList: PriceList }) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/prices',
      tag: 'orders',
      summary: 'The geodata prices in force on a date (default today), per product (T3); SEK excluding VAT',
      auth: 'authenticated',
      query: z.object({ on: isoDate.optional() }),
      handler: async ({ query }) => {
        const on = query.on ?? stockholmDate(new Date());
        return { body: { on, items: await deps.priceList.on(on) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/products/:id/prices',
      tag: 'orders',
      summary: "Every version of a product's geodata prices, newest first (T3)",
      auth: 'authenticated',
      params: productParams,
      handler: async ({ params }) => ({ body: { items: await deps.priceList.versions(params.id) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/products/:id/prices',
      tag: 'orders',
      summary:
        "An admin adds a version of a product's geodata prices (per km², minimum, annual fee) from a future date, with the reason; orders keep the version of their day (T3)",
      auth: ['admin'],
      params: productParams,
      body: newPriceVersionSchema,
      idempotent: true,
      successStatus: 201,
      handler: async ({ params, body, principal, req }) => ({
        body: await deps.priceList.add(params.id, body, auditActor(principal, req)),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/products/:id/history',
      tag: 'orders',
      summary: "A product's history from the audit log: every change with who, when and why",
      auth: ['admin', 'handler', 'finance'],
      params: productParams,
      handler: async ({ params }) => ({ body: { items: await deps.priceList.history(params.id) } }),
    }),
  ];
}
