import { describe, expect, it } from 'vitest';
import { formatElapsed, progressLine, type ProgressStream } from './progress.js';

/** A terminal-like sink that keeps what was written. */
function sink(isTTY: boolean, columns?: number): ProgressStream & { out: string[] } {
  const out: string[] = [];
  return { out, isTTY, columns, write: (c: string) => out.push(c) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('progress line', () => {
  it('on a TTY draws the first state at once, then at most one state per interval, and ends with the summary', async () => {
    const s = sink(true);
    const line = progressLine({ stream: s, env: {}, intervalMs: 50 });
    expect(line.live).toBe(true);
    for (let i = 0; i <= 1000; i++) line.update(`pushing ${i}/1000 objects`);
    // a burst of updates draws once, not a thousand times
    expect(s.out).toEqual(['\r\x1b[2Kpushing 0/1000 objects · 0s']);
    await sleep(120);
    expect(s.out).toEqual([
      '\r\x1b[2Kpushing 0/1000 objects · 0s',
      '\r\x1b[2Kpushing 1000/1000 objects · 0s',
    ]);
    line.end('1000 file(s) pushed');
    line.end('again');
    expect(s.out.slice(2)).toEqual(['\r\x1b[2K', '1000 file(s) pushed\n']);
  });

  it('draws a new step at once when asked, between ticks', () => {
    const s = sink(true);
    const line = progressLine({ stream: s, env: {}, intervalMs: 10_000 });
    line.update('pulling…');
    line.update('pulling 0/40 objects · 0.0/3.4 GB', true);
    line.update('pulling 1/40 objects · 0.1/3.4 GB');
    line.end();
    expect(s.out).toEqual([
      '\r\x1b[2Kpulling… · 0s',
      '\r\x1b[2Kpulling 0/40 objects · 0.0/3.4 GB · 0s',
      '\r\x1b[2K',
    ]);
  });

  it('moves the elapsed time while the state stays, and fits the terminal width', async () => {
    const s = sink(true, 20);
    const line = progressLine({ stream: s, env: {}, intervalMs: 50 });
    line.update('pulling 0/1 objects · 0/3.4 GB');
    await sleep(1100);
    line.end();
    // cut to the width (the time past it), so not redrawn as the seconds go; cleared, no summary
    expect(s.out).toEqual(['\r\x1b[2Kpulling 0/1 object…', '\r\x1b[2K']);
    const wide = sink(true);
    const l2 = progressLine({ stream: wide, env: {}, intervalMs: 50 });
    l2.update('pulling 0/1 objects');
    await sleep(1100);
    l2.end();
    expect(wide.out).toEqual([
      '\r\x1b[2Kpulling 0/1 objects · 0s',
      '\r\x1b[2Kpulling 0/1 objects · 1s',
      '\r\x1b[2K',
    ]);
  });

  it('off a TTY, or quiet, draws nothing but the summary; KILN_PROGRESS overrides the TTY check', () => {
    for (const [isTTY, env, quiet, live] of [
      [false, {}, false, false],
      [true, {}, true, false],
      [false, { KILN_PROGRESS: 'always' }, false, true],
      [true, { KILN_PROGRESS: 'never' }, false, false],
    ] as const) {
      const s = sink(isTTY);
      const line = progressLine({ stream: s, env, quiet });
      line.update('pushing 1/2 objects');
      line.end('2 file(s) pushed');
      expect(line.live).toBe(live);
      expect(s.out.join('')).toBe(
        live ? '\r\x1b[2Kpushing 1/2 objects · 0s\r\x1b[2K2 file(s) pushed\n' : '2 file(s) pushed\n',
      );
    }
  });

  it('formats elapsed time in seconds, minutes and hours', () => {
    expect(formatElapsed(14_900)).toBe('14s');
    expect(formatElapsed(125_000)).toBe('2m05s');
    expect(formatElapsed(3_720_000)).toBe('1h02m');
  });
});
