/** ANSI SGR colours for a dark log panel; other escape sequences (cursor moves, erase) are dropped. */
export interface Style {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
}
export interface Segment {
  text: string;
  style: Style;
}

const BASE = ['#3f3f46', '#f87171', '#4ade80', '#facc15', '#60a5fa', '#e879f9', '#22d3ee', '#e4e4e7'];
const BRIGHT = ['#71717a', '#fca5a5', '#86efac', '#fde047', '#93c5fd', '#f0abfc', '#67e8f9', '#ffffff'];

function color256(n: number): string | undefined {
  if (n < 8) return BASE[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n < 232) {
    const v = n - 16;
    const c = (x: number) => (x === 0 ? 0 : 55 + x * 40);
    return `rgb(${String(c(Math.floor(v / 36)))},${String(c(Math.floor(v / 6) % 6))},${String(c(v % 6))})`;
  }
  if (n < 256) {
    const g = 8 + (n - 232) * 10;
    return `rgb(${String(g)},${String(g)},${String(g)})`;
  }
  return undefined;
}

/** Applies one SGR parameter list to a style. */
export function applySgr(style: Style, codes: number[]): Style {
  let s: Style = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] ?? 0;
    if (c === 0) s = {};
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 22) s = { ...s, bold: undefined, dim: undefined };
    else if (c === 23) s.italic = undefined;
    else if (c === 24) s.underline = undefined;
    else if (c >= 30 && c <= 37) s.fg = BASE[c - 30];
    else if (c >= 90 && c <= 97) s.fg = BRIGHT[c - 90];
    else if (c >= 40 && c <= 47) s.bg = BASE[c - 40];
    else if (c >= 100 && c <= 107) s.bg = BRIGHT[c - 100];
    else if (c === 39) s.fg = undefined;
    else if (c === 49) s.bg = undefined;
    else if (c === 38 || c === 48) {
      const key = c === 38 ? 'fg' : 'bg';
      if (codes[i + 1] === 5) {
        s[key] = color256(codes[i + 2] ?? 0);
        i += 2;
      } else if (codes[i + 1] === 2) {
        s[key] =
          `rgb(${String(codes[i + 2] ?? 0)},${String(codes[i + 3] ?? 0)},${String(codes[i + 4] ?? 0)})`;
        i += 4;
      }
    }
  }
  return s;
}

// CSI sequences (ESC [ params letter), OSC sequences (ESC ] … BEL or ESC \\) and charset switches.
const ESCAPE = new RegExp(
  String.raw`\u001b\[([0-9;?]*)([A-Za-z])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[()][A-Za-z0-9]?`,
  'g',
);

export function parseAnsi(text: string, start: Style = {}): { segments: Segment[]; end: Style } {
  const segments: Segment[] = [];
  let style = start;
  let last = 0;
  const push = (t: string) => {
    if (t !== '') segments.push({ text: t, style });
  };
  for (const m of text.matchAll(ESCAPE)) {
    push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] === 'm') {
      const codes = (m[1] ?? '').split(';').map((x) => (x === '' ? 0 : Number(x)));
      style = applySgr(style, codes);
    }
  }
  push(text.slice(last));
  return { segments, end: style };
}

export const stripAnsi = (text: string): string => text.replace(ESCAPE, '');
