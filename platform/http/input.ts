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
