/**
 * T9: Bankgirot's BgMax file of incoming payments: fixed-width records of 80 characters, ISO 8859-1,
 * each starting with its two-digit type ("transaktionskod"). Only the records Kartkontor needs are read:
 *
 *   01 start    3–22 "BGMAX", 23–24 version, 25–44 written (YYYYMMDDHHMMSSffffff), 45 T(est)/P(roduction)
 *   05 opening  3–12 the recipient's bankgiro, 23–25 currency
 *   20 payment  3–12 payer's bankgiro, 13–37 reference, 38–55 amount in öre, 56 reference code,
 *               57 payment channel, 58–69 Bankgirot's serial number
 *   25 message  3–52 free text, belonging to the payment before it
 *   15 deposit  38–45 payment date, 51–68 the section's amount, 72–79 its number of payments
 *   70 end      3–10 number of payments in the file
 *
 * Other records (names, addresses, deductions) are skipped. Positions are 1-based, as Bankgirot's
 * specification numbers them. The parser is pure: no I/O, nothing stored.
 */

export interface BgMaxPayment {
  /** 1-based line number of the payment record in the file. */
  row: number;
  payerBankgiro: string;
  /** The reference as given, trimmed (an OCR reference when the payer used one). */
  reference: string;
  amountMinor: number;
  /** Bankgirot's reference code: 2 = an OCR reference that passed Bankgirot's check. */
  referenceCode: string;
  serial: string;
  /** The deposit's date (YYYY-MM-DD), from the section's deposit record. */
  paidOn: string;
  messages: string[];
}

export interface BgMaxFile {
  bankgiro: string;
  currency: string;
  /** When Bankgirot wrote it, ISO 8601 (Swedish time, as written). */
  writtenAt: string;
  test: boolean;
  payments: BgMaxPayment[];
  /** Rows that could not be read; the others are still imported. */
  rowErrors: { row: number; message: string }[];
}

/** A file that is not a readable BgMax file at all; nothing of it is imported. */
export class BgMaxError extends Error {}

const field = (line: string, from: number, to: number) => line.slice(from - 1, to);
const digits = (s: string) => /^\d+$/.test(s);
const isoDate = (yyyymmdd: string) => `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
const validDate = (yyyymmdd: string) =>
  digits(yyyymmdd) && yyyymmdd.length === 8 && !Number.isNaN(Date.parse(`${isoDate(yyyymmdd)}T00:00:00Z`));

export function parseBgMax(text: string): BgMaxFile {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  const first = lines[0] ?? '';
  if (field(first, 1, 2) !== '01' || field(first, 3, 22).trim() !== 'BGMAX')
    throw new BgMaxError('not a BgMax file: the first record must be 01 BGMAX');
  const stamp = field(first, 25, 44);
  const file: BgMaxFile = {
    bankgiro: '',
    currency: '',
    writtenAt: digits(stamp.slice(0, 14))
      ? `${isoDate(stamp)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}`
      : '',
    test: field(first, 45, 45) === 'T',
    payments: [],
    rowErrors: [],
  };
  let section: BgMaxPayment[] = [];
  let sectionRows = 0;
  let ended = false;
  let paymentRecords = 0;
  const error = (row: number, message: string) => file.rowErrors.push({ row, message });

  lines.forEach((line, i) => {
    const row = i + 1;
    if (row === 1) return;
    if (ended) return error(row, 'record after the end record 70');
    switch (field(line, 1, 2)) {
      case '05': {
        const bankgiro = field(line, 3, 12);
        if (!digits(bankgiro)) return error(row, 'opening record 05: the bankgiro number is not digits');
        file.bankgiro ||= bankgiro.replace(/^0+/, '');
        file.currency ||= field(line, 23, 25).trim() || 'SEK';
        section = [];
        sectionRows = 0;
        return;
      }
      case '20': {
        paymentRecords += 1;
        sectionRows += 1;
        const amount = field(line, 38, 55);
        if (!digits(amount) || amount.length !== 18)
          return error(row, 'payment record 20: the amount (positions 38–55) is not 18 digits');
        if (Number(amount) === 0) return error(row, 'payment record 20: the amount is zero');
        const payment: BgMaxPayment = {
          row,
          payerBankgiro: field(line, 3, 12).replace(/^0+/, ''),
          reference: field(line, 13, 37).trim(),
          amountMinor: Number(amount),
          referenceCode: field(line, 56, 56),
          serial: field(line, 58, 69).trim(),
          paidOn: '',
          messages: [],
        };
        section.push(payment);
        return;
      }
      case '25': {
        section.at(-1)?.messages.push(field(line, 3, 52).trim());
        return;
      }
      case '15': {
        const date = field(line, 38, 45);
        if (!validDate(date)) {
          error(row, 'deposit record 15: the payment date (positions 38–45) is not a date');
          section = [];
          return;
        }
        const count = Number(field(line, 72, 79));
        const sum = Number(field(line, 51, 68));
        if (count !== sectionRows)
          error(row, `deposit record 15 counts ${count} payments, the section has ${sectionRows}`);
        else if (sum !== section.reduce((a, p) => a + p.amountMinor, 0))
          error(row, `deposit record 15 sums ${sum} öre, the section's payments do not`);
        for (const p of section) file.payments.push({ ...p, paidOn: isoDate(date) });
        section = [];
        sectionRows = 0;
        return;
      }
      case '70': {
        ended = true;
        const count = Number(field(line, 3, 10));
        if (count !== paymentRecords)
          throw new BgMaxError(
            `the end record 70 counts ${count} payments, the file has ${paymentRecords}: it is incomplete`,
          );
        return;
      }
      default:
        // Names, addresses, deductions and extra references (21–29, …) are not needed here.
        if (!/^\d\d$/.test(field(line, 1, 2))) error(row, 'not a BgMax record: it must start with its two-digit type');
    }
  });
  if (!ended) throw new BgMaxError('the end record 70 is missing: the file is incomplete');
  if (section.length > 0) error(lines.length, 'payments after the last deposit record 15 have no date');
  return file;
}
