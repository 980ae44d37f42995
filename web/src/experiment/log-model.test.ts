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
});
