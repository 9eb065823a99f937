import { Context } from '@temporalio/activity';
import type { Db } from '../db/knex';
import { addDeliveryFiles, createAgreement, getOrder, setOrderStatus, upsertDelivery } from '../db/stores/orders';
import { stockholmDate } from '../domain/calendar';
import type { DeliveryStore } from '../lib/delivery-store';
import type { Producer, ProductionRequest } from './production';

/** The end-use terms an agreement concluded today refers to (G4). */
export const TERMS_VERSION = 'Kartkontor slutanvändarvillkor 2026:1';

export function createOrderActivities(deps: { db: Db; producer: Producer; store: DeliveryStore }) {
  return {
    async recordOrderStatus(orderId: string, status: string, reason: string | null, by: string | null): Promise<void> {
      await setOrderStatus(deps.db, orderId, status, reason, by);
    },

    /** G4: approval concludes the end-use agreement; once per order. */
    async concludeAgreement(orderId: string, approvedBy: string): Promise<string> {
      const order = (await getOrder(deps.db, orderId))!;
      const agreement = await createAgreement(deps.db, order, approvedBy, stockholmDate(new Date()), TERMS_VERSION);
      return agreement.id;
    },

    /** Produces and stores a delivery package (G7, G10); heartbeats so a stuck production is noticed. */
    async produceDelivery(request: ProductionRequest): Promise<{ files: number; bytes: number }> {
      await upsertDelivery(deps.db, { id: request.deliveryId, order_id: request.orderId, typ: request.typ, status: 'PÅGÅENDE' });
      const files = await deps.producer.produce(request, (note) => Context.current().heartbeat(note));
      let bytes = 0;
      const stored = [];
      for (const f of files) {
        const key = `${request.orderId}/${request.deliveryId}/${f.name}`;
        bytes += await deps.store.put(key, f.data);
        stored.push({ delivery_id: request.deliveryId, name: f.name, type: f.type, length: f.data.length, storage_key: key });
      }
      await addDeliveryFiles(deps.db, stored);
      await upsertDelivery(deps.db, { id: request.deliveryId, order_id: request.orderId, typ: request.typ, status: 'LYCKAD' });
      return { files: files.length, bytes };
    },

    async markDeliveryFailed(request: Pick<ProductionRequest, 'orderId' | 'deliveryId' | 'typ'>): Promise<void> {
      await upsertDelivery(deps.db, { id: request.deliveryId, order_id: request.orderId, typ: request.typ, status: 'MISSLYCKAD' });
    },
  };
}
