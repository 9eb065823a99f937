import { describe, expect, it } from 'vitest';
import { intersects, toSvgPath, validateArea, type Area } from '../../domain/geometry';

// A 1 km × 1 km square near Stockholm (SWEREF 99 TM metres).
const E = 674_000;
const N = 6_580_000;
const square = (e: number, n: number, size: number) => [[e, n], [e + size, n], [e + size, n + size], [e, n + size], [e, n]];
const polygon = (...rings: number[][][]) => ({ type: 'Polygon', coordinates: rings });

const problemsOf = (input: unknown) => {
  const result = validateArea(input);
  return result.ok ? [] : result.problems.map((p) => p.code);
};

describe('G2: area of a selection', () => {
  it('G2: a 1 km square is 1 km²', () => {
    expect(validateArea(polygon(square(E, N, 1000)))).toMatchObject({ ok: true, areaM2: 1_000_000, areaKm2: 1 });
  });

  it('G2: clockwise and counter-clockwise rings give the same positive area', () => {
    const reversed = [...square(E, N, 1000)].reverse();
    expect(validateArea(polygon(reversed))).toMatchObject({ ok: true, areaM2: 1_000_000 });
  });

  it('G2: holes are subtracted', () => {
    expect(validateArea(polygon(square(E, N, 1000), square(E + 250, N + 250, 500)))).toMatchObject({ ok: true, areaM2: 750_000 });
  });

  it('G2: the parts of a MultiPolygon add up', () => {
    const multi = { type: 'MultiPolygon', coordinates: [[square(E, N, 1000)], [square(E + 5000, N, 2000)]] };
    expect(validateArea(multi)).toMatchObject({ ok: true, areaKm2: 5 });
  });
});

describe('G2: invalid selections say what is wrong', () => {
  it.each([
    ['not an object', 'x', 'not_geometry'],
    ['a point', { type: 'Point', coordinates: [E, N] }, 'unsupported_type'],
    ['no coordinates', { type: 'Polygon', coordinates: [] }, 'empty'],
    ['a position that is not a number pair', polygon([[E, N], [E, 'x'], [E + 1, N + 1], [E, N]] as never), 'bad_position'],
    ['an unclosed ring', polygon(square(E, N, 1000).slice(0, 4).concat([[E + 1, N]])), 'ring_not_closed'],
    ['a too-short ring', polygon([[E, N], [E + 10, N], [E, N]]), 'ring_too_short'],
    ['a self-intersecting ring (bow tie)', polygon([[E, N], [E + 1000, N + 1000], [E + 1000, N], [E, N + 1000], [E, N]]), 'self_intersection'],
    ['WGS84 degrees instead of metres', polygon(square(18, 59, 1)), 'outside_sweden'],
    ['a hole outside its outer ring', polygon(square(E, N, 1000), square(E + 5000, N, 100)), 'hole_outside'],
    ['a flat ring', polygon([[E, N], [E + 10, N], [E + 20, N], [E, N]]), 'zero_area'],
    ['an absurdly large area', polygon(square(300_000, 6_200_000, 300_000)), 'area_too_large'],
  ])('G2: refuses %s', (_what, input, code) => {
    const result = validateArea(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.code)).toContain(code);
      expect(result.problems.every((p) => p.message.length > 10)).toBe(true);
    }
  });

  it('G2: names the position that is wrong', () => {
    const result = validateArea(polygon([[E, N], [E + 10, N], [18.1, 59.3], [E, N + 10], [E, N]]));
    expect(result).toMatchObject({ ok: false, problems: [{ path: 'coordinates[0][2]', code: 'outside_sweden' }] });
  });

  it('G2: reports every broken polygon of a MultiPolygon', () => {
    const multi = { type: 'MultiPolygon', coordinates: [[square(E, N, 10).slice(0, 3)], [[[E, N], [E + 1, N], [E, N]]]] };
    expect(problemsOf(multi)).toEqual(['ring_too_short', 'ring_too_short']);
  });
});

describe('L2: intersecting work areas with coverage areas', () => {
  const area = (e: number, n: number, size: number): Area => ({ type: 'Polygon', coordinates: [square(e, n, size) as [number, number][]] });
  it('L2: overlapping, contained and separate areas', () => {
    expect(intersects(area(E, N, 1000), area(E + 500, N + 500, 1000))).toBe(true);
    expect(intersects(area(E, N, 10_000), area(E + 500, N + 500, 100))).toBe(true);
    expect(intersects(area(E + 500, N + 500, 100), area(E, N, 10_000))).toBe(true);
    expect(intersects(area(E, N, 1000), area(E + 5000, N, 1000))).toBe(false);
  });
  it('L2: an area inside a hole of a coverage area does not intersect it', () => {
    const ring: Area = { type: 'Polygon', coordinates: [square(E, N, 10_000), square(E + 2000, N + 2000, 6000)] as [number, number][][] };
    expect(intersects(ring, area(E + 4000, N + 4000, 100))).toBe(false);
    expect(intersects(ring, area(E + 500, N + 500, 100))).toBe(true);
  });
});

describe('drawing', () => {
  it('draws each ring as a closed SVG sub-path, north up', () => {
    const result = validateArea(polygon(square(E, N, 1000), square(E + 250, N + 250, 500)));
    if (!result.ok) throw new Error('valid');
    const path = toSvgPath(result.geometry, 100, 100, 0);
    expect(path.startsWith('M0.0,100.0L100.0,100.0L100.0,0.0L0.0,0.0Z')).toBe(true);
    expect(path.match(/Z/g)).toHaveLength(2);
  });
});
