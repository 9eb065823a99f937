import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../platform/db';
import { appendAudit } from '../platform/audit/audit.store';
import {
  DraftOutdated,
  ensureSettlement,
  freezeVersion,
  getVersion,
  ledgerRevenue,
  listProviders,
  settlementInputs,
  statementSha256,
  updateSettlement,
} from './settlement.store';
import { calculateStatement, formatCents, SettlementInputError } from './rules/calculate';
import type { SendEmail } from '../platform/outbox/email.activities';

/** Who acted, for the audit log: a finance user's id, or `schedule` when the yearly run started it. */
/** A refusal the workflow passes on to the API as it is: the error code and HTTP status (api/temporal.ts). */
const refused = (status: 409 | 422, type: string, message: string) =>
  ApplicationFailure.create({ type, message, details: [status, null], nonRetryable: true });

const actor = (by: string) =>
  by === 'schedule'
    ? { actorType: 'system' as const, actorId: 'schedule' }
    : { actorType: 'user' as const, actorId: by };

export function createSettlementActivities(deps: { db: Db; sendEmail: (m: SendEmail) => Promise<unknown> }) {
  return {
    async openSettlement(year: number, by: string): Promise<void> {
      await ensureSettlement(deps.db, year);
      await appendAudit(deps.db, {
        ...actor(by),
        action: 'settlement.run',
        objectType: 'settlement',
        objectId: String(year),
      });
    },

    async markBooksClosed(year: number, by: string): Promise<void> {
      await updateSettlement(deps.db, year, { books_closed_by: by, books_closed_at: new Date() });
      await appendAudit(deps.db, {
        ...actor(by),
        action: 'settlement.books_closed',
        objectType: 'settlement',
        objectId: String(year),
      });
    },

    /** A correction of an approved statement starts a new draft; its reason goes with the next version. */
    async reopenSettlement(year: number, by: string, reason: string): Promise<void> {
      await updateSettlement(deps.db, year, { correction_reason: reason });
      await appendAudit(deps.db, {
        ...actor(by),
        action: 'settlement.correction_started',
        objectType: 'settlement',
        objectId: String(year),
        details: { reason },
      });
    },

    /** M2–M6: computes the draft from the inputs present now; the same inputs give the same hashes. */
    async computeSettlementDraft(
      year: number,
      by: string,
      cause: 'books_closed' | 'recompute' | 'correction',
    ): Promise<{ inputsSha256: string; statementSha256: string }> {
      const { input: inputs, inputsSha256 } = await settlementInputs(
        deps.db,
        year,
        0,
        await ledgerRevenue(deps.db, year),
      );
      let statement;
      try {
        statement = calculateStatement(inputs);
      } catch (err) {
        if (err instanceof SettlementInputError) throw refused(422, 'settlement_inputs', err.message);
        throw err;
      }
      const hashes = { inputsSha256, statementSha256: statementSha256(statement) };
      await updateSettlement(deps.db, year, {
        status: 'draft',
        computed_by: by,
        computed_at: new Date(),
        inputs,
        statement,
        inputs_sha256: hashes.inputsSha256,
        statement_sha256: hashes.statementSha256,
      });
      await appendAudit(deps.db, {
        ...actor(by),
        action: cause === 'recompute' ? 'settlement.recomputed' : 'settlement.computed',
        objectType: 'settlement',
        objectId: String(year),
        details: { cause, ...hashes },
      });
      return hashes;
    },

    async approveSettlement(year: number, by: string): Promise<number> {
      const version = await freezeVersion(deps.db, year, by).catch((err: unknown) => {
        throw err instanceof DraftOutdated ? refused(409, 'draft_outdated', err.message) : err;
      });
      const details = {
        version: version.version,
        reason: version.reason,
        inputsSha256: version.inputs_sha256,
        statementSha256: version.statement_sha256,
      };
      await appendAudit(deps.db, {
        actorType: 'user',
        actorId: by,
        action: version.version > 1 ? 'settlement.new_version' : 'settlement.approved',
        objectType: 'settlement',
        objectId: String(year),
        details,
      });
      return version.version;
    },

    /**
     * Each provider gets its own lines and the pool totals, in its language. Heartbeats its
     * progress; a retry resends nothing, as each e-mail is sent once under its key.
     */
    async sendProviderStatements(year: number, version: number): Promise<number> {
      const frozen = (await getVersion(deps.db, year, version))!;
      const providers = await listProviders(deps.db, year, version);
      const linesOf = new Map<string, typeof frozen.statement.lines>();
      for (const l of frozen.statement.lines) linesOf.set(l.providerId, [...(linesOf.get(l.providerId) ?? []), l]);
      let sent = 0;
      for (const p of providers) {
        const lines = linesOf.get(p.provider_id) ?? [];
        if (lines.length === 0) continue;
        await deps.sendEmail({
          key: `settlement-${year}-v${version}:${p.provider_id}`,
          template: 'settlement-statement',
          locale: p.language,
          to: p.email,
          data: {
            year,
            version,
            providerName: p.name,
            iban: p.iban,
            lines: lines.map((l) => ({ pool: l.pool, share: l.share.percent, amount: formatCents(l.amountCents) })),
            mapPool: formatCents(frozen.statement.pools.map.distributedCents),
            addressPool: formatCents(frozen.statement.pools.address.distributedCents),
          },
        });
        sent += 1;
        Context.current().heartbeat(sent);
      }
      return sent;
    },
  };
}

export type SettlementActivities = ReturnType<typeof createSettlementActivities>;
