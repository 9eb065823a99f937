import crypto from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../platform/db';
import { bookInvoice, type BookInvoice } from '../invoicing/invoices.store';
import {
  addDeliveryFiles,
  concludeAgreement,
  deliveryInProgress,
  deliveryLink,
  getOrder,
  setOrderShipment,
  setOrderStatus,
  upsertDelivery,
  type DeliveryRow,
} from './orders.store';
import { stockholmDate } from '../domain/calendar';
import type { DeliveryStore } from '../platform/file-store';
import type { SendEmail } from '../platform/outbox/email.activities';
import type { Area } from '../domain/geometry';
import { ProductionRefusal, type ProducedFile, type Producer, type ProductionRequest } from './production';
import { refusingBadInput } from '../platform/temporal/refusal';
import { UTTAG_FILE, uttagJson, type Statistik } from './uttag';
import { purgeExpiredDeliveries } from './retention';

/** A title clients can use as a file name as it is (G10). */
const SAFE_TITLE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * G10: the delivery's files as listed: production's files and `uttag.json`, built from their
 * statistics. A title that is not a safe file name, or that comes twice, is a production error.
 */
export function withUttag(area: Area, files: ProducedFile[]): ProducedFile[] {
  const titles = new Set<string>([UTTAG_FILE]);
  for (const f of files) {
    if (!SAFE_TITLE.test(f.name) || titles.has(f.name))
      throw ApplicationFailure.nonRetryable(
        `Production named a file ${JSON.stringify(f.name)}: titles are unique file names of letters, digits, '.', '_' and '-', and ${UTTAG_FILE} is the delivery's own`,
        'bad_file_name',
      );
    titles.add(f.name);
  }
  const data = files.filter((f): f is ProducedFile & { statistik: Statistik[] } => f.statistik !== undefined);
  const uttag = uttagJson(area, data);
  return [
    ...files,
    { name: UTTAG_FILE, type: 'application/json', content: Buffer.from(JSON.stringify(uttag, null, 2)) },
  ];
}

/** The end-use terms an agreement concluded today refers to (G4). */
export const TERMS_VERSION = 'Kartkontor slutanvändarvillkor 2026:1';

export function createOrderActivities(deps: {
  db: Db;
  producer: Producer;
  store: DeliveryStore;
  sendEmail: (m: SendEmail) => Promise<unknown>;
  /** G10: days a delivery's files are kept (`lagringstid`). */
  retentionDays: number;
}) {
  const open = async (
    request: Pick<ProductionRequest, 'orderId' | 'deliveryId' | 'typ' | 'sinceVersion'>,
  ): Promise<string | null> => {
    const delivery: Pick<DeliveryRow, 'id' | 'order_id' | 'typ' | 'status' | 'since_version'> = {
      id: request.deliveryId,
      order_id: request.orderId,
      typ: request.typ,
      status: 'PÅGÅENDE',
      since_version: request.sinceVersion,
    };
    if (await upsertDelivery(deps.db, delivery)) return null;
    return (await deliveryInProgress(deps.db, request.orderId))?.id ?? request.deliveryId;
  };
  return {
    /**
     * Records a transition and, when given, sends the customer's e-mail about it: one step, so a
     * workflow pays one activity for both. Both are once only, so a retry repeats neither. Input
     * the database refuses (A6) fails at once, not retried: the workflow is told (INPUT_REFUSED).
     */
    async recordOrderStatus(
      orderId: string,
      status: string,
      reason: string | null,
      by: string | null,
      notify: SendEmail | null = null,
    ): Promise<void> {
      await refusingBadInput(async () => {
        await setOrderStatus(deps.db, orderId, status, reason, by);
        if (notify) await deps.sendEmail(notify);
      });
    },

    async recordShipment(orderId: string, shipment: { carrier: string; trackingNumber: string }): Promise<void> {
      await refusingBadInput(() => setOrderShipment(deps.db, orderId, shipment));
    },

    /**
     * G4: approval concludes the end-use agreement (none where G1 or G5 say so; a subscription's
     * ends on `agreementValidTo`, the last day of its first term, G8), books the order's invoice and records the status, all or nothing.
     * Once per order: a retry finds the agreement, the invoice and the status already there.
     */
    async recordApproval(input: {
      orderId: string;
      by: string;
      concludeAgreement: boolean;
      agreementValidTo: string | null;
      invoice: Omit<BookInvoice, 'date'> | null;
    }): Promise<string | null> {
      return refusingBadInput(() =>
        deps.db.transaction(async (trx) => {
          const today = stockholmDate(new Date());
          const agreementId = input.concludeAgreement
            ? await concludeAgreement(
                trx,
                input.orderId,
                input.by,
                { validFrom: today, validTo: input.agreementValidTo },
                TERMS_VERSION,
              )
            : null;
          if (input.invoice) await bookInvoice(trx, { ...input.invoice, date: today });
          await setOrderStatus(trx, input.orderId, 'approved', null, input.by);
          return agreementId;
        }),
      );
    },

    /**
     * Produces and stores a delivery package (G7, G10) and records its data version; heartbeats
     * so a stuck production is noticed. A download delivery gets its expiring link (G7) here,
     * once per delivery, for the e-mail that follows.
     */
    async produceDelivery(
      request: ProductionRequest & { linkExpiresAt: number | null },
    ): Promise<{ files: number; bytes: number; version: number; link: { token: string; expiresAt: number } | null }> {
      const running = await open(request);
      if (running)
        throw ApplicationFailure.nonRetryable(
          `Delivery ${running} on order ${request.orderId} is still in progress`,
          'delivery_in_progress',
        );
      // G7: the format ordered, from the order itself (workflows started before issue 14 do not carry it).
      const order = await getOrder(deps.db, request.orderId);
      if (!order) throw ApplicationFailure.nonRetryable(`There is no order ${request.orderId}`, 'unknown_order');
      let produced: Awaited<ReturnType<Producer['produce']>>;
      try {
        produced = await deps.producer.produce({ ...request, format: order.format }, (note) =>
          Context.current().heartbeat(note),
        );
      } catch (err) {
        // G7: an extract production cannot make fails at once; trying again would not change it.
        if (err instanceof ProductionRefusal) throw ApplicationFailure.nonRetryable(err.message, err.code);
        throw err;
      }
      const { version } = produced;
      let bytes = 0;
      const stored = [];
      try {
        for (const f of withUttag(request.selection, produced.files)) {
          const key = `${request.orderId}/${request.deliveryId}/${f.name}`;
          const length = await deps.store.put(key, f.content);
          bytes += length;
          stored.push({ delivery_id: request.deliveryId, name: f.name, type: f.type, length, storage_key: key });
        }
      } finally {
        await produced.done();
      }
      await addDeliveryFiles(deps.db, stored);
      await upsertDelivery(deps.db, {
        id: request.deliveryId,
        order_id: request.orderId,
        typ: request.typ,
        status: 'LYCKAD',
        data_version: version,
      });
      const link =
        request.linkExpiresAt === null
          ? null
          : await deliveryLink(deps.db, {
              token: crypto.randomBytes(24).toString('base64url'),
              deliveryId: request.deliveryId,
              orderId: request.orderId,
              expiresAt: new Date(request.linkExpiresAt),
            });
      return {
        files: stored.length,
        bytes,
        version,
        link: link && { token: link.token, expiresAt: new Date(link.expires_at).getTime() },
      };
    },

    /**
     * G8, G10: a new delivery on a subscription exists (PÅGÅENDE) from the moment it is asked for.
     * Answers null, or the id of another delivery in progress on the order (then nothing is opened).
     */
    openDelivery: (request: Pick<ProductionRequest, 'orderId' | 'deliveryId' | 'typ' | 'sinceVersion'>) =>
      open(request),

    /** G10: removes the files of deliveries past `lagringstid` (the nightly Schedule). */
    purgeExpiredDeliveries: () =>
      purgeExpiredDeliveries({ db: deps.db, store: deps.store, retentionDays: deps.retentionDays, now: new Date() }),

    async markDeliveryFailed(request: Pick<ProductionRequest, 'orderId' | 'deliveryId' | 'typ'>): Promise<void> {
      await upsertDelivery(deps.db, {
        id: request.deliveryId,
        order_id: request.orderId,
        typ: request.typ,
        status: 'MISSLYCKAD',
      });
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
