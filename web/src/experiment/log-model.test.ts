import { describe, expect, it } from 'vitest';
import { parseAnsi, stripAnsi } from './ansi.js';
import { appendChunks, emptyLog, visibleText } from './log-model.js';

describe('log model', () => {
  it('joins chunks split mid-line, keeps order, drops resent chunks', () => {
    let m = appendChunks(emptyLog, [
      { seq: 2, stream: 'stderr', text: 'warn\n' },
      { seq: 1, stream: 'stdout', text: 'epoch 1 lo' },
    ]);
    m = appendChunks(m, [{ seq: 2, stream: 'stderr', text: 'warn\n' }]);
    expect(m.lines.map(visibleText)).toEqual(['epoch 1 lowarn']);
    m = appendChunks(m, [{ seq: 3, stream: 'stdout', text: 'done\r\nnext\n' }]);
    expect(m.lines.map(visibleText)).toEqual(['epoch 1 lowarn', 'done', 'next']);
    expect(m.lastSeq).toBe(3);
    expect(m.open).toBe(false);
  });
  it('shows the last carriage-return rewrite of a progress bar', () => {
    const m = appendChunks(emptyLog, [
      { seq: 1, stream: 'stderr', text: '\r 10%' },
      { seq: 2, stream: 'stderr', text: '\r 50%\r' },
    ]);
    expect(m.lines.map(visibleText)).toEqual([' 50%']);
  });
  it('parses SGR colours and carries style across lines', () => {
    const m = appendChunks(emptyLog, [
      { seq: 1, stream: 'stdout', text: '\u001b[1;31mred\nstill\u001b[0m plain\n' },
    ]);
    expect(m.lines[1]?.start).toEqual({ bold: true, fg: '#f87171' });
    const { segments } = parseAnsi('\u001b[32mok\u001b[39m \u001b[38;5;196mx\u001b[K');
    expect(segments.map((s) => [s.text, s.style.fg])).toEqual([
      ['ok', '#4ade80'],
      [' ', undefined],
      ['x', 'rgb(255,0,0)'],
    ]);
    expect(stripAnsi('\u001b[1mbold\u001b[0m')).toBe('bold');
  });
  it('marks stderr error reports, not DVC progress on stderr', () => {
    const err = (text: string) => ({ seq: 0, stream: 'stderr' as const, text });
    const m = appendChunks(
      emptyLog,
      [
        "Running stage 'train' (params changed):\n",
        '> python3 train.py\n',
        'Updating lock file\n',
        'Traceback (most recent call last):\n',
        '  File "train.py", line 3, in <module>\n',
        'ValueError: lr must be positive\n',
        "ERROR: failed to reproduce 'train'\n",
      ].map((t, i) => ({ ...err(t), seq: i + 1 })),
    );
    expect(m.lines.map((l) => l.error)).toEqual([false, false, false, true, true, true, true]);
    const out = appendChunks(emptyLog, [{ seq: 1, stream: 'stdout', text: 'error rate 0.1\n' }]);
    expect(out.lines[0]?.error).toBe(false);
  });
});
