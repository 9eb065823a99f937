import { describe, expect, it } from 'vitest';
import { parseSelectionText, validateArea } from '../../domain/geometry';

describe('G2, L2: a selection as typed into a form', () => {
  it('reads one E N pair per line (spaces, commas or semicolons) and closes the ring', () => {
    expect(parseSelectionText('674000 6580000\n675000,6580000\n675000; 6581000\n')).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [674000, 6580000],
          [675000, 6580000],
          [675000, 6581000],
          [674000, 6580000],
        ],
      ],
    });
  });

  it('takes GeoJSON: a geometry, a Feature, or a FeatureCollection of one', () => {
    const polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [1, 2],
          [3, 4],
          [5, 6],
          [1, 2],
        ],
      ],
    };
    expect(parseSelectionText(JSON.stringify(polygon))).toEqual(polygon);
    expect(parseSelectionText(JSON.stringify({ type: 'Feature', geometry: polygon }))).toEqual(polygon);
    expect(
      parseSelectionText(
        JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: polygon }] }),
      ),
    ).toEqual(polygon);
  });

  it('hands anything else on unchanged, so validateArea says what is wrong', () => {
    for (const text of ['674000 6580000\n675000', '{not json', 'one two three'])
      expect(validateArea(parseSelectionText(text)).ok).toBe(false);
    expect(parseSelectionText('{not json')).toBe('{not json');
  });
});
