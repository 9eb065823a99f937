import { describe, expect, it } from 'vitest';
import { selectionClipper } from '../../orders/production';
import { geometryBlob, geometryOf, envelopeOf } from '../../platform/geopackage';

/** A triangle: not a rectangle, so JTS decides every case. */
const triangle = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [0, 0],
      [100, 0],
      [0, 100],
      [0, 0],
    ] as [number, number][],
  ],
};
const square = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [0, 0],
      [100, 0],
      [100, 100],
      [0, 100],
      [0, 0],
    ] as [number, number][],
  ],
};

describe('G7: clipping to the selection', () => {
  const { clip, coversEnvelope } = selectionClipper(triangle);

  it('keeps what the selection covers whole (lines and polygons as multi), drops what is outside', () => {
    expect(
      clip({
        type: 'LineString',
        coordinates: [
          [10, 10],
          [20, 20],
        ],
      }),
    ).toEqual({
      type: 'MultiLineString',
      coordinates: [
        [
          [10, 10],
          [20, 20],
        ],
      ],
    });
    expect(clip({ type: 'Point', coordinates: [10, 10] })).toEqual({ type: 'Point', coordinates: [10, 10] });
    expect(clip({ type: 'Point', coordinates: [90, 90] })).toBeNull();
    expect(
      clip({
        type: 'LineString',
        coordinates: [
          [60, 60],
          [90, 90],
        ],
      }),
    ).toBeNull();
  });

  it('cuts a line crossing the slanted edge where it leaves, and a polygon to the part inside', () => {
    const line = clip({
      type: 'LineString',
      coordinates: [
        [10, 20],
        [90, 20],
      ],
    })!;
    expect(line.type).toBe('MultiLineString');
    const parts = line.coordinates as [number, number][][];
    expect(parts).toHaveLength(1);
    expect(parts[0]!.map((p) => p.map((c) => Math.round(c * 1e6) / 1e6)).sort()).toEqual(
      [
        [10, 20],
        [80, 20],
      ].sort(),
    );
    const cut = clip({
      type: 'Polygon',
      coordinates: [
        [
          [40, 40],
          [80, 40],
          [80, 80],
          [40, 80],
          [40, 40],
        ],
      ],
    })!;
    expect(cut.type).toBe('MultiPolygon');
    // Only the corner below x + y = 100 stays: the triangle (40,40), (60,40), (40,60).
    const ring = (cut.coordinates as number[][][][])[0]![0]!;
    expect(new Set(ring.map(([x, y]) => `${Math.round(x!)},${Math.round(y!)}`))).toEqual(
      new Set(['40,40', '60,40', '40,60']),
    );
  });

  it('a polygon that only touches the selection leaves nothing (no line along the border)', () => {
    expect(
      clip({
        type: 'Polygon',
        coordinates: [
          [
            [50, 50],
            [100, 50],
            [50, 100],
            [50, 50],
          ],
        ],
      }),
    ).toBeNull();
  });

  it('trusts envelopes only for a rectangular selection', () => {
    expect(coversEnvelope([10, 20, 10, 20])).toBe(false);
    const rectangle = selectionClipper(square);
    expect(rectangle.coversEnvelope([10, 20, 10, 20])).toBe(true);
    expect(rectangle.coversEnvelope([10, 120, 10, 20])).toBe(false);
  });
});

describe('GeoPackage geometry blobs', () => {
  it('carry the envelope in the header and the geometry as WKB, read back unchanged', () => {
    const polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [1, 2],
          [5, 2],
          [5, 7],
          [1, 2],
        ],
      ],
    };
    const blob = geometryBlob(polygon, [1, 5, 2, 7]);
    expect(blob.subarray(0, 2).toString()).toBe('GP');
    expect(blob.readInt32LE(4)).toBe(3006);
    expect(envelopeOf(blob)).toEqual([1, 5, 2, 7]);
    expect(geometryOf(blob)).toEqual(polygon);
  });
});
