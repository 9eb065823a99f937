import type { Db } from '../platform/db';
import { getSettlement, getVersion, settlementInputs, statementSha256 } from './settlement.store';
import { calculateStatement, canonicalJson, formatCents } from './rules/calculate';

/**
 * M6, for audits: a year's statement (an approved version, else the draft) checked against its
 * stored input rows — summing and hashing the rows again gives the stored inputs hash, and
 * computing the statement again gives the stored one, byte for byte.
 */
export async function verifySettlement(db: Db, year: number, version?: number) {
  const frozen = await getVersion(db, year, version);
  const draft = frozen || version ? undefined : await getSettlement(db, year);
  const stored = frozen
    ? {
        version: frozen.version as number | null,
        status: 'approved',
        inputs: frozen.inputs,
        statement: frozen.statement,
        inputsSha256: frozen.inputs_sha256,
        statementSha256: frozen.statement_sha256,
      }
    : draft?.inputs && draft.statement
      ? {
          version: null,
          status: draft.status,
          inputs: draft.inputs,
          statement: draft.statement,
          inputsSha256: draft.inputs_sha256,
          statementSha256: draft.statement_sha256,
        }
      : undefined;
  if (!stored) throw new Error(`There is no ${year} statement${version ? ` version ${version}` : ''}`);
  // The ledger's revenue is part of the stored inputs; the imported rows are read again.
  const ledger = stored.inputs.revenue.filter((r) => r.source === 'ledger');
  const inputs = await settlementInputs(db, year, stored.version ?? 0, ledger, 'rows');
  const checks = {
    inputsHashMatches: inputs.inputsSha256 === stored.inputsSha256,
    statementHashMatches: statementSha256(stored.statement) === stored.statementSha256,
    recomputedIdentical: canonicalJson(calculateStatement(inputs.input)) === canonicalJson(stored.statement),
  };
  return {
    year,
    version: stored.version,
    status: stored.status,
    inputsSha256: stored.inputsSha256,
    statementSha256: stored.statementSha256,
    ...checks,
    verified: Object.values(checks).every(Boolean),
    lines: stored.statement.lines.map((l) => ({
      providerId: l.providerId,
      pool: l.pool,
      basis: l.basis.decimal,
      sharePercent: l.share.percent,
      amountEur: formatCents(l.amountCents),
    })),
  };
}
