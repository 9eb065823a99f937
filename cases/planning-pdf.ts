import { bbox, type Area } from '../domain/geometry';

export interface PlanningBasis {
  lk: string;
  orderTime: string;
  areaM2: number;
  workArea: Area;
  owners: { name: string; mode: 'locates' | 'map_only' }[];
}

/** A PDF string in WinAnsiEncoding: Latin-1 letters (å, ä, ö, ²) as octal escapes. */
const pdfString = (s: string) =>
  `(${[...s]
    .map((ch) => {
      const code = ch.charCodeAt(0);
      if (ch === '(' || ch === ')' || ch === '\\') return `\\${ch}`;
      if (code > 126) return code <= 255 ? `\\${code.toString(8).padStart(3, '0')}` : '?';
      return ch;
    })
    .join('')})`;

/**
 * The built-in planning basis (L17): one A4 page with the case, its network owners, the work
 * area drawn to scale and the notice that it may not be used for digging. Plain PDF 1.4 with
 * the standard Helvetica font, so no library or font file is needed; the same case always
 * gives the same bytes.
 */
export function renderPlanningPdf(basis: PlanningBasis): Buffer {
  const lines = [
    `Projekteringsunderlag ${basis.lk}`,
    `Beställningstid ${basis.orderTime}`,
    `Arbetsområde ${basis.areaM2} m² (SWEREF 99 TM, EPSG:3006)`,
    '',
    'Nätägare i arbetsområdet:',
    ...(basis.owners.length > 0
      ? basis.owners.map((o) => `- ${o.name} (${o.mode === 'map_only' ? 'endast kartor' : 'utför utsättning'})`)
      : ['- inga']),
    '',
    'OBS! Projekteringsunderlaget får inte användas som underlag för markarbeten.',
    'Beställ en ledningsanvisning innan grävning påbörjas.',
  ];
  let content = `BT /F1 11 Tf 50 800 Td 16 TL\n${lines.map((l) => `${pdfString(l)} '`).join('\n')}\nET\n`;
  // The work area, scaled into a 400 × 400 pt frame.
  const box = bbox(basis.workArea);
  const scale = 400 / Math.max(box.maxE - box.minE, box.maxN - box.minN, 1);
  const polygons = basis.workArea.type === 'Polygon' ? [basis.workArea.coordinates] : basis.workArea.coordinates;
  content += '1 w\n';
  for (const ring of polygons.flat()) {
    content += ring
      .map(
        ([e, n], i) =>
          `${(100 + (e - box.minE) * scale).toFixed(2)} ${(120 + (n - box.minN) * scale).toFixed(2)} ${i === 0 ? 'm' : 'l'}`,
      )
      .join('\n');
    content += '\nh S\n';
  }
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
