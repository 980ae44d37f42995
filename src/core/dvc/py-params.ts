import type { Value } from '../../contracts/api.js';
import { tokenizePython, type PyLine, type PyToken } from './py-tokens.js';

/**
 * Reads a Python params file as DVC does: module-level assignments of literals, class bodies
 * (a class becomes a mapping of its literal attributes) and `self.x = …` in `__init__`.
 * Assignments whose value is not a literal are skipped, as DVC skips them.
 */
export function parsePythonParams(
  text: string,
  opts: { markFloats?: boolean } = {},
): { ok: true; value: Record<string, Value> } | { ok: false; line: number; error: string } {
  const tokens = tokenizePython(text);
  if (!tokens.ok) return tokens;
  markFloats = opts.markFloats === true;
  try {
    return { ok: true, value: collectBlock(tokens.lines, 0, tokens.lines.length, 'body') };
  } finally {
    markFloats = false;
  }
}

/**
 * With `markFloats`, an integral float literal (`1.0`, `2e3`) comes back as this prefix and its
 * value, so dvc.lock can write it as Python does (`1.0`): a JS number cannot tell it from `1`.
 */
export const PY_FLOAT_MARK = '\u0000pyfloat:';
let markFloats = false;

function isFloatLiteral(text: string): boolean {
  return !/^0[xXoObB]/.test(text) && /[.eE]/.test(text);
}

type Mode = 'body' | 'init';

function blockEnd(lines: PyLine[], start: number, end: number, indent: number): number {
  let j = start;
  while (j < end && (lines[j]?.indent ?? 0) > indent) j++;
  return j;
}

function collectBlock(lines: PyLine[], start: number, end: number, mode: Mode): Record<string, Value> {
  const out: Record<string, Value> = {};
  let i = start;
  while (i < end) {
    const l = lines[i];
    if (l === undefined) break;
    const t = l.tokens;
    const opensBlock = isOp(t[t.length - 1], ':');
    if (opensBlock) {
      const bodyEnd = blockEnd(lines, i + 1, end, l.indent);
      const head = t[0];
      const name = t[1];
      if (mode === 'body' && head?.kind === 'name' && head.text === 'class' && name?.kind === 'name') {
        out[name.text] = collectBlock(lines, i + 1, bodyEnd, 'body');
      } else if (
        head?.kind === 'name' &&
        head.text === 'def' &&
        name?.kind === 'name' &&
        name.text === '__init__'
      ) {
        Object.assign(out, collectBlock(lines, i + 1, bodyEnd, 'init'));
      }
      i = bodyEnd;
      continue;
    }
    const assigned = readAssignment(t, mode);
    if (assigned !== null) out[assigned.name] = assigned.value;
    i++;
  }
  return out;
}

function readAssignment(t: PyToken[], mode: Mode): { name: string; value: Value } | null {
  let name: string;
  let pos: number;
  const first = t[0];
  if (first?.kind !== 'name') return null;
  if (isOp(t[1], '.') && first.text === 'self' && t[2]?.kind === 'name') {
    name = t[2].text;
    pos = 3;
  } else if (mode === 'body') {
    name = first.text;
    pos = 1;
  } else return null;
  if (isOp(t[pos], ':')) {
    // annotated assignment: skip the annotation up to "=" at bracket depth 0
    let depth = 0;
    pos++;
    while (pos < t.length && !(depth === 0 && isOp(t[pos], '='))) {
      const tok = t[pos];
      if (tok?.kind === 'op' && '([{'.includes(tok.text)) depth++;
      if (tok?.kind === 'op' && ')]}'.includes(tok.text)) depth--;
      pos++;
    }
  }
  if (!isOp(t[pos], '=')) return null;
  const rest = t.slice(pos + 1);
  // chained assignment (a = b = 1) is skipped by DVC
  if (rest.some((x) => isOp(x, '='))) return null;
  const p = new LiteralParser(rest);
  const value = p.parseTop();
  if (value === NOT_LITERAL || !p.done()) return null;
  return { name, value };
}

function isOp(t: PyToken | undefined, text: string): boolean {
  return t?.kind === 'op' && t.text === text;
}

const NOT_LITERAL = Symbol('not a literal');
type Parsed = Value | typeof NOT_LITERAL;

class LiteralParser {
  private i = 0;
  constructor(private readonly t: PyToken[]) {}

  done(): boolean {
    return this.i >= this.t.length;
  }

  parseTop(): Parsed {
    return this.parseSeq(null);
  }

  /** Comma-separated items: a bare tuple at top level (closer null) or inside brackets. */
  private parseSeq(closer: string | null): Parsed {
    const items: Value[] = [];
    let sawComma = false;
    while (!this.done() && !(closer !== null && isOp(this.t[this.i], closer))) {
      const v = this.parseAtom();
      if (v === NOT_LITERAL) return v;
      items.push(v);
      if (isOp(this.t[this.i], ',')) {
        sawComma = true;
        this.i++;
      } else break;
    }
    if (closer === null) {
      if (items.length === 0) return NOT_LITERAL;
      return sawComma ? items : (items[0] ?? null);
    }
    if (!isOp(this.t[this.i], closer)) return NOT_LITERAL;
    this.i++;
    return closer === ')' && !sawComma && items.length === 1 ? (items[0] ?? null) : items;
  }

  private parseAtom(): Parsed {
    const tok = this.t[this.i];
    if (tok === undefined) return NOT_LITERAL;
    this.i++;
    switch (tok.kind) {
      case 'string': {
        if (tok.prefix.includes('f') || tok.prefix.includes('b')) return NOT_LITERAL;
        let s = tok.value;
        for (let next = this.t[this.i]; next?.kind === 'string'; next = this.t[this.i]) {
          if (next.prefix.includes('f') || next.prefix.includes('b')) return NOT_LITERAL;
          s += next.value;
          this.i++;
        }
        return s;
      }
      case 'number': {
        const n = parsePyNumber(tok.text);
        if (n === null) return NOT_LITERAL;
        return markFloats && Number.isInteger(n) && isFloatLiteral(tok.text) ? `${PY_FLOAT_MARK}${n}` : n;
      }
      case 'name':
        if (tok.text === 'True') return true;
        if (tok.text === 'False') return false;
        if (tok.text === 'None') return null;
        return NOT_LITERAL;
      case 'op':
        if (tok.text === '-' || tok.text === '+') {
          const v = this.parseAtom();
          if (typeof v === 'string' && v.startsWith(PY_FLOAT_MARK)) {
            const n = Number(v.slice(PY_FLOAT_MARK.length));
            return `${PY_FLOAT_MARK}${tok.text === '-' ? -n : n}`;
          }
          if (typeof v !== 'number') return NOT_LITERAL;
          return tok.text === '-' ? -v : v;
        }
        if (tok.text === '(') return this.parseSeq(')');
        if (tok.text === '[') return this.parseSeq(']');
        if (tok.text === '{') return this.parseBraces();
        return NOT_LITERAL;
    }
  }

  private parseBraces(): Parsed {
    if (isOp(this.t[this.i], '}')) {
      this.i++;
      return {};
    }
    const first = this.parseAtom();
    if (first === NOT_LITERAL) return first;
    if (!isOp(this.t[this.i], ':')) {
      // a set literal: DVC keeps it as a set; a list is its JSON-like form
      const rest = isOp(this.t[this.i], ',')
        ? (this.i++, this.parseSeq('}'))
        : isOp(this.t[this.i], '}')
          ? (this.i++, [])
          : NOT_LITERAL;
      if (rest === NOT_LITERAL || !Array.isArray(rest)) return NOT_LITERAL;
      return [first, ...rest];
    }
    const out: Record<string, Value> = {};
    let key: Value = first;
    for (;;) {
      if (!isOp(this.t[this.i], ':')) return NOT_LITERAL;
      this.i++;
      const v = this.parseAtom();
      if (v === NOT_LITERAL || (typeof key === 'object' && key !== null)) return NOT_LITERAL;
      out[pyStr(key)] = v;
      if (isOp(this.t[this.i], ',')) this.i++;
      if (isOp(this.t[this.i], '}')) {
        this.i++;
        return out;
      }
      const k = this.parseAtom();
      if (k === NOT_LITERAL) return k;
      key = k;
    }
  }
}

function pyStr(v: Value): string {
  if (typeof v === 'string' && v.startsWith(PY_FLOAT_MARK)) return `${v.slice(PY_FLOAT_MARK.length)}.0`;
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  return String(v);
}

function parsePyNumber(text: string): number | null {
  const t = text.replace(/_/g, '');
  if (/[jJ]$/.test(t)) return null;
  if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
  const v = Number(t);
  return Number.isNaN(v) ? null : v;
}
