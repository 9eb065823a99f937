import Handlebars from 'handlebars';
import { toCsv } from '../platform/csv';
import { formatCents, type Statement } from './rules/calculate';
import { reference, type PayoutBatch } from './rules/payout-file';

/** The statement as finance downloads it: one row per provider and pool (M6: the rows of a pool add up to it). */
export function statementCsv(statement: Statement | null): string {
  return toCsv(
    ['provider_id', 'pool', 'basis', 'share', 'share_percent', 'amount'],
    (statement?.lines ?? []).map((l) => [
      l.providerId,
      l.pool,
      l.basis.fraction,
      l.share.fraction,
      l.share.percent,
      formatCents(l.amountCents),
    ]),
  );
}

/** The payout file for people: one payment per provider. */
export function payoutCsv(batch: PayoutBatch): string {
  return toCsv(
    ['provider_id', 'name', 'iban', 'amount', 'currency', 'reference'],
    batch.payments.map((p) => [p.providerId, p.name, p.iban, formatCents(p.amountCents), 'EUR', reference(batch)]),
  );
}

export interface StatementHeading {
  year: number;
  version: number | null;
  status: string;
  inputsSha256: string | null;
  statementSha256: string | null;
}

/** A printable statement: revenue by source (import or ledger), pools, lines and the hashes that identify it. */
export function statementHtml(heading: StatementHeading, statement: Statement | null): string {
  const s = statement;
  return page({
    ...heading,
    revenue:
      s?.revenue.map((r) => ({
        category: r.category,
        import: formatCents(r.importCents),
        ledger: formatCents(r.ledgerCents),
        total: formatCents(r.totalCents),
      })) ?? [],
    pools: s
      ? (['map', 'address'] as const).map((pool) => ({
          pool,
          total: formatCents(s.pools[pool].amountCents),
          distributed: formatCents(s.pools[pool].distributedCents),
          note: s.pools[pool].undistributedReason,
          lines: s.lines.filter((l) => l.pool === pool).map((l) => ({ ...l, amount: formatCents(l.amountCents) })),
        }))
      : [],
  });
}

const page = Handlebars.compile(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Royalty settlement {{year}}</title>
<link rel="stylesheet" href="/app/assets/documents.css"></head>
<body class="statement">
<h1>Royalty settlement {{year}}</h1>
<p>{{#if version}}Version {{version}}, {{status}}{{else}}{{status}} (not approved){{/if}}. Amounts in EUR.</p>
<p>Inputs SHA-256 <code>{{inputsSha256}}</code><br>Statement SHA-256 <code>{{statementSha256}}</code></p>
<h2>Revenue</h2>
<table><tr><th>category</th><th>imported</th><th>ledger</th><th>total</th></tr>
{{#each revenue}}<tr><td>{{category}}</td><td class="n">{{import}}</td><td class="n">{{ledger}}</td><td class="n">{{total}}</td></tr>
{{/each}}</table>
{{#each pools}}
<h2>{{pool}} pool: {{total}}</h2>
{{#if note}}<p>{{note}}</p>{{/if}}
<table><tr><th>provider</th><th>basis</th><th>share</th><th>%</th><th>amount</th></tr>
{{#each lines}}<tr><td>{{providerId}}</td><td class="n">{{basis.decimal}}</td><td>{{share.fraction}}</td><td class="n">{{share.percent}}</td><td class="n">{{amount}}</td></tr>
{{/each}}<tr><th colspan="4">distributed</th><th class="n">{{distributed}}</th></tr></table>
{{/each}}
</body></html>
`);
