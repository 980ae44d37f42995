import type { LogChunk, LogStream } from '../../../src/contracts/experiments.js';
import { parseAnsi, type Style } from './ansi.js';

export interface LogLine {
  stream: LogStream;
  /** The line without its newline; may hold `\r` overwrites, see {@link visibleText}. */
  text: string;
  /** ANSI style carried over from the lines before. */
  start: Style;
}

export interface LogModel {
  lines: LogLine[];
  /** True when the last line has not ended with a newline yet. */
  open: boolean;
  lastSeq: number;
}

export const emptyLog: LogModel = { lines: [], open: false, lastSeq: 0 };

/** Progress bars rewrite a line with `\r`: keep only from the last rewrite that shows something. */
function collapseCr(s: string): string {
  if (!s.includes('\r')) return s;
  const parts = s.split('\r');
  let i = parts.length - 1;
  while (i > 0 && parts[i] === '') i--;
  return parts.slice(i).join('\r');
}

/** What a line shows: its last non-empty `\r` rewrite. */
export function visibleText(line: LogLine): string {
  const parts = line.text.split('\r').filter((p) => p !== '');
  return parts[parts.length - 1] ?? '';
}

/** Appends chunks in sequence order; chunks at or below `lastSeq` (resent after a reconnect) are skipped. */
export function appendChunks(model: LogModel, chunks: readonly LogChunk[]): LogModel {
  const fresh = chunks.filter((c) => c.seq > model.lastSeq).sort((a, b) => a.seq - b.seq);
  if (fresh.length === 0) return model;
  const lines = model.lines.slice();
  let open = model.open;
  for (const c of fresh) {
    const pieces = c.text.replace(/\r\n/g, '\n').split('\n');
    pieces.forEach((piece, i) => {
      const last = lines[lines.length - 1];
      if (i === 0 && open && last) {
        lines[lines.length - 1] = { ...last, text: collapseCr(last.text + piece) };
        return;
      }
      if (i === pieces.length - 1 && piece === '') return;
      const prev = lines[lines.length - 1];
      const start = prev ? parseAnsi(visibleText(prev), prev.start).end : {};
      lines.push({ stream: c.stream, text: collapseCr(piece), start });
    });
    open = !c.text.endsWith('\n');
  }
  return { lines, open, lastSeq: fresh[fresh.length - 1]?.seq ?? model.lastSeq };
}
