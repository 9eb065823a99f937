import { describe, expect, it } from 'vitest';
import { findUnstorableText, nestingDepth, unstorableText } from '../../platform/http/input';
import { storableJson } from '../../platform/http/idempotency.store';

describe('text PostgreSQL cannot store (A6)', () => {
  it('finds U+0000 and lone surrogates, and nothing in ordinary text', () => {
    expect(unstorableText('a\u0000b')).toBe('NUL character (U+0000)');
    expect(unstorableText('\ud800')).toBe('lone surrogate');
    expect(unstorableText('x\udc00')).toBe('lone surrogate');
    expect(unstorableText('\udc00\ud800')).toBe('lone surrogate');
    for (const fine of ['', 'Gräv & Co AB', 'emoji 😀 ok', '\\u0000 written out', 'tab\tand\nnewline', '\uFFFD'])
      expect(unstorableText(fine)).toBeUndefined();
  });

  it('answers the path of the first bad string anywhere: values, array items, object keys', () => {
    expect(findUnstorableText({ a: 'ok', b: { c: ['ok', 'x\u0000'] } })).toEqual({
      path: ['b', 'c', '1'],
      problem: 'contains a NUL character (U+0000)',
    });
    expect(findUnstorableText({ a: { 'k\ud800': 1 } })).toEqual({
      path: ['a'],
      problem: 'has a key that contains a lone surrogate',
    });
    expect(findUnstorableText('\u0000')).toEqual({ path: [], problem: 'contains a NUL character (U+0000)' });
    expect(findUnstorableText({ n: 1, t: true, z: null, s: 'ok', list: [1, 'två', { x: '😀' }] })).toBeUndefined();
    expect(findUnstorableText(undefined)).toBeUndefined();
  });

  it('walks any depth without recursion', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep)?.path).toHaveLength(100_000);
  });
});

describe('JSON depth', () => {
  it('counts nested arrays and objects; a scalar is 0', () => {
    expect(nestingDepth('x')).toBe(0);
    expect(nestingDepth(null)).toBe(0);
    expect(nestingDepth({})).toBe(1);
    expect(nestingDepth({ selection: { coordinates: [[[1, 2]]] } })).toBe(5);
    expect(nestingDepth(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toBe(100_000);
  });
});

describe('an idempotent answer is always storable', () => {
  it('puts U+FFFD for U+0000 and lone surrogates, and leaves escaped backslashes and pairs alone', () => {
    const body = { text: 'a\u0000b\ud800c', ok: 'Gräv 😀', written: '\\u0000 and \\\\ud800' };
    const stored = JSON.parse(storableJson(body));
    expect(stored).toEqual({ text: 'a\uFFFDb\uFFFDc', ok: 'Gräv 😀', written: '\\u0000 and \\\\ud800' });
    expect(storableJson(undefined)).toBe('null');
  });
});
