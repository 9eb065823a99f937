/**
 * Map selections (G2) and locate work areas (L2): GeoJSON Polygon or MultiPolygon in
 * SWEREF 99 TM (EPSG:3006, metres, [easting, northing]). Validation says exactly what is
 * wrong and where; areas come from the coordinates by the shoelace formula, holes
 * subtracted. Pure and deterministic: workflows import it too.
 */
export type Position = [number, number];
export type Ring = Position[];
export interface Polygon {
  type: 'Polygon';
  coordinates: Ring[];
}
export interface MultiPolygon {
  type: 'MultiPolygon';
  coordinates: Ring[][];
}
export type Area = Polygon | MultiPolygon;

export type GeometryProblemCode =
  | 'not_geometry'
  | 'unsupported_type'
  | 'bad_coordinates'
  | 'empty'
  | 'too_many_vertices'
  | 'not_ring'
  | 'bad_position'
  | 'ring_too_short'
  | 'ring_not_closed'
  | 'outside_sweden'
  | 'zero_area'
  | 'self_intersection'
  | 'hole_outside'
  | 'holes_overlap'
  | 'parts_overlap'
  | 'area_too_large';

export interface GeometryProblem {
  /** Where, e.g. `coordinates[0][3]` (Polygon) or `coordinates[1][0][3]` (MultiPolygon). */
  path: string;
  code: GeometryProblemCode;
  message: string;
}

export type AreaValidation =
  { ok: true; geometry: Area; areaM2: number; areaKm2: number } | { ok: false; problems: GeometryProblem[] };

export interface BBox {
  minE: number;
  minN: number;
  maxE: number;
  maxN: number;
}

/**
 * EPSG:3006's area of use (Sweden on- and offshore, 10.03–24.17°E, 54.96–69.07°N) projected,
 * per epsg.io: E 181 896.33–1 086 312.94, N 6 090 353.78–7 689 478.31. Rounded outwards so that
 * a selection along the border or coast is never refused; degrees (WGS 84) and other grids
 * such as SWEREF 99 dd mm (E around 150 000) still fall outside.
 */
export const SWEREF99TM_BOUNDS = {
  minE: 180_000,
  maxE: 1_090_000,
  minN: 6_090_000,
  maxN: 7_700_000,
} as const satisfies BBox;
/**
 * Largest area accepted, km². Sweden is about 450 000 km²; no real selection or work area comes
 * near 50 000 km² (larger than any county but Norrbotten and Västerbotten), so one that does is a
 * drawing mistake, and the cap keeps fees and extracts sane.
 */
export const MAX_AREA_KM2 = 50_000;
/** All positions of one geometry together; keeps the O(n²) worst case of the checks bounded. */
export const MAX_VERTICES = 10_000;

/** The polygons of an area, each as its outer ring and holes. */
export const polygonsOf = (g: Area): Ring[][] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

/** Signed shoelace area of a closed ring, m² (positive when counter-clockwise). */
function signedArea(ring: Ring): number {
  // Relative to the first position: SWEREF northings are ~7e6, and their products would cost precision.
  const [e0, n0] = ring[0]!;
  let twice = 0;
  for (let i = 1; i < ring.length - 2; i++) {
    const [e1, n1] = ring[i]!;
    const [e2, n2] = ring[i + 1]!;
    twice += (e1 - e0) * (n2 - n0) - (e2 - e0) * (n1 - n0);
  }
  return twice / 2;
}

/** Whether a closed ring winds clockwise (seen with east to the right and north up). */
export const isClockwise = (ring: Ring): boolean => signedArea(ring) < 0;

/** Area in m², not rounded: outer rings minus holes, parts summed, whichever way the rings wind. */
export function areaOf(g: Area): number {
  let sum = 0;
  for (const [outer, ...holes] of polygonsOf(g)) {
    sum += Math.abs(signedArea(outer!));
    for (const hole of holes) sum -= Math.abs(signedArea(hole));
  }
  return sum;
}

/** km² from whole m², rounded half up to `decimals` (0–6), for display and fee lines (G2, G3). */
export function areaKm2Rounded(areaM2: number, decimals = 3): number {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 6)
    throw new RangeError(`decimals must be 0–6, not ${decimals}`);
  return Math.round(areaM2 / 10 ** (6 - decimals)) / 10 ** decimals;
}

const cross = (a: Position, b: Position, c: Position) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
/** Whether p, known to be on the line through a and b, lies within the segment. */
const withinBox = (a: Position, b: Position, p: Position) =>
  Math.min(a[0], b[0]) <= p[0] &&
  p[0] <= Math.max(a[0], b[0]) &&
  Math.min(a[1], b[1]) <= p[1] &&
  p[1] <= Math.max(a[1], b[1]);
const onSegment = (a: Position, b: Position, p: Position) => cross(a, b, p) === 0 && withinBox(a, b, p);

/** Whether segments ab and cd share any point, crossing or touching. */
function segmentsMeet(a: Position, b: Position, c: Position, d: Position): boolean {
  const o1 = Math.sign(cross(a, b, c));
  const o2 = Math.sign(cross(a, b, d));
  const o3 = Math.sign(cross(c, d, a));
  const o4 = Math.sign(cross(c, d, b));
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && withinBox(a, b, c)) ||
    (o2 === 0 && withinBox(a, b, d)) ||
    (o3 === 0 && withinBox(c, d, a)) ||
    (o4 === 0 && withinBox(c, d, b))
  );
}

interface Segment {
  a: Position;
  b: Position;
  /** Which ring (or geometry) the segment belongs to. */
  group: number;
  /** Index of the segment within its ring. */
  index: number;
  minE: number;
  maxE: number;
}

function segmentsOf(ring: Ring, group: number): Segment[] {
  return ring.slice(0, -1).map((a, index) => {
    const b = ring[index + 1]!;
    return { a, b, group, index, minE: Math.min(a[0], b[0]), maxE: Math.max(a[0], b[0]) };
  });
}

/**
 * The first pair of segments whose easting ranges overlap and that `clash` accepts. A sweep over
 * eastings: still O(n²) in the worst case, close to linear for the shapes people draw.
 */
function findClash(segments: Segment[], clash: (s: Segment, t: Segment) => boolean): [Segment, Segment] | undefined {
  const sorted = [...segments].sort((s, t) => s.minE - t.minE);
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    for (let j = i + 1; j < sorted.length && sorted[j]!.minE <= s.maxE; j++) {
      const t = sorted[j]!;
      if (clash(s, t)) return s.group < t.group || (s.group === t.group && s.index < t.index) ? [s, t] : [t, s];
    }
  }
  return undefined;
}

/**
 * Where a ring without repeated positions crosses or touches itself: two segments that are not
 * neighbours meet, or neighbours fold back over each other (a spike).
 */
function selfClash(ring: Ring): [Segment, Segment] | undefined {
  const count = ring.length - 1;
  return findClash(segmentsOf(ring, 0), (s, t) => {
    const [first, second] = s.index < t.index ? [s, t] : [t, s];
    if (second.index === first.index + 1) return spike(first.a, first.b, second.b);
    if (first.index === 0 && second.index === count - 1) return spike(second.a, second.b, first.b);
    return segmentsMeet(s.a, s.b, t.a, t.b);
  });
}

/** Segments a→b and b→c overlap beyond b: c is on the line and turns back towards a. */
const spike = (a: Position, b: Position, c: Position) =>
  cross(a, b, c) === 0 && (c[0] - b[0]) * (a[0] - b[0]) + (c[1] - b[1]) * (a[1] - b[1]) > 0;

/** The first pair of rings (by index) whose boundaries meet or of which one lies inside the other. */
function firstOverlap(rings: Ring[]): [number, number] | undefined {
  const clash = findClash(rings.flatMap(segmentsOf), (s, t) => s.group !== t.group && segmentsMeet(s.a, s.b, t.a, t.b));
  if (clash) return [clash[0].group, clash[1].group];
  const boxes = rings.map((ring) => ringsBBox([ring]));
  for (let i = 0; i < rings.length; i++) {
    for (let j = i + 1; j < rings.length; j++) {
      if (!boxesMeet(boxes[i]!, boxes[j]!)) continue;
      if (locate(rings[i]![0]!, rings[j]!) === 'inside' || locate(rings[j]![0]!, rings[i]!) === 'inside') return [i, j];
    }
  }
  return undefined;
}

function ringsMeet(rings: Ring[], others: Ring[]): boolean {
  // Only segments within the other side's bounds can meet it: a small work area against a large
  // coverage area then tests a handful of segments, not all of them.
  const near = (group: number, own: Ring[], box: BBox) =>
    own
      .flatMap((r) => segmentsOf(r, group))
      .filter(
        (s) =>
          s.minE <= box.maxE &&
          s.maxE >= box.minE &&
          Math.max(s.a[1], s.b[1]) >= box.minN &&
          Math.min(s.a[1], s.b[1]) <= box.maxN,
      );
  const segments = [...near(0, rings, ringsBBox(others)), ...near(1, others, ringsBBox(rings))];
  return findClash(segments, (s, t) => s.group !== t.group && segmentsMeet(s.a, s.b, t.a, t.b)) !== undefined;
}

type Location = 'inside' | 'boundary' | 'outside';

/** Even-odd ray casting, with points on the ring told apart. */
function locate(p: Position, ring: Ring): Location {
  let inside = false;
  for (let i = 0; i < ring.length - 1; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    if (onSegment(a, b, p)) return 'boundary';
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside ? 'inside' : 'outside';
}

/** In the polygon or on its boundary, holes' interiors excluded. */
function inPolygon(p: Position, [outer, ...holes]: Ring[]): boolean {
  return locate(p, outer!) !== 'outside' && !holes.some((h) => locate(p, h) === 'inside');
}

function ringsBBox(rings: Ring[]): BBox {
  const box = { minE: Infinity, minN: Infinity, maxE: -Infinity, maxN: -Infinity };
  for (const ring of rings) {
    for (const [e, n] of ring) {
      if (e < box.minE) box.minE = e;
      if (e > box.maxE) box.maxE = e;
      if (n < box.minN) box.minN = n;
      if (n > box.maxN) box.maxN = n;
    }
  }
  return box;
}

const boxesMeet = (a: BBox, b: BBox) => a.minE <= b.maxE && b.minE <= a.maxE && a.minN <= b.maxN && b.minN <= a.maxN;

/**
 * Two polygons meet when their boundaries share a point, or else when one lies inside the other;
 * with disjoint boundaries, one position of an outer ring decides the containment.
 */
function polygonsMeet(a: Ring[], b: Ring[]): boolean {
  if (!boxesMeet(ringsBBox(a.slice(0, 1)), ringsBBox(b.slice(0, 1)))) return false;
  return ringsMeet(a, b) || inPolygon(a[0]![0]!, b) || inPolygon(b[0]![0]!, a);
}

/**
 * Whether two validated areas overlap (L2: the network owners whose coverage reaches a work
 * area). True when their interiors overlap, when one contains the other, and also when they only
 * touch: for a locate it is safer to ask one owner too many than to miss one. False when one lies
 * entirely in a hole of the other.
 */
export function intersects(a: Area, b: Area): boolean {
  return polygonsOf(a).some((pa) => polygonsOf(b).some((pb) => polygonsMeet(pa, pb)));
}

/** Whether a point lies in the area, boundary included, holes excluded. */
export function containsPoint(g: Area, p: Position): boolean {
  return polygonsOf(g).some((polygon) => inPolygon(p, polygon));
}

export function bbox(g: Area): BBox {
  return ringsBBox(polygonsOf(g).flat());
}

/**
 * An SVG path for a `0 0 width height` viewBox: the area scaled to fit inside `padding`, centred,
 * north up. Each ring is its own closed sub-path; draw it with fill-rule="evenodd" so holes show.
 */
export function toSvgPath(g: Area, width: number, height: number, padding = 8): string {
  const box = bbox(g);
  const spanE = box.maxE - box.minE;
  const spanN = box.maxN - box.minN;
  const scale = Math.min((width - 2 * padding) / spanE, (height - 2 * padding) / spanN);
  const left = (width - spanE * scale) / 2;
  const bottom = height - (height - spanN * scale) / 2;
  const point = ([e, n]: Position) =>
    `${(left + (e - box.minE) * scale).toFixed(1)},${(bottom - (n - box.minN) * scale).toFixed(1)}`;
  return polygonsOf(g)
    .flat()
    .map((ring) => `M${ring.slice(0, -1).map(point).join('L')}Z`)
    .join(' ');
}

const isPosition = (v: unknown): v is Position | [number, number, number] =>
  Array.isArray(v) && (v.length === 2 || v.length === 3) && v.every((n) => typeof n === 'number' && Number.isFinite(n));

const inSweden = ([e, n]: Position) =>
  e >= SWEREF99TM_BOUNDS.minE &&
  e <= SWEREF99TM_BOUNDS.maxE &&
  n >= SWEREF99TM_BOUNDS.minN &&
  n <= SWEREF99TM_BOUNDS.maxN;

/** The usual mistakes behind a position outside Sweden, so the message can name them. */
function outsideHint([e, n]: Position): string {
  if (Math.abs(e) <= 180 && Math.abs(n) <= 90)
    return '; it looks like longitude/latitude in degrees, but SWEREF 99 TM metres are expected';
  if (inSweden([n, e])) return '; easting and northing look swapped (GeoJSON order is [easting, northing])';
  return '';
}

const countPositions = (v: unknown, depth: number): number =>
  !Array.isArray(v)
    ? 0
    : depth === 0
      ? v.length
      : v.reduce((sum: number, item: unknown) => sum + countPositions(item, depth - 1), 0);

/**
 * Checks a selection (G2) or a work area (L2) and measures it; areaM2 is whole m². A network
 * owner's coverage (L11) may be larger than any selection, so it passes its own `maxAreaKm2`.
 */
export function validateArea(input: unknown, opts: { maxAreaKm2?: number } = {}): AreaValidation {
  const maxAreaKm2 = opts.maxAreaKm2 ?? MAX_AREA_KM2;
  const refuse = (path: string, code: GeometryProblemCode, message: string): AreaValidation => ({
    ok: false,
    problems: [{ path, code, message }],
  });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return refuse(
      '',
      'not_geometry',
      'the area must be a GeoJSON object with "type" Polygon or MultiPolygon and "coordinates"',
    );
  }
  const g = input as { type?: unknown; coordinates?: unknown };
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') {
    const got = typeof g.type === 'string' ? `"${g.type}"` : 'missing';
    const hint = g.type === 'Feature' ? "; send the feature's geometry instead" : '';
    return refuse('type', 'unsupported_type', `the type must be "Polygon" or "MultiPolygon"; it is ${got}${hint}`);
  }
  const multi = g.type === 'MultiPolygon';
  if (!Array.isArray(g.coordinates))
    return refuse(
      'coordinates',
      'bad_coordinates',
      `the coordinates of a ${g.type} must be an array of ${multi ? 'polygons' : 'rings'}`,
    );
  if (g.coordinates.length === 0) return refuse('coordinates', 'empty', `the ${g.type} has no coordinates`);
  const vertices = countPositions(g.coordinates, multi ? 2 : 1);
  if (vertices > MAX_VERTICES) {
    return refuse(
      'coordinates',
      'too_many_vertices',
      `the area has ${vertices} positions; at most ${MAX_VERTICES} are accepted, so simplify the outline`,
    );
  }

  const problems: GeometryProblem[] = [];
  const fail = (path: string, code: GeometryProblemCode, message: string) =>
    void problems.push({ path, code, message });
  const polygons: unknown[] = multi ? g.coordinates : [g.coordinates];
  const prefix = (p: number) => (multi ? `coordinates[${p}]` : 'coordinates');
  const clean: Ring[][] = [];

  polygons.forEach((rings, p) => {
    if (!Array.isArray(rings)) return fail(prefix(p), 'bad_coordinates', 'a polygon must be an array of rings');
    if (rings.length === 0) return fail(prefix(p), 'empty', 'a polygon needs at least its outer ring');
    const checked = rings.map((ring: unknown, r) => checkRing(ring, `${prefix(p)}[${r}]`, fail));
    if (!checked.every((ring): ring is Ring => ring !== undefined)) return;
    const [outer, ...holes] = checked as [Ring, ...Ring[]];
    holes.forEach((hole, h) => {
      if (ringsMeet([outer], [hole]) || locate(hole[0]!, outer) !== 'inside') {
        fail(
          `${prefix(p)}[${h + 1}]`,
          'hole_outside',
          `hole ${h + 1} must lie inside the outer ring (ring 0) without crossing or touching it`,
        );
      }
    });
    const pair = firstOverlap(holes);
    if (pair)
      fail(
        `${prefix(p)}[${pair[0] + 1}]`,
        'holes_overlap',
        `holes ${pair[0] + 1} and ${pair[1] + 1} overlap or touch; holes must be separate`,
      );
    clean.push(checked);
  });
  if (problems.length === 0) {
    const boxes = clean.map((part) => ringsBBox(part.slice(0, 1)));
    const meeting = (i: number) =>
      clean.findIndex((other, k) => k > i && boxesMeet(boxes[i]!, boxes[k]!) && polygonsMeet(clean[i]!, other));
    const p = clean.findIndex((_, i) => meeting(i) >= 0);
    if (p >= 0)
      fail(
        prefix(p),
        'parts_overlap',
        `parts ${p} and ${meeting(p)} of the MultiPolygon overlap or touch; merge them into one polygon`,
      );
  }
  if (problems.length > 0) return { ok: false, problems };

  const geometry: Area = multi
    ? { type: 'MultiPolygon', coordinates: clean }
    : { type: 'Polygon', coordinates: clean[0]! };
  const areaM2 = Math.round(areaOf(geometry));
  if (areaM2 === 0) return refuse('coordinates', 'zero_area', 'the area is smaller than 1 m²');
  if (areaM2 > maxAreaKm2 * 1e6) {
    return refuse(
      'coordinates',
      'area_too_large',
      `the area is ${Math.round(areaM2 / 1e6)} km²; at most ${maxAreaKm2} km² is accepted at once`,
    );
  }
  return { ok: true, geometry, areaM2, areaKm2: areaM2 / 1e6 };
}

/**
 * One ring's own checks, in the order a person would fix them. Returns the ring as 2D positions
 * with consecutive repeats (double clicks when drawing) dropped, or undefined after a problem.
 */
function checkRing(
  ring: unknown,
  path: string,
  fail: (path: string, code: GeometryProblemCode, message: string) => undefined,
): Ring | undefined {
  if (!Array.isArray(ring)) return fail(path, 'not_ring', 'a ring must be an array of positions');
  const bad = ring.findIndex((pos) => !isPosition(pos));
  if (bad >= 0)
    return fail(
      `${path}[${bad}]`,
      'bad_position',
      'a position must be [easting, northing] in metres, two finite numbers (an optional third, the height, is ignored)',
    );
  const positions = (ring as Position[]).map(([e, n]): Position => [e, n]);
  if (positions.length < 4)
    return fail(
      path,
      'ring_too_short',
      `a ring needs at least 4 positions (3 corners and the first one again to close it); it has ${positions.length}`,
    );
  const first = positions[0]!;
  const last = positions[positions.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1])
    return fail(path, 'ring_not_closed', 'the ring is not closed: its last position must equal its first');
  const outside = positions.findIndex((pos) => !inSweden(pos));
  if (outside >= 0) {
    const pos = positions[outside]!;
    return fail(
      `${path}[${outside}]`,
      'outside_sweden',
      `(${pos[0]}, ${pos[1]}) is outside Sweden in SWEREF 99 TM (EPSG:3006)${outsideHint(pos)}`,
    );
  }
  // Original indexes, so messages point at the positions the sender sent.
  const kept = positions
    .map((_, i) => i)
    .filter((i) => i === 0 || positions[i]![0] !== positions[i - 1]![0] || positions[i]![1] !== positions[i - 1]![1]);
  const cleaned = kept.map((i) => positions[i]!);
  if (cleaned.length < 4 || cleaned.every((pos) => cross(cleaned[0]!, cleaned[1]!, pos) === 0)) {
    return fail(path, 'zero_area', 'the ring encloses no area: all its positions lie on one line');
  }
  const clash = selfClash(cleaned);
  if (clash) {
    const edge = (s: Segment) => `${kept[s.index]!}–${kept[s.index + 1]!}`;
    return fail(
      path,
      'self_intersection',
      `the ring crosses or touches itself: the edge between positions ${edge(clash[0])} meets the edge ${edge(clash[1])}`,
    );
  }
  return cleaned;
}

/**
 * G2, L2: a selection as a person types it into a form: GeoJSON (a Polygon, MultiPolygon, or a
 * Feature or FeatureCollection of one), or one `E N` (or `E,N`) pair in metres per line, the
 * ring closed here. Anything else is handed on as it is, so validateArea says what is wrong.
 */
export function parseSelectionText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      return trimmed;
    }
    const g = json as { type?: string; geometry?: unknown; features?: { geometry?: unknown }[] };
    if (g.type === 'Feature') return g.geometry;
    if (g.type === 'FeatureCollection' && g.features?.length === 1) return g.features[0]!.geometry;
    return json;
  }
  const pairs = trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.split(/[\s,;]+/).map(Number));
  if (pairs.length < 3 || pairs.some((p) => p.length !== 2 || p.some((n) => !Number.isFinite(n)))) return trimmed;
  const ring = pairs as Position[];
  const [first, last] = [ring[0]!, ring.at(-1)!];
  if (first[0] !== last[0] || first[1] !== last[1]) ring.push([first[0], first[1]]);
  return { type: 'Polygon', coordinates: [ring] };
}
