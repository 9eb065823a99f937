/**
 * Builds BgMax files the way Bankgirot writes them (80-character records, positions per
 * Bankgirot's BgMax specification), for tests: independent of the parser in invoicing/bgmax.ts.
 */
const pad = (s: string | number, width: number, fill = ' ', left = false) => {
  const text = String(s);
  if (text.length > width) throw new Error(`"${text}" does not fit in ${width} characters`);
  return left ? text.padStart(width, fill) : text.padEnd(width, fill);
};
const num = (n: number | string, width: number) => pad(n, width, '0', true);
const record = (...parts: string[]) => pad(parts.join(''), 80);

export interface TestPayment {
  reference: string;
  amountMinor: number;
  payerBankgiro?: string;
  message?: string;
  /** 2: an OCR reference Bankgirot checked. */
  referenceCode?: string;
}

export function bgmaxFile(
  sections: { bankgiro: string; date: string; payments: TestPayment[] }[],
  opts: { endCount?: number } = {},
): string {
  const lines = [record('01', pad('BGMAX', 20), '01', '20260505040506123456', 'P')];
  let serial = 0;
  let payments = 0;
  for (const s of sections) {
    lines.push(record('05', num(s.bankgiro.replace('-', ''), 10), pad('', 10), 'SEK'));
    for (const p of s.payments) {
      serial += 1;
      payments += 1;
      lines.push(
        record(
          '20',
          num((p.payerBankgiro ?? '9912346').replace('-', ''), 10),
          pad(p.reference, 25),
          num(p.amountMinor, 18),
          p.referenceCode ?? '2',
          '1',
          num(serial, 12),
          '0',
        ),
      );
      if (p.message) lines.push(record('25', pad(p.message, 50)));
      lines.push(record('26', pad('Betalaren AB', 35)));
    }
    const sum = s.payments.reduce((a, p) => a + p.amountMinor, 0);
    lines.push(
      record(
        '15',
        pad('99999999999', 35),
        s.date.replaceAll('-', ''),
        num(1, 5),
        num(sum, 18),
        'SEK',
        num(s.payments.length, 8),
        ' ',
      ),
    );
  }
  lines.push(record('70', num(opts.endCount ?? payments, 8), num(0, 8), num(0, 8), num(sections.length, 8)));
  return `${lines.join('\r\n')}\r\n`;
}
