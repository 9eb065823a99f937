import { z } from 'zod';
import type { Db } from '../../db/knex';
import type { Principal } from '../../db/stores/credentials';
import { deliveryFiles, getOrder, latestDelivery, type DeliveryRow } from '../../db/stores/orders';
import type { Config } from '../../lib/config';
import type { DeliveryStore } from '../../lib/delivery-store';
import { assertVisible } from '../auth';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { presentOrder } from './orders';

const orderParams = z.object({ orderId: z.uuid() });

const presentDelivery = (d: DeliveryRow) => ({ objektidentitet: d.id, skapad: d.created_at, status: d.status, typ: d.typ });

function displaySize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) [size, unit] = [size / 1024, unit + 1];
  return `${unit === 0 ? size : size.toFixed(1)} ${units[unit]}`;
}

/**
 * The delivery API that existing customer integrations call (G10). Its paths and field names
 * are fixed by DOMAIN.md; a system account sees only its own account's orders.
 */
export function deliveryApiRoutes(deps: { db: Db; store: DeliveryStore; config: Config }) {
  const visibleOrder = async (principal: Principal, id: string) => assertVisible(principal, await getOrder(deps.db, id), `Order ${id}`);
  const successfulFiles = async (orderId: string) => {
    const delivery = await latestDelivery(deps.db, orderId);
    if (!delivery || delivery.status !== 'LYCKAD') throw new ApiError(404, 'no_delivery', `Order ${orderId} has no finished delivery yet`);
    return { delivery, files: await deliveryFiles(deps.db, delivery.id) };
  };

  return [
    defineRoute({
      method: 'get',
      path: '/geotorget/orderhanterare/v2/:orderId',
      tag: 'delivery API (G10)',
      summary: 'The order as JSON',
      auth: ['customer', 'handler', 'admin'],
      params: orderParams,
      handler: async ({ params, principal }) => ({ body: presentOrder(await visibleOrder(principal, params.orderId)) }),
    }),
    defineRoute({
      method: 'get',
      path: '/geotorget/orderhanterare/v2/:orderId/leverans/latest',
      tag: 'delivery API (G10)',
      summary: 'The latest delivery: objektidentitet, skapad, status (LYCKAD | PÅGÅENDE | MISSLYCKAD), typ (BAS | FORANDRING)',
      auth: ['customer', 'handler', 'admin'],
      params: orderParams,
      handler: async ({ params, principal }) => {
        await visibleOrder(principal, params.orderId);
        const delivery = await latestDelivery(deps.db, params.orderId);
        if (!delivery) throw new ApiError(404, 'no_delivery', `Order ${params.orderId} has no delivery yet`);
        return { body: presentDelivery(delivery) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/geotorget/orderhanterare/v2/:orderId/leverans',
      tag: 'delivery API (G10)',
      summary: 'Start a new delivery on a subscription (typ=BAS or FORANDRING)',
      auth: ['customer'],
      params: orderParams,
      query: z.object({ typ: z.enum(['BAS', 'FORANDRING']) }),
      handler: async ({ params, principal }) => {
        await visibleOrder(principal, params.orderId);
        throw new ApiError(409, 'not_a_subscription', `Order ${params.orderId} is not a subscription; new deliveries can only be started on a subscription (G8)`);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/download/:orderId/files',
      tag: 'delivery API (G10)',
      summary: "The files of the order's latest finished delivery",
      auth: ['customer', 'handler', 'admin'],
      params: orderParams,
      handler: async ({ params, principal, req }) => {
        await visibleOrder(principal, params.orderId);
        const { files } = await successfulFiles(params.orderId);
        // Links point where the customer reached us, unless PUBLIC_URL says otherwise (behind a proxy).
        const base = deps.config.PUBLIC_URL ?? `${req.protocol}://${req.get('host')}`;
        return {
          body: files.map((f) => ({
            href: `${base}/download/${params.orderId}/files/${encodeURIComponent(f.name)}`,
            title: f.name,
            type: f.type,
            length: f.length,
            displaySize: displaySize(f.length),
            updated: f.updated_at,
          })),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/download/:orderId/files/:name',
      tag: 'delivery API (G10)',
      summary: "A file's bytes, streamed with Content-Length; Range requests answer 206",
      auth: ['customer', 'handler', 'admin'],
      params: orderParams.extend({ name: z.string().min(1).max(200) }),
      handler: async ({ params, principal, req, res }) => {
        await visibleOrder(principal, params.orderId);
        const { files } = await successfulFiles(params.orderId);
        const file = files.find((f) => f.name === params.name);
        if (!file) throw new ApiError(404, 'not_found', `The delivery has no file ${params.name}`);
        const size = await deps.store.size(file.storage_key);
        const range = /^bytes=(\d*)-(\d*)$/.exec(req.get('Range') ?? '');
        let start = 0;
        let end = size - 1;
        if (range && (range[1] || range[2])) {
          start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
          end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
          if (start > end || start >= size) {
            res.status(416).set('Content-Range', `bytes */${size}`).end();
            return;
          }
          res.status(206).set('Content-Range', `bytes ${start}-${end}/${size}`);
        }
        res.set({ 'Content-Type': file.type, 'Content-Length': String(end - start + 1), 'Accept-Ranges': 'bytes', 'Content-Disposition': `attachment; filename="${file.name}"` });
        await new Promise<void>((resolve, reject) => {
          deps.store.read(file.storage_key, { start, end }).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
        });
      },
    }),
  ];
}
