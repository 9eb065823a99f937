import express, { type RequestHandler } from 'express';
import { ApiError } from './errors';

/** U+0000 (PostgreSQL refuses it in text and jsonb) or a lone UTF-16 surrogate (not UTF-8 at all). */
const UNSTORABLE = /[\0\p{Cs}]/u;

/** Strings anywhere in a request are text PostgreSQL can store: no U+0000, no lone surrogates. */
export function unstorableText(s: string): 'NUL character (U+0000)' | 'lone surrogate' | undefined {
  const m = UNSTORABLE.exec(s);
  if (!m) return undefined;
  return m[0] === '\0' ? 'NUL character (U+0000)' : 'lone surrogate';
}

/**
 * The first string (value or object key) in `value` that PostgreSQL cannot store, with its path
 * (keys and array indexes), or undefined. Walks without recursion, so any depth is safe.
 */
export function findUnstorableText(value: unknown): { path: string[]; problem: string } | undefined {
  interface Node {
    value: unknown;
    key: string;
    parent: Node | null;
  }
  const pathOf = (node: Node | null) => {
    const path: string[] = [];
    for (let n = node; n?.parent; n = n.parent) path.push(n.key);
    return path.reverse();
  };
  const stack: Node[] = [{ value, key: '', parent: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      const problem = unstorableText(v);
      if (problem) return { path: pathOf(node), problem: `contains a ${problem}` };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: String(i), parent: node });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, inner] = entries[i]!;
        const problem = unstorableText(key);
        if (problem) return { path: pathOf(node), problem: `has a key that contains a ${problem}` };
        stack.push({ value: inner, key, parent: node });
      }
    }
  }
  return undefined;
}

/** How deeply arrays and objects nest in `value` (a scalar is 0), without recursion. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    for (const inner of Array.isArray(v) ? v : Object.values(v)) stack.push([inner, depth + 1]);
  }
  return deepest;
}

/** A GeoJSON MultiPolygon nests 6 deep in a request; nothing the API takes comes near this. */
export const MAX_JSON_DEPTH = 32;
export const MAX_JSON_BYTES = '2mb';

/**
 * The API's JSON body parser: at most MAX_JSON_BYTES (413 `body_too_large`) and MAX_JSON_DEPTH
 * levels of nesting (400 `json_too_deep`), so nothing downstream (hashing, validation, logging)
 * recurses into an arbitrarily deep document. Errors go to the one error handler (errors.ts).
 */
export function jsonBody(opts: { strict?: boolean } = {}): RequestHandler[] {
  return [
    express.json({ limit: MAX_JSON_BYTES, strict: opts.strict ?? true }),
    (req, _res, next) => {
      if (nestingDepth(req.body) > MAX_JSON_DEPTH)
        next(
          new ApiError(
            400,
            'json_too_deep',
            `The JSON body nests more than ${MAX_JSON_DEPTH} levels deep; no request needs that many`,
          ),
        );
      else next();
    },
  ];
}
