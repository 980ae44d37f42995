import type { LogChunk, LogStream } from '../../../src/contracts/experiments.js';
import { parseAnsi, stripAnsi, type Style } from './ansi.js';

export interface LogLine {
  stream: LogStream;
  /** The line without its newline; may hold `\r` overwrites, see {@link visibleText}. */
  text: string;
  /** ANSI style carried over from the lines before. */
  start: Style;
  /** An error report (not DVC's progress, which goes to stderr too): painted red. */
  error?: boolean;
}

/** Words of an error report; DVC's "Running stage…", "> cmd", "Updating lock file" have none. */
const ERROR_WORDS = /(?:error|exception|traceback|fatal|failed|panic)\b/i;

/**
 * Whether a stderr line reports an error: it names one, or it is an indented line right after
 * one (a Python traceback's frames). Stdout and system lines never are.
 */
export function isErrorLine(stream: LogStream, text: string, prevError: boolean): boolean {
  if (stream !== 'stderr') return false;
  const shown = stripAnsi(text);
  return ERROR_WORDS.test(shown) || (prevError && /^\s+\S/.test(shown));
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
        const text = collapseCr(last.text + piece);
        const before = lines[lines.length - 2]?.error === true;
        lines[lines.length - 1] = { ...last, text, error: isErrorLine(last.stream, text, before) };
        return;
      }
      if (i === pieces.length - 1 && piece === '') return;
      const prev = lines[lines.length - 1];
      const start = prev ? parseAnsi(visibleText(prev), prev.start).end : {};
      const text = collapseCr(piece);
      lines.push({ stream: c.stream, text, start, error: isErrorLine(c.stream, text, prev?.error === true) });
    });
    open = !c.text.endsWith('\n');
  }
  return { lines, open, lastSeq: fresh[fresh.length - 1]?.seq ?? model.lastSeq };
}
