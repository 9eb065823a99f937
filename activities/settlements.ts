import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/knex';
import { appendAudit } from '../db/stores/audit';
import { ensureSettlement, freezeVersion, getVersion, listProviders, loadSettlementInput, updateSettlement } from '../db/stores/settlements';
import { calculateStatement, canonicalJson, formatCents, SettlementInputError } from '../domain/settlement/calculate';
import type { SendEmail } from './email';

const sha256 = (value: unknown) => crypto.createHash('sha256').update(canonicalJson(value)).digest('hex');

/** Who acted, for the audit log: a finance user's id, or `schedule` when the yearly run started it. */
const actor = (by: string) => (by === 'schedule' ? { actorType: 'system' as const, actorId: 'schedule' } : { actorType: 'user' as const, actorId: by });

export function createSettlementActivities(deps: { db: Db; sendEmail: (m: SendEmail) => Promise<unknown> }) {
  return {
    async openSettlement(year: number, by: string): Promise<void> {
      await ensureSettlement(deps.db, year);
      await appendAudit(deps.db, { ...actor(by), action: 'settlement.run', objectType: 'settlement', objectId: String(year) });
    },

    async markBooksClosed(year: number, by: string): Promise<void> {
      await updateSettlement(deps.db, year, { books_closed_by: by, books_closed_at: new Date() });
      await appendAudit(deps.db, { ...actor(by), action: 'settlement.books_closed', objectType: 'settlement', objectId: String(year) });
    },

    /** M2–M6: computes the draft from the inputs present now; the same inputs give the same hashes. */
    async computeSettlementDraft(year: number, by: string): Promise<{ inputsSha256: string; statementSha256: string }> {
      const inputs = await loadSettlementInput(deps.db, year);
      let statement;
      try {
        statement = calculateStatement(inputs);
      } catch (err) {
        if (err instanceof SettlementInputError) throw ApplicationFailure.nonRetryable(err.message, 'settlement_inputs');
        throw err;
      }
      const hashes = { inputsSha256: sha256(inputs), statementSha256: sha256(statement) };
      await updateSettlement(deps.db, year, {
        status: 'draft', computed_by: by, computed_at: new Date(), inputs, statement, inputs_sha256: hashes.inputsSha256, statement_sha256: hashes.statementSha256,
      });
      await appendAudit(deps.db, { ...actor(by), action: 'settlement.computed', objectType: 'settlement', objectId: String(year), details: hashes });
      return hashes;
    },

    async approveSettlement(year: number, by: string): Promise<number> {
      const version = await freezeVersion(deps.db, year, by, null);
      await appendAudit(deps.db, { actorType: 'user', actorId: by, action: 'settlement.approved', objectType: 'settlement', objectId: String(year), details: { version: version.version, statementSha256: version.statement_sha256 } });
      return version.version;
    },

    /** Each provider gets its own lines and the pool totals, in its language. */
    async sendProviderStatements(year: number, version: number): Promise<number> {
      const frozen = (await getVersion(deps.db, year, version))!;
      const providers = await listProviders(deps.db, year);
      let sent = 0;
      for (const p of providers) {
        const lines = frozen.statement.lines.filter((l) => l.providerId === p.provider_id);
        if (lines.length === 0) continue;
        await deps.sendEmail({
          key: `settlement-${year}-v${version}:${p.provider_id}`,
          template: 'settlement-statement',
          locale: p.language,
          to: p.email,
          data: {
            year, version, providerName: p.name, iban: p.iban,
            lines: lines.map((l) => ({ pool: l.pool, share: l.share.percent, amount: formatCents(l.amountCents) })),
            mapPool: formatCents(frozen.statement.pools.map.distributedCents),
            addressPool: formatCents(frozen.statement.pools.address.distributedCents),
          },
        });
        sent += 1;
      }
      return sent;
    },
  };
}
