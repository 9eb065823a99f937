import { describe, expect, it } from 'vitest';
import { payoutCsv } from '../../settlement/documents.routes';
import { pain001, type PayoutBatch } from '../../settlement/rules/payout-file';

const batch: PayoutBatch = {
  year: 2025,
  version: 2,
  approvedAt: '2026-01-20T08:15:00.000Z',
  payments: [
    { providerId: 'hki', name: 'Helsinki, "kaupunkimittaus" & co', iban: 'FI2112345600000785', amountCents: 123456 },
    { providerId: 'mml', name: 'Maanmittauslaitos', iban: 'FI2112345600000785', amountCents: 5 },
  ],
};

describe('payout files (M6, T1)', () => {
  it('CSV: one payment per provider in EUR, names quoted when needed', () => {
    expect(payoutCsv(batch)).toBe(
      'provider_id,name,iban,amount,currency,reference\n' +
        'hki,"Helsinki, ""kaupunkimittaus"" & co",FI2112345600000785,1234.56,EUR,Royalties 2025 v2\n' +
        'mml,Maanmittauslaitos,FI2112345600000785,0.05,EUR,Royalties 2025 v2\n',
    );
  });

  it('pain.001: control sum and count match the payments, text is escaped, dated by the approval', () => {
    const xml = pain001(batch, { name: 'Kartkontor', iban: 'FI2112345600000785' });
    expect(xml.match(/<NbOfTxs>2<\/NbOfTxs>/g)).toHaveLength(2);
    expect(xml.match(/<CtrlSum>1234.61<\/CtrlSum>/g)).toHaveLength(2);
    expect(xml).toContain('<Nm>Helsinki, &quot;kaupunkimittaus&quot; &amp; co</Nm>');
    expect(xml).toContain('<CreDtTm>2026-01-20T08:15:00</CreDtTm>');
    expect(xml).toContain('<ReqdExctnDt>2026-01-20</ReqdExctnDt>');
    expect(xml).toContain('<EndToEndId>KK-ROYALTY-2025-V2-2</EndToEndId>');
    expect(pain001(batch, { name: 'Kartkontor', iban: 'FI2112345600000785' })).toBe(xml);
  });
});
