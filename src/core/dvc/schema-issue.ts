import { isMap, isNode, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { lineOf } from './value.js';

type Path = Array<string | number>;

const KINDS: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  int: 'an integer',
};

function found(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `${typeof input === 'string' ? 'the string' : `the ${typeof input}`} ${JSON.stringify(input)}`;
}

/**
 * A schema issue as a file's reader wants to see it: where (a path of keys) and what was expected.
 * For a union, the branch that got furthest says what is wrong, so `cache: maybe` in an out's
 * flags is reported at the flag, not as "not a path".
 */
export function explainIssue(
  issue: z.core.$ZodIssue | undefined,
  fallback = 'invalid',
): { path: Path; message: string; linePath: Path } {
  if (issue === undefined) return { path: [], message: fallback, linePath: [] };
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      return {
        path,
        linePath: issue.keys[0] === undefined ? path : [...path, issue.keys[0]],
        message: `unexpected key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`,
      };
    case 'invalid_union': {
      const custom = issue.message !== 'Invalid input' ? issue.message : undefined;
      const deepest = issue.errors
        .map((branch) => branch[0])
        .filter((i): i is z.core.$ZodIssue => i !== undefined && i.path.length > 0)
        .sort((a, b) => b.path.length - a.path.length)[0];
      if (deepest !== undefined) {
        const inner = explainIssue(deepest, custom ?? fallback);
        return {
          path: [...path, ...inner.path],
          message: inner.message,
          linePath: [...path, ...inner.linePath],
        };
      }
      return { path, message: custom ?? fallback, linePath: path };
    }
    case 'invalid_type': {
      const want = KINDS[issue.expected] ?? issue.expected;
      return { path, message: `expected ${want}, found ${found(issue.input)}`, linePath: path };
    }
    default:
      return { path, message: issue.message.replace(/^Invalid input: /, ''), linePath: path };
  }
}

/** Line of the deepest node along `path` that exists in the document (its key's line when it has one). */
export function lineOfPath(doc: Document, text: string, path: Path): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (!isNode(node) || !node.range) continue;
    // a key's line reads better than its value's when the value is a block below it
    const parent = n <= 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    const last = path[n - 1];
    if (n > 0 && isMap(parent)) {
      const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === last);
      if (pair !== undefined && isScalar(pair.key) && pair.key.range) return lineOf(text, pair.key.range[0]);
    }
    return lineOf(text, node.range[0]);
  }
  return 1;
}
