/** A tokenizer for the subset of Python that DVC's python params files use. */

export type PyToken =
  | { kind: 'name'; text: string; line: number }
  | { kind: 'number'; text: string; line: number }
  | { kind: 'string'; value: string; prefix: string; line: number }
  | { kind: 'op'; text: string; line: number };

/** One logical line: its indentation and tokens (brackets and backslashes join physical lines). */
export interface PyLine {
  indent: number;
  line: number;
  tokens: PyToken[];
}

export type PyTokenResult = { ok: true; lines: PyLine[] } | { ok: false; line: number; error: string };

const OPS3 = ['**=', '//=', '>>=', '<<=', '...'];
const OPS2 = [
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '->',
  '+=',
  '-=',
  '*=',
  '/=',
  ':=',
  '<<',
  '>>',
  '%=',
  '&=',
  '|=',
  '^=',
];
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);

export function tokenizePython(text: string): PyTokenResult {
  const lines: PyLine[] = [];
  const stack: Array<{ ch: string; line: number }> = [];
  let current: PyLine | null = null;
  let line = 1;
  let atLineStart = true;
  let indent = 0;
  let i = 0;
  const n = text.length;
  const push = (t: PyToken): void => {
    if (current === null) {
      current = { indent, line: t.line, tokens: [] };
      lines.push(current);
    }
    current.tokens.push(t);
  };
  while (i < n) {
    const c = text[i] ?? '';
    if (atLineStart) {
      let col = 0;
      while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) {
        col = text[i] === '\t' ? col + 8 - (col % 8) : col + 1;
        i++;
      }
      indent = col;
      atLineStart = false;
      continue;
    }
    if (c === '\n') {
      line++;
      i++;
      if (stack.length === 0) {
        current = null;
        atLineStart = true;
      }
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '\\') {
      if (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n')) {
        i += text[i + 1] === '\n' ? 2 : 3;
        line++;
        continue;
      }
      return { ok: false, line, error: 'unexpected "\\" outside a string' };
    }
    const strStart = matchStringStart(text, i);
    if (strStart !== null) {
      const r = readString(text, i + strStart.prefix.length, strStart.prefix, line);
      if (!r.ok) return r;
      push({ kind: 'string', value: r.value, prefix: strStart.prefix.toLowerCase(), line });
      line = r.line;
      i = r.end;
      continue;
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_\u0080-\uffff]/.test(text[j] ?? '')) j++;
      push({ kind: 'name', text: text.slice(i, j), line });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m =
        /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?[jJ]?)/.exec(
          text.slice(i, i + 400),
        );
      const t = m?.[0] ?? c;
      push({ kind: 'number', text: t, line });
      i += t.length;
      continue;
    }
    const op = [...OPS3, ...OPS2].find((o) => text.startsWith(o, i)) ?? c;
    if (OPEN[op] !== undefined) stack.push({ ch: op, line });
    if (CLOSERS.has(op)) {
      const top = stack.pop();
      if (top === undefined || OPEN[top.ch] !== op) {
        return {
          ok: false,
          line,
          error:
            top === undefined
              ? `unmatched "${op}"`
              : `expected "${OPEN[top.ch] ?? ''}" to close "${top.ch}" from line ${top.line}, found "${op}"`,
        };
      }
    }
    push({ kind: 'op', text: op, line });
    i += op.length;
  }
  const open = stack.pop();
  if (open !== undefined) return { ok: false, line: open.line, error: `"${open.ch}" is never closed` };
  return { ok: true, lines };
}

function matchStringStart(text: string, i: number): { prefix: string } | null {
  const m = /^([rRuUbBfF]{0,2})['"]/.exec(text.slice(i, i + 3));
  if (m === null) return null;
  const prefix = m[1] ?? '';
  if (prefix.length > 0 && i > 0 && /[A-Za-z0-9_]/.test(text[i - 1] ?? '')) return null;
  return { prefix };
}

function readString(
  text: string,
  i: number,
  prefix: string,
  startLine: number,
): { ok: true; value: string; end: number; line: number } | { ok: false; line: number; error: string } {
  const q = text[i] ?? '"';
  const triple = text.startsWith(q.repeat(3), i);
  const close = triple ? q.repeat(3) : q;
  const raw = /[rR]/.test(prefix);
  let j = i + close.length;
  let line = startLine;
  let out = '';
  while (j < text.length) {
    if (text.startsWith(close, j)) return { ok: true, value: out, end: j + close.length, line };
    const c = text[j] ?? '';
    if (c === '\n') {
      if (!triple)
        return { ok: false, line, error: 'string literal is not terminated before the end of the line' };
      line++;
      out += c;
      j++;
      continue;
    }
    if (c === '\\') {
      const next = text[j + 1] ?? '';
      if (raw) {
        out += c + next;
        if (next === '\n') line++;
        j += 2;
        continue;
      }
      const esc = unescape(text, j);
      out += esc.value;
      if (next === '\n') line++;
      j = esc.end;
      continue;
    }
    out += c;
    j++;
  }
  return { ok: false, line: startLine, error: 'string literal is never terminated' };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function unescape(text: string, j: number): { value: string; end: number } {
  const next = text[j + 1] ?? '';
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { value: simple, end: j + 2 };
  const hex = (len: number): { value: string; end: number } | null => {
    const h = text.slice(j + 2, j + 2 + len);
    return /^[0-9a-fA-F]+$/.test(h) && h.length === len
      ? { value: String.fromCodePoint(parseInt(h, 16)), end: j + 2 + len }
      : null;
  };
  if (next === 'x') return hex(2) ?? { value: '\\x', end: j + 2 };
  if (next === 'u') return hex(4) ?? { value: '\\u', end: j + 2 };
  if (next === 'U') return hex(8) ?? { value: '\\U', end: j + 2 };
  const oct = /^[0-7]{1,3}/.exec(text.slice(j + 1, j + 4));
  if (oct !== null) return { value: String.fromCodePoint(parseInt(oct[0], 8)), end: j + 1 + oct[0].length };
  return { value: '\\' + next, end: j + 2 };
}
