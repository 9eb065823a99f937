import { stockholmDate } from '../domain/calendar';
import type { BBox, Polygon } from '../domain/geometry';
import type { Form, Page, PagesKit } from '../platform/pages/kit';

const MAP_SIZE = 640;
/** Distinct hues for neighbouring owners; they repeat past the last. */
const COLOURS = ['#1b6ca8', '#c0392b', '#27ae60', '#8e44ad', '#d35400', '#16a085', '#7f8c8d', '#b7950b'];
/** Above this many positions the map draws each part's bounding box: a page stays small with thousands of owners. */
const MAX_DRAWN_POSITIONS = 50_000;

interface MapOwner {
  id: string;
  name: string;
  parts: Polygon[];
}

/**
 * Issue 21: every owner's coverage on one SVG map, all in one projection (north up), each owner in
 * its colour, so overlaps and gaps show. Path data holds only numbers and M/L/Z.
 */
export function coverageMap(owners: MapOwner[]) {
  const box: BBox = { minE: Infinity, minN: Infinity, maxE: -Infinity, maxN: -Infinity };
  let positions = 0;
  for (const o of owners)
    for (const part of o.parts)
      for (const ring of part.coordinates) {
        positions += ring.length;
        for (const [e, n] of ring) {
          box.minE = Math.min(box.minE, e);
          box.minN = Math.min(box.minN, n);
          box.maxE = Math.max(box.maxE, e);
          box.maxN = Math.max(box.maxN, n);
        }
      }
  if (!Number.isFinite(box.minE)) return undefined;
  const pad = 10;
  const scale = (MAP_SIZE - 2 * pad) / Math.max(box.maxE - box.minE, box.maxN - box.minN, 1);
  const xy = (e: number, n: number) =>
    `${(pad + (e - box.minE) * scale).toFixed(1)},${(MAP_SIZE - pad - (n - box.minN) * scale).toFixed(1)}`;
  const outlines = positions <= MAX_DRAWN_POSITIONS;
  const pathOf = (part: Polygon) => {
    if (outlines)
      return part.coordinates.map(
        (ring) =>
          `M${ring
            .slice(0, -1)
            .map(([e, n]) => xy(e, n))
            .join('L')}Z`,
      );
    const es = part.coordinates[0]!.map((p) => p[0]);
    const ns = part.coordinates[0]!.map((p) => p[1]);
    const [e0, e1, n0, n1] = [Math.min(...es), Math.max(...es), Math.min(...ns), Math.max(...ns)];
    return [`M${xy(e0, n0)}L${xy(e1, n0)}L${xy(e1, n1)}L${xy(e0, n1)}Z`];
  };
  return {
    size: MAP_SIZE,
    outlines,
    extent: `E ${Math.round(box.minE)}–${Math.round(box.maxE)}, N ${Math.round(box.minN)}–${Math.round(box.maxN)}`,
    owners: owners.map((o, i) => ({
      id: o.id,
      name: o.name,
      colour: COLOURS[i % COLOURS.length],
      d: o.parts.flatMap(pathOf).join(' '),
    })),
  };
}

/** A form's optional text: empty means none. */
const optional = (v: Form[string]) => (typeof v === 'string' && v.trim() !== '' ? v : null);

function ownerBody(form: Form) {
  return {
    name: form.name,
    email: form.email,
    mode: form.mode,
    organisationNumber: optional(form.organisationNumber),
    contact: optional(form.contact),
    feeClass: optional(form.feeClass),
    reason: form.reason,
  };
}

/** Issue 21 (L11, L14): staff see every owner and the map of their coverage; admins change them. */
export function networkOwnerPages(kit: PagesKit) {
  kit.get('/network-owners', async (p) => {
    const date =
      typeof p.req.query.date === 'string' && p.req.query.date ? p.req.query.date : stockholmDate(new Date());
    const cursor = typeof p.req.query.cursor === 'string' && p.req.query.cursor ? p.req.query.cursor : undefined;
    const list = await p.api('get', '/api/v1/network-owners', { query: { cursor } });
    const coverage = await p.api('get', '/api/v1/network-owners/coverage', { query: { date } });
    p.show(
      'network-owners',
      p.t('owners.title'),
      {
        on: date,
        owners: list.items,
        next: list.next
          ? `/app/network-owners?${new URLSearchParams({ date, cursor: list.next }).toString()}`
          : undefined,
        map: coverageMap(coverage.owners),
        admin: p.principal.role === 'admin',
      },
      [{ label: p.t('owners.title') }],
    );
  });
  kit.get('/network-owners/:id', async (p) => {
    const owner = await p.api('get', '/api/v1/network-owners/:id', { params: { id: p.req.params.id } });
    const history = await p.api('get', '/api/v1/network-owners/:id/history', { params: { id: p.req.params.id } });
    p.show('network-owner', owner.name, { owner, history: history.items, admin: p.principal.role === 'admin' }, [
      { href: '/app/network-owners', label: p.t('owners.title') },
      { label: owner.name },
    ]);
  });
  kit.form('/network-owners', '/api/v1/network-owners', {
    back: (p) => `/app/network-owners/${encodeURIComponent(String(p.fields().id ?? ''))}`,
    body: (form) => ({ id: form.id, ...ownerBody(form) }),
  });
  kit.post('/network-owners/:id', async (p) => {
    await p.api('patch', '/api/v1/network-owners/:id', {
      params: { id: p.req.params.id },
      body: ownerBody(p.fields()),
    });
    done(p);
  });
  kit.form('/network-owners/:id/retire', '/api/v1/network-owners/:id/retire', { back: ownerPage });
  kit.post('/network-owners/:id/coverage', async (p) => {
    const { validFrom, reason } = p.fields();
    // The file itself reaches the API route from the form (platform/http/upload.ts).
    await p.api('post', '/api/v1/network-owners/:id/coverage', {
      params: { id: p.req.params.id },
      query: { validFrom, reason },
    });
    done(p);
  });
}

const ownerPage = (p: Page) => `/app/network-owners/${encodeURIComponent(String(p.req.params.id ?? ''))}`;
const done = (p: Page) => p.done(ownerPage(p));
