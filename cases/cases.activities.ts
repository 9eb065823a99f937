import { VECTOR_FORMATS, type Answer, type CaseFile, type VectorFormat } from './cases.rules';
import type { Db } from '../platform/db';
import {
  caseFileKey,
  getCase,
  insertCaseParts,
  planningPdfName,
  recordAnswer,
  recordCaseEvent,
  recordComplaintResponse,
  updateCase,
  type CaseChanges,
  type CaseEvent,
  type CasePart,
} from './cases.store';
import type { DeliveryStore } from '../platform/file-store';
import { renderPlanningPdf } from './planning-pdf';
import { renderVectorFile } from './planning-vector';
import type { SendEmail } from '../platform/outbox/email.activities';

export function createCaseActivities(deps: {
  db: Db;
  sendEmail: (m: SendEmail) => Promise<unknown>;
  store: DeliveryStore;
}) {
  return {
    /** Mirrors the workflow's state into the case row and, when given, records the step in the case's history. */
    async recordCaseState(lk: string, changes: CaseChanges, event?: CaseEvent): Promise<void> {
      await deps.db.transaction(async (trx) => {
        await updateCase(trx, lk, changes);
        if (event) await recordCaseEvent(trx, lk, event);
      });
    },

    /** A step of the case's history that changes nothing else (a reminder, an escalation). */
    async recordCaseEvent(lk: string, event: CaseEvent): Promise<void> {
      await recordCaseEvent(deps.db, lk, event);
    },

    /** L13: stores the parts of a split case before their workflows start. */
    async recordCaseParts(lk: string, parts: CasePart[]): Promise<void> {
      await insertCaseParts(deps.db, lk, parts);
    },

    /**
     * L17: renders the planning PDF and each vector format ordered as an add-on into the
     * delivery store; the same case gives the same bytes, so a retry is harmless.
     */
    async producePlanningFiles(lk: string): Promise<CaseFile[]> {
      const c = (await getCase(deps.db, lk))!;
      // The planning basis tells only whether an owner marks its lines; one that primarily supplies maps does on order (L14).
      const owners = c.owners.map((o) => ({
        name: o.name,
        mode: o.mode === 'map_only' ? o.mode : ('locates' as const),
      }));
      const basis = { lk, orderTime: c.order_time, areaM2: c.area_m2, workArea: c.work_area, owners };
      const formats = VECTOR_FORMATS.filter((f: VectorFormat) => c.add_ons.includes(f));
      const files = [
        { name: planningPdfName(lk), data: renderPlanningPdf(basis) },
        ...(await Promise.all(formats.map((f) => renderVectorFile(basis, f)))),
      ];
      return Promise.all(
        files.map(async (f) => ({ name: f.name, bytes: await deps.store.put(caseFileKey(lk, f.name), f.data) })),
      );
    },

    /** L7: the handler's response to a complaint. */
    async recordComplaintResponse(input: {
      complaintId: string;
      response: string;
      by: string;
      at: number;
    }): Promise<void> {
      await deps.db.transaction(async (trx) => {
        const complaint = await recordComplaintResponse(
          trx,
          input.complaintId,
          input.response,
          input.by,
          new Date(input.at),
        );
        if (complaint)
          await recordCaseEvent(trx, complaint.lk, {
            type: 'complaint_responded',
            actor: input.by,
            actorRole: 'handler',
            data: { complaintId: input.complaintId, response: input.response },
            key: `complaint-${input.complaintId}:responded`,
            at: new Date(input.at),
          });
      });
    },

    async recordCaseAnswer(input: {
      lk: string;
      ownerId: string;
      answer: Answer;
      note: string | null;
      by: string;
      at: number;
    }): Promise<void> {
      await deps.db.transaction(async (trx) => {
        await recordAnswer(trx, input.lk, input.ownerId, input.answer, input.note, input.by, new Date(input.at));
        await recordCaseEvent(trx, input.lk, {
          type: 'answered',
          actor: input.by,
          actorRole: 'handler',
          data: { ownerId: input.ownerId, answer: input.answer, note: input.note },
          key: `${input.lk}:answered:${input.ownerId}`,
          at: new Date(input.at),
        });
      });
    },

    /** One message per staff member of the role, each under its own key (so a retry sends none twice). */
  };
}

export type CaseActivities = ReturnType<typeof createCaseActivities>;
