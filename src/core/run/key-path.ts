import type { Value } from '../../contracts/api.js';

/** Looks up a dotted key (`train.lr`, `layers.0`) in parsed params; `undefined` when absent. */
export function getAt(root: Value, key: string): Value | undefined {
  let cur: Value | undefined = root;
  for (const seg of key.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else {
      cur = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    }
  }
  return cur;
}

/** Every leaf param of a parsed file as dotted keys, in file order. */
export function flattenParams(v: Record<string, Value>, prefix = ''): Array<{ key: string; value: Value }> {
  const out: Array<{ key: string; value: Value }> = [];
  for (const [k, x] of Object.entries(v)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (x !== null && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length > 0)
      out.push(...flattenParams(x, key));
    else out.push({ key, value: x });
  }
  return out;
}

/** Returns a copy of `root` with the (existing) dotted key set to `value`. */
export function setAt(root: Value, key: string, value: Value): Value {
  const [head, ...rest] = key.split('.');
  if (head === undefined) return value;
  const child = (v: Value | undefined) => (rest.length ? setAt(v ?? null, rest.join('.'), value) : value);
  if (Array.isArray(root)) return root.map((x, i) => (String(i) === head ? child(x) : x));
  if (root !== null && typeof root === 'object') return { ...root, [head]: child(root[head]) };
  return root;
}
