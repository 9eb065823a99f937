import { z } from 'zod';
import type { Db } from '../platform/db';
import type { Principal } from '../platform/http/principal';
import type { Request, Response } from 'express';
import { deliveryFiles, findDeliveryLink, getOrder, latestDelivery, type DeliveryFileRow } from './orders.store';
import type { Config } from '../platform/config';
import type { DeliveryStore } from '../platform/file-store';
import { assertVisible } from '../identity/auth';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { DELIVERY_TYPES } from './orders.rules';
import type { OrderService } from './orders.service';
import { presentDelivery, presentOrder } from './present';

const orderParams = z.object({ orderId: z.uuid() });

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
export function deliveryApiRoutes(deps: { db: Db; orders: OrderService; store: DeliveryStore; config: Config }) {
  const visibleOrder = async (principal: Principal, id: string) =>
    assertVisible(principal, await getOrder(deps.db, id), `Order ${id}`);
  const successfulFiles = async (orderId: string) => {
    const delivery = await latestDelivery(deps.db, orderId);
    if (!delivery || delivery.status !== 'LYCKAD')
      throw new ApiError(404, 'no_delivery', `Order ${orderId} has no finished delivery yet`);
    return { delivery, files: await deliveryFiles(deps.db, delivery.id) };
  };

  // Links point where the customer reached us, unless PUBLIC_URL says otherwise (behind a proxy).
  const presentFiles = (req: Request, path: string, files: DeliveryFileRow[]) => {
    const base = deps.config.PUBLIC_URL ?? `${req.protocol}://${req.get('host')}`;
    return files.map((f) => ({
      href: `${base}${path}/${encodeURIComponent(f.name)}`,
      title: f.name,
      type: f.type,
      length: f.length,
      displaySize: displaySize(f.length),
      updated: f.updated_at,
    }));
  };
  /** Streams the file (never whole in memory) with Content-Length; a single byte range answers 206. */
  const sendFile = async (req: Request, res: Response, file: DeliveryFileRow) => {
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
    res.set({
      'Content-Type': file.type,
      'Content-Length': String(end - start + 1),
      'Accept-Ranges': 'bytes',
      'Content-Disposition': `attachment; filename="${file.name}"`,
    });
    await new Promise<void>((resolve, reject) => {
      deps.store
        .read(file.storage_key, { start, end })
        .on('error', reject)
        .pipe(res)
        .on('finish', resolve)
        .on('error', reject);
    });
  };
  /** G7: the e-mail's link opens the files of its delivery until it expires; unknown answers 404, expired 410. */
  const linkedFiles = async (token: string) => {
    const link = await findDeliveryLink(deps.db, token);
    if (!link) throw new ApiError(404, 'not_found', 'This download link does not exist');
    if (link.expires_at.getTime() <= Date.now())
      throw new ApiError(
        410,
        'link_expired',
        `This download link expired at ${link.expires_at.toISOString()}; sign in to download the files`,
      );
    return { link, files: await deliveryFiles(deps.db, link.delivery_id) };
  };
  const linkParams = z.object({ token: z.string().regex(/^[\w-]{16,64}$/) });

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/delivery-links/:token',
      tag: 'orders',
      summary: "The files behind a delivery e-mail's link, until the link expires (G7)",
      auth: 'public',
      params: linkParams,
      handler: async ({ params, req }) => {
        const { link, files } = await linkedFiles(params.token);
        return {
          body: {
            orderId: link.order_id,
            expiresAt: link.expires_at,
            files: presentFiles(req, `/api/v1/delivery-links/${params.token}/files`, files),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/delivery-links/:token/files/:name',
      tag: 'orders',
      summary: "A file through a delivery e-mail's link, as GET {href} of the delivery API",
      auth: 'public',
      params: linkParams.extend({ name: z.string().min(1).max(200) }),
      handler: async ({ params, req, res }) => {
        const file = (await linkedFiles(params.token)).files.find((f) => f.name === params.name);
        if (!file) throw new ApiError(404, 'not_found', `The delivery has no file ${params.name}`);
        await sendFile(req, res, file);
      },
    }),
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
      summary:
        'The latest delivery: objektidentitet, skapad, status (LYCKAD | PÅGÅENDE | MISSLYCKAD), typ (BAS | FORANDRING)',
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
      query: z.object({ typ: z.enum(DELIVERY_TYPES) }),
      idempotent: true,
      successStatus: 201,
      handler: async ({ params, query, principal }) => ({
        body: presentDelivery(await deps.orders.startDelivery(principal, params.orderId, query.typ)),
      }),
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
        return { body: presentFiles(req, `/download/${params.orderId}/files`, files) };
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
        await sendFile(req, res, file);
      },
    }),
  ];
}
