import { describe, expect, it } from 'vitest';
import {
  MAX_VERTICES,
  areaKm2Rounded,
  bbox,
  containsPoint,
  intersects,
  toSvgPath,
  validateArea,
  type Area,
  type Position,
} from '../../domain/geometry';

// Near Stockholm in SWEREF 99 TM metres.
const E = 674_000;
const N = 6_580_000;
const square = (e: number, n: number, size: number): Position[] => [
  [e, n],
  [e + size, n],
  [e + size, n + size],
  [e, n + size],
  [e, n],
];
const polygon = (...rings: number[][][]) => ({ type: 'Polygon', coordinates: rings });
const multi = (...polygons: number[][][][]) => ({ type: 'MultiPolygon', coordinates: polygons });
const area = (...rings: Position[][]): Area => ({ type: 'Polygon', coordinates: rings });

function valid(input: unknown): Area {
  const result = validateArea(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.geometry;
}

function problemsOf(input: unknown) {
  const result = validateArea(input);
  if (result.ok) throw new Error('expected the area to be refused');
  return result.problems;
}

describe('G2: area of a selection', () => {
  it('G2: a 1 km × 1 km square near Stockholm is 1 km²', () => {
    expect(validateArea(polygon(square(E, N, 1000)))).toEqual({
      ok: true,
      geometry: polygon(square(E, N, 1000)),
      areaM2: 1_000_000,
      areaKm2: 1,
    });
  });

  it('G2: clockwise and counter-clockwise rings give the same positive area', () => {
    const clockwise = [...square(E, N, 1000)].reverse();
    expect(validateArea(polygon(clockwise))).toMatchObject({ ok: true, areaM2: 1_000_000 });
  });

  it('G2: holes are subtracted, however they wind', () => {
    expect(validateArea(polygon(square(E, N, 1000), square(E + 250, N + 250, 500)))).toMatchObject({
      ok: true,
      areaM2: 750_000,
      areaKm2: 0.75,
    });
    expect(validateArea(polygon(square(E, N, 1000), [...square(E + 250, N + 250, 500)].reverse()))).toMatchObject({
      ok: true,
      areaM2: 750_000,
    });
  });

  it('G2: the parts of a MultiPolygon add up', () => {
    expect(validateArea(multi([square(E, N, 1000)], [square(E + 5000, N, 2000)]))).toMatchObject({
      ok: true,
      areaM2: 5_000_000,
      areaKm2: 5,
    });
  });

  it('G2: an island inside the hole of another part is a separate part, not an overlap', () => {
    const lake = [square(E, N, 1000), square(E + 100, N + 100, 800)];
    expect(validateArea(multi(lake, [square(E + 400, N + 400, 200)]))).toMatchObject({
      ok: true,
      areaM2: 1_000_000 - 640_000 + 40_000,
    });
  });

  it('G2: areaM2 is whole square metres, so fee rules work with integers', () => {
    const triangle = [
      [E, N],
      [E + 3, N],
      [E, N + 3],
      [E, N],
    ];
    expect(validateArea(polygon(triangle))).toMatchObject({ ok: true, areaM2: 5, areaKm2: 0.000005 });
  });

  it('G2: areaKm2Rounded rounds whole m² half up to the decimals asked for', () => {
    expect(areaKm2Rounded(1_234_567)).toBe(1.235);
    expect(areaKm2Rounded(1_234_500, 3)).toBe(1.235);
    expect(areaKm2Rounded(1_234_499, 3)).toBe(1.234);
    expect(areaKm2Rounded(1_500_000, 0)).toBe(2);
    expect(areaKm2Rounded(1_234_567, 6)).toBe(1.234567);
    expect(() => areaKm2Rounded(1, 7)).toThrow(RangeError);
  });

  it('G2: a height as third coordinate is accepted and dropped', () => {
    const withHeight = square(E, N, 1000).map(([e, n]) => [e, n, 12.5]);
    expect(validateArea(polygon(withHeight))).toMatchObject({
      ok: true,
      areaM2: 1_000_000,
      geometry: polygon(square(E, N, 1000)),
    });
  });

  it('G2: repeated consecutive positions (a double click) are dropped, not taken for a self-intersection', () => {
    const ring = [
      [E, N],
      [E + 1000, N],
      [E + 1000, N],
      [E + 1000, N + 1000],
      [E, N + 1000],
      [E, N],
    ];
    expect(validateArea(polygon(ring))).toMatchObject({
      ok: true,
      areaM2: 1_000_000,
      geometry: polygon(square(E, N, 1000)),
    });
  });

  it('G2: a ring may come back to a straight line without folding over it', () => {
    const ring = [
      [E, N],
      [E + 500, N],
      [E + 1000, N],
      [E + 1000, N + 1000],
      [E, N + 1000],
      [E, N],
    ];
    expect(validateArea(polygon(ring))).toMatchObject({ ok: true, areaM2: 1_000_000 });
  });
});

describe('G2, L2: invalid areas say what is wrong and where', () => {
  const bowTie = [
    [E, N],
    [E + 1000, N + 1000],
    [E + 1000, N],
    [E, N + 1000],
    [E, N],
  ];
  it.each([
    ['not an object', 'x', '', 'not_geometry'],
    ['null', null, '', 'not_geometry'],
    ['a Point', { type: 'Point', coordinates: [E, N] }, 'type', 'unsupported_type'],
    [
      'a Feature instead of its geometry',
      { type: 'Feature', geometry: polygon(square(E, N, 10)) },
      'type',
      'unsupported_type',
    ],
    ['coordinates that are not an array', { type: 'Polygon', coordinates: 'x' }, 'coordinates', 'bad_coordinates'],
    ['no coordinates', { type: 'Polygon', coordinates: [] }, 'coordinates', 'empty'],
    ['a MultiPolygon part without rings', multi([]), 'coordinates[0]', 'empty'],
    ['a ring that is not an array', polygon(7 as never), 'coordinates[0]', 'not_ring'],
    [
      'a position that is not a number pair',
      polygon([
        [E, N],
        [E, 'x'],
        [E + 1, N + 1],
        [E, N],
      ] as never),
      'coordinates[0][1]',
      'bad_position',
    ],
    [
      'a position that is not finite',
      polygon([
        [E, N],
        [E, Infinity],
        [E + 1, N + 1],
        [E, N],
      ]),
      'coordinates[0][1]',
      'bad_position',
    ],
    ['a position with one number', polygon([[E, N], [E], [E + 1, N + 1], [E, N]]), 'coordinates[0][1]', 'bad_position'],
    [
      'an unclosed ring',
      polygon(
        square(E, N, 1000)
          .slice(0, 4)
          .concat([[E + 1, N]]),
      ),
      'coordinates[0]',
      'ring_not_closed',
    ],
    [
      'a too-short ring',
      polygon([
        [E, N],
        [E + 10, N],
        [E, N],
      ]),
      'coordinates[0]',
      'ring_too_short',
    ],
    ['a bow tie', polygon(bowTie), 'coordinates[0]', 'self_intersection'],
    [
      'a ring touching itself at a corner',
      polygon([
        [E, N],
        [E + 20, N],
        [E + 10, N + 10],
        [E + 20, N + 20],
        [E, N + 20],
        [E + 10, N + 10],
        [E, N],
      ]),
      'coordinates[0]',
      'self_intersection',
    ],
    [
      'a spike folding back over its edge',
      polygon([
        [E, N],
        [E + 10, N],
        [E + 10, N + 10],
        [E + 10, N + 5],
        [E, N + 10],
        [E, N],
      ]),
      'coordinates[0]',
      'self_intersection',
    ],
    [
      'a spike at the closing position',
      polygon([
        [E, N],
        [E + 10, N],
        [E + 10, N + 10],
        [E, N + 10],
        [E, N - 5],
        [E, N],
      ]),
      'coordinates[0]',
      'self_intersection',
    ],
    ['WGS 84 degrees instead of metres', polygon(square(18, 59, 1)), 'coordinates[0][0]', 'outside_sweden'],
    ['coordinates far outside Sweden', polygon(square(E, 5_000_000, 1000)), 'coordinates[0][0]', 'outside_sweden'],
    [
      'a hole outside its outer ring',
      polygon(square(E, N, 1000), square(E + 5000, N, 100)),
      'coordinates[1]',
      'hole_outside',
    ],
    [
      'a hole crossing its outer ring',
      polygon(square(E, N, 1000), square(E + 900, N + 400, 200)),
      'coordinates[1]',
      'hole_outside',
    ],
    [
      'a hole touching its outer ring',
      polygon(square(E, N, 1000), square(E, N + 400, 200)),
      'coordinates[1]',
      'hole_outside',
    ],
    [
      'a hole bigger than its outer ring',
      polygon(square(E + 100, N + 100, 100), square(E, N, 1000)),
      'coordinates[1]',
      'hole_outside',
    ],
    [
      'crossing holes',
      polygon(square(E, N, 1000), square(E + 100, N + 100, 300), square(E + 200, N + 200, 300)),
      'coordinates[1]',
      'holes_overlap',
    ],
    [
      'a hole inside another hole',
      polygon(square(E, N, 1000), square(E + 100, N + 100, 600), square(E + 200, N + 200, 100)),
      'coordinates[1]',
      'holes_overlap',
    ],
    [
      'overlapping MultiPolygon parts',
      multi([square(E, N, 1000)], [square(E + 500, N + 500, 1000)]),
      'coordinates[0]',
      'parts_overlap',
    ],
    [
      'MultiPolygon parts sharing an edge',
      multi([square(E, N, 1000)], [square(E + 1000, N, 1000)]),
      'coordinates[0]',
      'parts_overlap',
    ],
    [
      'a flat ring',
      polygon([
        [E, N],
        [E + 10, N],
        [E + 20, N],
        [E, N],
      ]),
      'coordinates[0]',
      'zero_area',
    ],
    [
      'a ring of one repeated position',
      polygon([
        [E, N],
        [E, N],
        [E, N],
        [E, N],
      ]),
      'coordinates[0]',
      'zero_area',
    ],
    [
      'an area under 1 m²',
      polygon([
        [E, N],
        [E + 0.5, N],
        [E, N + 0.5],
        [E, N],
      ]),
      'coordinates',
      'zero_area',
    ],
    ['an absurdly large area', polygon(square(300_000, 6_200_000, 300_000)), 'coordinates', 'area_too_large'],
  ])('G2, L2: refuses %s', (_what, input, path, code) => {
    const problems = problemsOf(input);
    expect(problems).toContainEqual({ path, code, message: expect.any(String) });
    for (const p of problems) expect(p.message.length).toBeGreaterThan(20);
  });

  it('G2: caps the number of positions before any quadratic check', () => {
    const circle = Array.from({ length: MAX_VERTICES + 1 }, (_, i): Position => [
      E + Math.cos(i) * 100,
      N + Math.sin(i) * 100,
    ]);
    const [problem] = problemsOf(polygon([...circle, circle[0]!]));
    expect(problem).toMatchObject({ path: 'coordinates', code: 'too_many_vertices' });
    expect(problem!.message).toContain(String(MAX_VERTICES));
  });

  it('G2: a detailed outline just under the cap is measured', () => {
    const count = MAX_VERTICES - 1;
    const circle = Array.from({ length: count }, (_, i): Position => [
      E + 1000 * Math.cos((2 * Math.PI * i) / count),
      N + 1000 * Math.sin((2 * Math.PI * i) / count),
    ]);
    const result = validateArea(polygon([...circle, circle[0]!]));
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.areaM2).toBeCloseTo(Math.PI * 1e6, -2);
  });

  it('G2: messages name the mistake', () => {
    expect(problemsOf(polygon(square(18.05, 59.33, 0.01)))[0]!.message).toMatch(/degrees/);
    expect(problemsOf(polygon(square(N, E, 1000)))[0]!.message).toMatch(/swapped/);
    expect(problemsOf({ type: 'Point' })[0]!.message).toContain('"Point"');
    expect(problemsOf({ type: 'Feature', geometry: polygon(square(E, N, 10)) })[0]!.message).toContain(
      "feature's geometry",
    );
    expect(problemsOf(polygon(bowTie))[0]!.message).toContain('positions 0–1 meets the edge 2–3');
    expect(
      problemsOf(
        polygon([
          [E, N],
          [E + 10, N],
          [E, N],
        ]),
      )[0]!.message,
    ).toContain('it has 3');
  });

  it('G2: names the position that is wrong', () => {
    expect(
      problemsOf(
        polygon([
          [E, N],
          [E + 10, N],
          [18.1, 59.3],
          [E, N + 10],
          [E, N],
        ]),
      ),
    ).toEqual([
      { path: 'coordinates[0][2]', code: 'outside_sweden', message: expect.stringContaining('(18.1, 59.3)') },
    ]);
  });

  it('G2: reports every broken ring and part of a MultiPolygon at once', () => {
    const input = multi(
      [square(E, N, 10).slice(0, 3)],
      [square(E + 100, N, 10), bowTie],
      [
        [
          [E, N],
          [E + 1, N],
          [E, N],
        ],
      ],
    );
    expect(problemsOf(input).map((p) => [p.path, p.code])).toEqual([
      ['coordinates[0][0]', 'ring_too_short'],
      ['coordinates[1][1]', 'self_intersection'],
      ['coordinates[2][0]', 'ring_too_short'],
    ]);
  });
});

describe('L2: intersecting work areas with coverage areas', () => {
  const sq = (e: number, n: number, size: number) => area(square(e, n, size));

  it('L2: overlapping areas intersect', () => {
    expect(intersects(sq(E, N, 1000), sq(E + 500, N + 500, 1000))).toBe(true);
  });

  it('L2: an area contained in the other intersects it, both ways round', () => {
    expect(intersects(sq(E, N, 10_000), sq(E + 500, N + 500, 100))).toBe(true);
    expect(intersects(sq(E + 500, N + 500, 100), sq(E, N, 10_000))).toBe(true);
  });

  it('L2: crossing areas with no vertex inside the other intersect', () => {
    const wide = area([
      [E, N + 400],
      [E + 1000, N + 400],
      [E + 1000, N + 600],
      [E, N + 600],
      [E, N + 400],
    ]);
    const tall = area([
      [E + 400, N],
      [E + 600, N],
      [E + 600, N + 1000],
      [E + 400, N + 1000],
      [E + 400, N],
    ]);
    expect(intersects(wide, tall)).toBe(true);
  });

  it('L2: separate areas do not intersect, even when their bounding boxes overlap', () => {
    expect(intersects(sq(E, N, 1000), sq(E + 5000, N, 1000))).toBe(false);
    const ell = area([
      [E, N],
      [E + 1000, N],
      [E + 1000, N + 100],
      [E + 100, N + 100],
      [E + 100, N + 1000],
      [E, N + 1000],
      [E, N],
    ]);
    expect(intersects(ell, sq(E + 500, N + 500, 100))).toBe(false);
  });

  it('L2: areas that only touch count as intersecting (ask one network owner too many)', () => {
    expect(intersects(sq(E, N, 1000), sq(E + 1000, N, 1000))).toBe(true);
    expect(intersects(sq(E, N, 1000), sq(E + 1000, N + 1000, 1000))).toBe(true);
  });

  it('L2: an area inside a hole of a coverage area does not intersect it', () => {
    const donut = area(square(E, N, 10_000), square(E + 2000, N + 2000, 6000));
    expect(intersects(donut, sq(E + 4000, N + 4000, 100))).toBe(false);
    expect(intersects(sq(E + 4000, N + 4000, 100), donut)).toBe(false);
    expect(intersects(donut, sq(E + 500, N + 500, 100))).toBe(true);
    expect(intersects(donut, sq(E + 1000, N + 1000, 8000))).toBe(true);
  });

  it('L2: a MultiPolygon intersects when any of its parts does', () => {
    const owner = valid(multi([square(E, N, 1000)], [square(E + 10_000, N, 1000)]));
    expect(intersects(owner, sq(E + 10_500, N + 500, 100))).toBe(true);
    expect(intersects(owner, sq(E + 5000, N, 100))).toBe(false);
  });
});

describe('points and bounds', () => {
  const donut = area(square(E, N, 1000), square(E + 250, N + 250, 500));
  it('containsPoint counts the boundary and excludes holes', () => {
    expect(containsPoint(donut, [E + 100, N + 100])).toBe(true);
    expect(containsPoint(donut, [E, N + 500])).toBe(true);
    expect(containsPoint(donut, [E + 500, N + 500])).toBe(false);
    expect(containsPoint(donut, [E + 250, N + 500])).toBe(true);
    expect(containsPoint(donut, [E + 2000, N])).toBe(false);
  });

  it('bbox spans all parts', () => {
    expect(bbox(valid(multi([square(E, N, 1000)], [square(E + 5000, N - 300, 100)])))).toEqual({
      minE: E,
      minN: N - 300,
      maxE: E + 5100,
      maxN: N + 1000,
    });
  });
});

describe('G2: drawing a selection', () => {
  it('G2: draws each ring as a closed sub-path, north up, scaled into the view box', () => {
    const path = toSvgPath(valid(polygon(square(E, N, 1000), square(E + 250, N + 250, 500))), 100, 100, 0);
    expect(path.startsWith('M0.0,100.0L100.0,100.0L100.0,0.0L0.0,0.0Z')).toBe(true);
    expect(path).toContain('M25.0,75.0L75.0,75.0L75.0,25.0L25.0,25.0Z');
    expect(path.match(/M/g)).toHaveLength(2);
    expect(path.match(/Z/g)).toHaveLength(2);
  });

  it('G2: keeps the aspect ratio and centres the drawing inside the padding', () => {
    const wide = area([
      [E, N],
      [E + 2000, N],
      [E + 2000, N + 1000],
      [E, N + 1000],
      [E, N],
    ]);
    expect(toSvgPath(wide, 240, 240, 20)).toBe('M20.0,170.0L220.0,170.0L220.0,70.0L20.0,70.0Z');
  });

  it('G2: every part of a MultiPolygon is drawn', () => {
    const path = toSvgPath(valid(multi([square(E, N, 1000)], [square(E + 5000, N, 1000)])), 240, 240);
    expect(path.startsWith('M')).toBe(true);
    expect(path.match(/Z/g)).toHaveLength(2);
    for (const [, x, y] of path.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)) {
      expect(Number(x)).toBeGreaterThanOrEqual(8);
      expect(Number(x)).toBeLessThanOrEqual(232);
      expect(Number(y)).toBeGreaterThanOrEqual(8);
      expect(Number(y)).toBeLessThanOrEqual(232);
    }
  });
});
