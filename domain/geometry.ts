/**
 * Map selections and work areas (G2, L2): GeoJSON Polygon or MultiPolygon in SWEREF 99 TM
 * (EPSG:3006, metres). Validation says exactly what is wrong; areas come from the
 * coordinates by the shoelace formula, holes subtracted. Pure: used by workflows too.
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

export interface GeometryProblem {
  path: string;
  code: string;
  message: string;
}

export type AreaValidation =
  | { ok: true; geometry: Area; areaM2: number; areaKm2: number }
  | { ok: false; problems: GeometryProblem[] };

/**
 * EPSG:3006's area of use (Sweden, on land and sea) projected, rounded outwards:
 * easting 180 000–1 090 000 m, northing 6 090 000–7 700 000 m.
 */
export const SWEREF99TM_BOUNDS = { minE: 180_000, maxE: 1_090_000, minN: 6_090_000, maxN: 7_700_000 } as const;
/** Larger than any real selection (Sweden's largest county is about 98 000 km²; an order this big is a mistake). */
export const MAX_AREA_KM2 = 50_000;
export const MAX_VERTICES = 10_000;

const polygonsOf = (g: Area): Ring[][] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

/** Signed shoelace area of a closed ring, m² (positive when counter-clockwise). */
function signedArea(ring: Ring): number {
  let twice = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[i + 1]!;
    twice += x1 * y2 - x2 * y1;
  }
  return twice / 2;
}

const orientation = (a: Position, b: Position, c: Position) => Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
const onSegment = (a: Position, b: Position, p: Position) =>
  Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);

/** Whether segments ab and cd share any point (crossing or touching). */
function segmentsMeet(a: Position, b: Position, c: Position, d: Position): boolean {
  const [o1, o2, o3, o4] = [orientation(a, b, c), orientation(a, b, d), orientation(c, d, a), orientation(c, d, b)];
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(a, b, c)) || (o2 === 0 && onSegment(a, b, d)) || (o3 === 0 && onSegment(c, d, a)) || (o4 === 0 && onSegment(c, d, b));
}

/** Even-odd ray casting; a point on the boundary counts as inside. */
function pointInRing(p: Position, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
    const a = ring[i]!;
    const b = ring[j]!;
    if (orientation(a, b, p) === 0 && onSegment(a, b, p)) return true;
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

const segments = (ring: Ring) => ring.slice(0, -1).map((p, i) => [p, ring[i + 1]!] as const);

/** A ring crosses or touches itself anywhere but between neighbouring segments. */
function selfIntersects(ring: Ring): boolean {
  const segs = segments(ring);
  for (let i = 0; i < segs.length; i++) {
    for (let j = i + 1; j < segs.length; j++) {
      const neighbours = j === i + 1 || (i === 0 && j === segs.length - 1);
      if (neighbours) {
        // Neighbours share one vertex; they may not fold back onto each other.
        const [a, b] = segs[i]!;
        const [, d] = segs[j]!;
        if (j === i + 1 && orientation(a, b, d) === 0 && onSegment(a, b, d)) return true;
        continue;
      }
      if (segmentsMeet(segs[i]![0], segs[i]![1], segs[j]![0], segs[j]![1])) return true;
    }
  }
  return false;
}

function ringsCross(a: Ring, b: Ring): boolean {
  return segments(a).some(([p, q]) => segments(b).some(([r, s]) => segmentsMeet(p, q, r, s)));
}

const isPosition = (v: unknown): v is Position =>
  Array.isArray(v) && v.length >= 2 && v.length <= 3 && v.every((n) => typeof n === 'number' && Number.isFinite(n));

/** Checks a selection or work area and measures it (G2). */
export function validateArea(input: unknown): AreaValidation {
  const problems: GeometryProblem[] = [];
  const fail = (path: string, code: string, message: string) => problems.push({ path, code, message });
  if (!input || typeof input !== 'object') return { ok: false, problems: [{ path: '', code: 'not_geometry', message: 'the area must be a GeoJSON Polygon or MultiPolygon object' }] };
  const g = input as { type?: unknown; coordinates?: unknown };
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') {
    return { ok: false, problems: [{ path: 'type', code: 'unsupported_type', message: `the type must be Polygon or MultiPolygon, not ${JSON.stringify(g.type)}` }] };
  }
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  if (!Array.isArray(polygons) || polygons.length === 0) {
    return { ok: false, problems: [{ path: 'coordinates', code: 'empty', message: 'the area has no coordinates' }] };
  }
  const prefix = (p: number) => (g.type === 'Polygon' ? 'coordinates' : `coordinates[${p}]`);
  let vertices = 0;
  const clean: Ring[][] = [];
  polygons.forEach((rings: unknown, p) => {
    if (!Array.isArray(rings) || rings.length === 0) return fail(prefix(p), 'empty', 'a polygon needs at least an outer ring');
    const cleanRings: Ring[] = [];
    rings.forEach((ring: unknown, r) => {
      const path = `${prefix(p)}[${r}]`;
      if (!Array.isArray(ring)) return fail(path, 'not_ring', 'a ring must be an array of positions');
      const bad = ring.findIndex((pos) => !isPosition(pos));
      if (bad >= 0) return fail(`${path}[${bad}]`, 'bad_position', 'a position must be [easting, northing] in metres, as finite numbers');
      vertices += ring.length;
      const positions = ring.map((pos: Position) => [pos[0], pos[1]] as Position);
      if (positions.length < 4) return fail(path, 'ring_too_short', `a ring needs at least 4 positions (a triangle and its closing point), this one has ${positions.length}`);
      const [first, last] = [positions[0]!, positions[positions.length - 1]!];
      if (first[0] !== last[0] || first[1] !== last[1]) return fail(path, 'ring_not_closed', 'a ring must end where it starts (the last position must equal the first)');
      const outside = positions.findIndex(([e, n]) => e < SWEREF99TM_BOUNDS.minE || e > SWEREF99TM_BOUNDS.maxE || n < SWEREF99TM_BOUNDS.minN || n > SWEREF99TM_BOUNDS.maxN);
      if (outside >= 0) {
        const [e, n] = positions[outside]!;
        return fail(`${path}[${outside}]`, 'outside_sweden', `(${e}, ${n}) is outside the SWEREF 99 TM (EPSG:3006) range for Sweden; coordinates must be easting, northing in metres`);
      }
      if (vertices > MAX_VERTICES) return fail(path, 'too_many_vertices', `the area has more than ${MAX_VERTICES} positions`);
      if (selfIntersects(positions)) return fail(path, 'self_intersection', 'the ring crosses or touches itself');
      if (signedArea(positions) === 0) return fail(path, 'zero_area', 'the ring encloses no area');
      cleanRings.push(positions);
    });
    if (cleanRings.length !== rings.length) return;
    const [outer, ...holes] = cleanRings as [Ring, ...Ring[]];
    holes.forEach((hole, h) => {
      const path = `${prefix(p)}[${h + 1}]`;
      if (ringsCross(outer, hole) || !hole.every((pos) => pointInRing(pos, outer))) fail(path, 'hole_outside', 'a hole must lie inside its outer ring without touching it');
    });
    clean.push(cleanRings);
  });
  if (problems.length > 0) return { ok: false, problems };

  const geometry: Area = g.type === 'Polygon' ? { type: 'Polygon', coordinates: clean[0]! } : { type: 'MultiPolygon', coordinates: clean };
  const areaM2 = Math.round(areaOf(geometry));
  if (areaM2 <= 0) return { ok: false, problems: [{ path: 'coordinates', code: 'zero_area', message: 'the area is empty' }] };
  if (areaM2 / 1e6 > MAX_AREA_KM2) {
    return { ok: false, problems: [{ path: 'coordinates', code: 'area_too_large', message: `the area is ${(areaM2 / 1e6).toFixed(0)} km²; at most ${MAX_AREA_KM2} km² can be ordered at once` }] };
  }
  return { ok: true, geometry, areaM2, areaKm2: areaM2 / 1e6 };
}

/** Area in m²: outer rings minus holes, whichever way the rings wind. */
export function areaOf(g: Area): number {
  return polygonsOf(g).reduce((sum, [outer, ...holes]) => sum + Math.abs(signedArea(outer!)) - holes.reduce((h, ring) => h + Math.abs(signedArea(ring)), 0), 0);
}

function pointInPolygon(p: Position, [outer, ...holes]: Ring[]): boolean {
  return pointInRing(p, outer!) && !holes.some((h) => pointInRing(p, h) && !segments(h).some(([a, b]) => orientation(a, b, p) === 0 && onSegment(a, b, p)));
}

/**
 * Whether two areas overlap (L2: which network owners' coverage a work area reaches).
 * Edges that meet count, including areas that only touch; otherwise one lies inside the other.
 */
export function intersects(a: Area, b: Area): boolean {
  for (const pa of polygonsOf(a)) {
    for (const pb of polygonsOf(b)) {
      if (pa.some((ra) => pb.some((rb) => ringsCross(ra, rb)))) return true;
      if (pointInPolygon(pa[0]![0]!, pb) || pointInPolygon(pb[0]![0]!, pa)) return true;
    }
  }
  return false;
}

export function bbox(g: Area): { minE: number; minN: number; maxE: number; maxN: number } {
  const all = polygonsOf(g).flat(2);
  return {
    minE: Math.min(...all.map((p) => p[0])),
    minN: Math.min(...all.map((p) => p[1])),
    maxE: Math.max(...all.map((p) => p[0])),
    maxN: Math.max(...all.map((p) => p[1])),
  };
}

/** An SVG path (draw with fill-rule="evenodd") fitting the area into width × height, north up. */
export function toSvgPath(g: Area, width: number, height: number, padding = 8): string {
  const box = bbox(g);
  const scale = Math.min((width - 2 * padding) / (box.maxE - box.minE || 1), (height - 2 * padding) / (box.maxN - box.minN || 1));
  const x = (e: number) => (padding + (e - box.minE) * scale).toFixed(1);
  const y = (n: number) => (height - padding - (n - box.minN) * scale).toFixed(1);
  return polygonsOf(g)
    .flat()
    .map((ring) => `M${ring.slice(0, -1).map(([e, n]) => `${x(e)},${y(n)}`).join('L')}Z`)
    .join(' ');
}

/** Whether a point lies in the area (holes excluded; the boundary counts as inside). */
export function containsPoint(g: Area, p: Position): boolean {
  return polygonsOf(g).some((polygon) => pointInPolygon(p, polygon));
}
