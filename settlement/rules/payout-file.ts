/**
 * The payout file of an approved statement for the bank: ISO 20022 pain.001.001.03 (SEPA credit
 * transfer); the CSV for people is in settlement/documents.routes.ts. Pure: the same frozen payments give the same bytes (M6).
 */
import { formatCents } from './calculate';

export interface Payment {
  providerId: string;
  name: string;
  iban: string;
  /** EUR cents (T1). */
  amountCents: number;
}

export interface PayoutBatch {
  year: number;
  version: number;
  /** The approval's instant (UTC, ISO 8601); the batch is dated by it, never by "now". */
  approvedAt: string;
  payments: Payment[];
}

/** The remittance text of a batch's payments. */
export const reference = (b: PayoutBatch) => `Royalties ${b.year} v${b.version}`;

const xml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
/** SEPA allows at most 70 characters in a name. */
const name = (text: string) => xml([...text].slice(0, 70).join(''));

export function pain001(batch: PayoutBatch, payer: { name: string; iban: string }): string {
  const id = `KK-ROYALTY-${batch.year}-V${batch.version}`;
  const count = batch.payments.length;
  const sum = formatCents(batch.payments.reduce((s, p) => s + p.amountCents, 0));
  const created = batch.approvedAt.slice(0, 19);
  const transfers = batch.payments.map(
    (p, i) => `      <CdtTrfTxInf>
        <PmtId><EndToEndId>${id}-${i + 1}</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy="EUR">${formatCents(p.amountCents)}</InstdAmt></Amt>
        <Cdtr><Nm>${name(p.name)}</Nm></Cdtr>
        <CdtrAcct><Id><IBAN>${xml(p.iban)}</IBAN></Id></CdtrAcct>
        <RmtInf><Ustrd>${xml(`${reference(batch)} ${p.providerId}`.slice(0, 140))}</Ustrd></RmtInf>
      </CdtTrfTxInf>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">
  <CstmrCdtTrfInitn>
    <GrpHdr>
      <MsgId>${id}</MsgId>
      <CreDtTm>${created}</CreDtTm>
      <NbOfTxs>${count}</NbOfTxs>
      <CtrlSum>${sum}</CtrlSum>
      <InitgPty><Nm>${name(payer.name)}</Nm></InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>${id}</PmtInfId>
      <PmtMtd>TRF</PmtMtd>
      <NbOfTxs>${count}</NbOfTxs>
      <CtrlSum>${sum}</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>
      <ReqdExctnDt>${created.slice(0, 10)}</ReqdExctnDt>
      <Dbtr><Nm>${name(payer.name)}</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>${xml(payer.iban)}</IBAN></Id></DbtrAcct>
      <DbtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></DbtrAgt>
      <ChrgBr>SLEV</ChrgBr>
${transfers.join('\n')}
    </PmtInf>
  </CstmrCdtTrfInitn>
</Document>
`;
}
