import type { Value } from '../../contracts/api.js';

/**
 * A YAML emitter that writes what DVC's ruamel.yaml dumper writes (block style, sequences not
 * indented under their key, single quotes when a plain scalar would change meaning, plain
 * scalars folded past column 80), so dvc.lock and .dvc files come out byte for byte as DVC's.
 */

/** A float whose value is integral (`1.0`): Python writes it with its fraction, JS numbers cannot tell. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type YamlNode = Value | PyFloat | YamlNode[] | { [key: string]: YamlNode };

const BEST_WIDTH = 80;

export function emitYaml(node: YamlNode): string {
  const lines: string[] = [];
  emitBlock(node, 0, lines, null);
  return lines.join('\n') + '\n';
}

function isMap(n: YamlNode): n is { [key: string]: YamlNode } {
  return typeof n === 'object' && n !== null && !Array.isArray(n) && !(n instanceof PyFloat);
}

function isEmptyCollection(n: YamlNode): boolean {
  return (Array.isArray(n) && n.length === 0) || (isMap(n) && Object.keys(n).length === 0);
}

/** Writes a mapping or sequence whose first line starts with `prefix` (e.g. "- ") when given. */
function emitBlock(node: YamlNode, indent: number, lines: string[], prefix: string | null): void {
  const pad = ' '.repeat(indent);
  let first = prefix !== null;
  const lead = (): string => {
    if (first) {
      first = false;
      return prefix ?? '';
    }
    return pad;
  };
  if (Array.isArray(node)) {
    for (const item of node) {
      if ((Array.isArray(item) || isMap(item)) && !isEmptyCollection(item)) {
        emitBlock(item, indent + 2, lines, `${lead()}- `);
      } else {
        const l = lead();
        lines.push(`${l}- ${scalar(item, indent + 2, l.length + 2)}`);
      }
    }
    return;
  }
  if (isMap(node)) {
    for (const [k, v] of Object.entries(node)) {
      const key = `${lead()}${scalar(k, indent, 0)}:`;
      if (Array.isArray(v) && v.length > 0) {
        lines.push(key);
        emitBlock(v, indent, lines, null);
      } else if (isMap(v) && Object.keys(v).length > 0) {
        lines.push(key);
        emitBlock(v, indent + 2, lines, null);
      } else lines.push(`${key} ${scalar(v, indent + 2, key.length + 1)}`);
    }
  }
}

function scalar(v: YamlNode, indent: number, column: number): string {
  if (v instanceof PyFloat) return pyFloat(v.value, true);
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v, false);
  if (Array.isArray(v)) return '[]';
  if (isMap(v)) return '{}';
  return str(v, indent, column);
}

/** Python's repr of a float, as ruamel's SafeRepresenter writes it (`.0` added before `e`). */
export function pyFloat(n: number, integral: boolean): string {
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
  const a = Math.abs(n);
  let s: string;
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m = '', e = '0'] = n.toExponential().split('e');
    const sign = e.startsWith('-') ? '-' : '+';
    s = `${m}e${sign}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
    if (!m.includes('.')) s = s.replace('e', '.0e');
  } else {
    s = String(n);
    if (integral && !s.includes('.')) s += '.0';
  }
  return s;
}

const RESERVED =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|=|<<)$/;
const NUMBER_LIKE =
  /^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)$/;

function needsQuotes(s: string): boolean {
  if (s === '' || RESERVED.test(s) || NUMBER_LIKE.test(s)) return true;
  if (/^[\s]|[\s]$/.test(s)) return true;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s) && !/^[-?:][^\s]/.test(s)) return true;
  if (/^[-?:]$/.test(s)) return true;
  if (/: |:$| #|[\n\r\t]/.test(s)) return true;
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufeff]/.test(s);
}

function str(s: string, indent: number, column: number): string {
  if (/[\n\r\t\\]/.test(s) && needsQuotes(s)) return JSON.stringify(s);
  const quoted = needsQuotes(s);
  const text = quoted ? `'${s.replace(/'/g, "''")}'` : s;
  return fold(text, indent, column);
}

/** ruamel breaks a plain or single-quoted scalar at a single space once past the line width. */
function fold(text: string, indent: number, column: number): string {
  if (column + text.length <= BEST_WIDTH || !text.includes(' ')) return text;
  let out = '';
  let col = column;
  const words = text.split(' ');
  words.forEach((w, i) => {
    if (i === 0) {
      out += w;
      col += w.length;
      return;
    }
    const prevEmpty = words[i - 1] === '';
    if (col > BEST_WIDTH && w !== '' && !prevEmpty) {
      out += '\n' + ' '.repeat(indent) + w;
      col = indent + w.length;
    } else {
      out += ' ' + w;
      col += 1 + w.length;
    }
  });
  return out;
}
