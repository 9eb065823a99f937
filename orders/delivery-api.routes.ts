import { z } from 'zod';
import { ACCOUNT_ACCESS } from '../identity/account-roles';
import type { Db } from '../platform/db';
import type { Principal } from '../platform/http/principal';
import type { Request, Response } from 'express';
import {
  deliveryFiles,
  findDeliveryLink,
  getDelivery,
  getOrder,
  getProduct,
  latestDelivery,
  type DeliveryFileRow,
  type DeliveryRow,
} from './orders.store';
import type { Config } from '../platform/config';
import type { DeliveryStore } from '../platform/file-store';
import { getAccount } from '../identity/accounts.store';
import { assertVisible, unauthorized } from '../identity/auth';
import { ApiError } from '../platform/http/errors';
import { defineRoute } from '../platform/http/route';
import { DELIVERY_TYPES } from './orders.rules';
import type { OrderService } from './orders.service';
import { displaySize, isoWithOffset, presentDeliveryApiOrder, presentLeverans } from './present';
import { retentionDays } from './retention';
import { getSubscription } from './subscriptions.store';

const orderParams = z.object({ orderId: z.uuid() });
const fileName = z.string().min(1).max(200);
/** G10: `?typ=BAS|FORANDRING`; none (or empty) is BAS. */
const typQuery = z.object({
  typ: z.preprocess((v) => (v === '' ? undefined : v), z.enum(DELIVERY_TYPES).default('BAS')),
});

/** The roles of the delivery API (G10): customers of the order's account (users and system accounts), and staff reading. */
const READERS = ['customer', 'handler', 'admin'] as const;

/**
 * The delivery APIs that existing customer integrations call (G10): Geotorget's order handler
 * (`/geotorget/orderhanterare/v2`, with `/download/{orderId}/files`) and its newer download API
 * (`/geotorget/nedladdning/v1`, which also takes HTTP Basic with a user's e-mail and password).
 * Their paths and field names are fixed (docs/decisions/delivery-api.md says what Kartkontor
 * decided where they leave room). A customer sees only its own account's orders; the files of
 * an open-data order are open to anyone with its id.
 */
export function deliveryApiRoutes(deps: { db: Db; orders: OrderService; store: DeliveryStore; config: Config }) {
  const visibleOrder = async (principal: Principal, id: string) =>
    assertVisible(principal, await getOrder(deps.db, id), `Order ${id}`);
  /**
   * The order whose files are asked for: a caller with credentials sees its own account's (staff
   * every order's); one without, only an open-data order's, and a 401 for any other id, so the
   * answer does not tell whether a fee-based order exists.
   */
  const filesOrder = async (caller: Principal | undefined, id: string) => {
    if (caller) return visibleOrder(caller, id);
    const order = await getOrder(deps.db, id);
    const product = order && (await getProduct(deps.db, order.product_id));
    if (!order || !product?.open_data) throw unauthorized();
    return order;
  };
  const noDelivery = (orderId: string) =>
    new ApiError(404, 'no_delivery', `Order ${orderId} has no finished delivery yet`);
  /** The files of a finished (LYCKAD) delivery of the order: `which` is 'latest' or a delivery's id. */
  const successfulFiles = async (orderId: string, which = 'latest') => {
    const delivery = which === 'latest' ? await latestDelivery(deps.db, orderId) : await getDelivery(deps.db, which);
    if (!delivery || delivery.order_id !== orderId || delivery.status !== 'LYCKAD') throw noDelivery(orderId);
    assertFilesKept(delivery);
    return { delivery, files: await deliveryFiles(deps.db, delivery.id) };
  };
  /** G10: past `lagringstid` a delivery's files are removed; its file list and links answer 410. */
  const assertFilesKept = (delivery: Pick<DeliveryRow, 'id' | 'files_removed_at'>) => {
    if (delivery.files_removed_at)
      throw new ApiError(
        410,
        'delivery_files_removed',
        `The files of delivery ${delivery.id} were removed on ${isoWithOffset(delivery.files_removed_at)}, ${retentionDays(deps.config)} days (lagringstid) after it was made; start a new delivery or order again`,
      );
  };
  const findFile = (files: DeliveryFileRow[], name: string) => {
    const file = files.find((f) => f.name === name);
    if (!file) throw new ApiError(404, 'not_found', `The delivery has no file ${name}`);
    return file;
  };

  /** The order with what the delivery API shows of its product, account, subscription and latest delivery. */
  const presentOrderFor = async (principal: Principal, id: string) => {
    const order = await visibleOrder(principal, id);
    const [product, account, subscription, latest] = await Promise.all([
      getProduct(deps.db, order.product_id),
      getAccount(deps.db, order.account_id),
      getSubscription(deps.db, order.id),
      latestDelivery(deps.db, order.id),
    ]);
    return presentDeliveryApiOrder(order, { product: product!, account: account!, subscription, latest });
  };
  const presentLatest = async (principal: Principal, orderId: string) => {
    await visibleOrder(principal, orderId);
    const delivery = await latestDelivery(deps.db, orderId);
    if (!delivery) throw new ApiError(404, 'no_delivery', `Order ${orderId} has no delivery yet`);
    return presentLeverans(delivery, await deliveryFiles(deps.db, delivery.id), retentionDays(deps.config));
  };
  /** G8, G10: a new delivery on a subscription; answers it as the latest delivery shows it. */
  const startDelivery = async (principal: Principal, orderId: string, typ: (typeof DELIVERY_TYPES)[number]) => {
    const delivery: DeliveryRow = await deps.orders.startDelivery(principal, orderId, typ);
    return presentLeverans(delivery, await deliveryFiles(deps.db, delivery.id), retentionDays(deps.config));
  };

  // Links are built from configuration (PUBLIC_URL), never from the request's Host header.
  const presentFiles = (path: string, files: DeliveryFileRow[]) =>
    files.map((f) => ({
      href: `${deps.config.publicUrl}${path}/${encodeURIComponent(f.name)}`,
      title: f.name,
      type: f.type,
      length: f.length,
      displaySize: displaySize(f.length),
      updated: isoWithOffset(f.updated_at),
    }));
  /**
   * The download API's tree of a delivery's files: each entry's `path` is fetched under
   * `/geotorget/nedladdning/v1/{orderId}`; a file is `application/octet-stream` (its bytes come
   * with their own type), a level `application/json`. Deliveries list their files at the top level.
   */
  const fileTree = (delivery: DeliveryRow, files: DeliveryFileRow[]) =>
    files.map((f) => ({
      path: `/leverans/${delivery.id}/files/${encodeURIComponent(f.name)}`,
      title: f.name,
      type: 'application/octet-stream',
      length: f.length,
      displaySize: displaySize(f.length),
      updated: isoWithOffset(f.updated_at),
    }));
  /**
   * Streams the file (never whole in memory) with Content-Length and no Content-Encoding, whatever
   * the request's Accept says; a single byte range answers 206.
   */
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
    const delivery = await getDelivery(deps.db, link.delivery_id);
    if (delivery) assertFilesKept(delivery);
    return { link, files: await deliveryFiles(deps.db, link.delivery_id) };
  };
  const linkParams = z.object({ token: z.string().regex(/^[\w-]{16,64}$/) });

  const v2 = '/geotorget/orderhanterare/v2/:orderId';
  const v1 = '/geotorget/nedladdning/v1/:orderId';
  const deliveryParams = orderParams.extend({ delivery: z.union([z.literal('latest'), z.uuid()]) });

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/delivery-links/:token',
      tag: 'orders',
      summary: "The files behind a delivery e-mail's link, until the link expires (G7)",
      auth: 'public',
      params: linkParams,
      handler: async ({ params }) => {
        const { link, files } = await linkedFiles(params.token);
        return {
          body: {
            orderId: link.order_id,
            expiresAt: link.expires_at,
            files: presentFiles(`/api/v1/delivery-links/${params.token}/files`, files),
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
      params: linkParams.extend({ name: fileName }),
      handler: async ({ params, req, res }) => {
        await sendFile(req, res, findFile((await linkedFiles(params.token)).files, params.name));
      },
    }),
    defineRoute({
      method: 'get',
      path: v2,
      tag: 'delivery API (G10)',
      summary:
        'The order: objektidentitet, produktnamn, produktnummer, produktTyp, status (AKTIV | AVSLUTAD), abonnemang, skapad, …, and the back office’s fields',
      auth: READERS,
      accountRoles: ACCOUNT_ACCESS.read,
      systemAccounts: true,
      params: orderParams,
      handler: async ({ params, principal }) => ({ body: await presentOrderFor(principal, params.orderId) }),
    }),
    defineRoute({
      method: 'get',
      path: `${v2}/leverans/latest`,
      tag: 'delivery API (G10)',
      summary:
        'The latest delivery: objektidentitet, status (PÅGÅENDE | LYCKAD | MISSLYCKAD | MAKULERAD), typ (BAS | FORANDRING), skapad, uppdaterad, metadata {size, humanReadableSize, lagringstid}',
      auth: READERS,
      accountRoles: ACCOUNT_ACCESS.read,
      systemAccounts: true,
      params: orderParams,
      handler: async ({ params, principal }) => ({ body: await presentLatest(principal, params.orderId) }),
    }),
    defineRoute({
      method: 'post',
      path: `${v2}/leverans`,
      tag: 'delivery API (G10)',
      summary: 'Start a new delivery on a subscription (typ=BAS, the default, or FORANDRING); any body is ignored',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.order,
      systemAccounts: true,
      params: orderParams,
      query: typQuery,
      idempotent: true,
      successStatus: 201,
      handler: async ({ params, query, principal }) => ({
        body: await startDelivery(principal, params.orderId, query.typ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/download/:orderId/files',
      tag: 'delivery API (G10)',
      summary:
        "The files of the order's latest finished delivery, uttag.json among them; an open-data order's without credentials",
      auth: READERS,
      accountRoles: ACCOUNT_ACCESS.read,
      systemAccounts: true,
      anonymous: true,
      params: orderParams,
      handler: async ({ params, caller }) => {
        await filesOrder(caller, params.orderId);
        const { files } = await successfulFiles(params.orderId);
        return { body: presentFiles(`/download/${params.orderId}/files`, files) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/download/:orderId/files/:name',
      tag: 'delivery API (G10)',
      summary: "A file's bytes, streamed with Content-Length; Range requests answer 206",
      auth: READERS,
      accountRoles: ACCOUNT_ACCESS.read,
      systemAccounts: true,
      anonymous: true,
      params: orderParams.extend({ name: fileName }),
      handler: async ({ params, caller, req, res }) => {
        await filesOrder(caller, params.orderId);
        const { files } = await successfulFiles(params.orderId);
        await sendFile(req, res, findFile(files, params.name));
      },
    }),
    defineRoute({
      method: 'get',
      path: v1,
      tag: 'download API (G10)',
      summary: 'The order, as GET /geotorget/orderhanterare/v2/{orderId}',
      auth: READERS,
      accountRoles: ACCOUNT_ACCESS.read,
      systemAccounts: true,
      basic: true,
      params: orderParams,
      handler: async ({ params, principal }) => ({ body: await presentOrderFor(principal, params.orderId) }),
    }),
    defineRoute({
      method: 'post',
      path: `${v1}/leverans`,
      tag: 'download API (G10)',
      summary: 'Start a new delivery on a subscription, as POST /geotorget/orderhanterare/v2/{orderId}/leverans',
      auth: ['customer'],
      accountRoles: ACCOUNT_ACCESS.order,
      systemAccounts: true,
      basic: true,
      params: orderParams,
      query: typQuery,
      idempotent: true,
      successStatus: 201,
      handler: async ({ params, query, principal }) => ({
        body: await startDelivery(principal, params.orderId, query.typ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: `${v1}/leverans/latest`,
      tag: 'download API (G10)',
      summary: 'The latest delivery with its metadata, as GET /geotorget/orderhanterare/v2/{orderId}/leverans/latest',
      auth: READERS,
      accountRoles: ACCOUNT_ACCESS.read,
      systemAccounts: true,
      basic: true,
      params: orderParams,
      handler: async ({ params, principal }) => ({ body: await presentLatest(principal, params.orderId) }),
    }),
    defineRoute({
      method: 'get',
      path: `${v1}/leverans/:delivery/files`,
      tag: 'download API (G10)',
      summary:
        'The files of a finished delivery (latest, or by id) as a tree of {path, title, type, length, displaySize, updated}',
      auth: READERS,
      accountRoles: ACCOUNT_ACCESS.read,
      systemAccounts: true,
      basic: true,
      params: deliveryParams,
      handler: async ({ params, principal }) => {
        await visibleOrder(principal, params.orderId);
        const { delivery, files } = await successfulFiles(params.orderId, params.delivery);
        return { body: fileTree(delivery, files) };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${v1}/leverans/:delivery/files/:name`,
      tag: 'download API (G10)',
      summary: "A file's bytes, at the path its tree entry names",
      auth: READERS,
      accountRoles: ACCOUNT_ACCESS.read,
      systemAccounts: true,
      basic: true,
      params: deliveryParams.extend({ name: fileName }),
      handler: async ({ params, principal, req, res }) => {
        await visibleOrder(principal, params.orderId);
        const { files } = await successfulFiles(params.orderId, params.delivery);
        await sendFile(req, res, findFile(files, params.name));
      },
    }),
  ];
}
