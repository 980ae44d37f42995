import { describe, expect, it } from 'vitest';
import {
  combinations,
  experimentCount,
  parseSetArg,
  parseSweep,
  rangeSize,
  splitTopLevel,
  sweepSize,
  sweepTexts,
  sweepTooLarge,
  type SetArg,
} from './overrides.js';

/** A small seeded generator (mulberry32), so a failing case is the same on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  return { next, int, pick };
}

/** A number as a person types it: an integer or a short decimal, maybe negative. */
function typedNumber(r: ReturnType<typeof rng>): string {
  const d = r.pick([0, 0, 1, 1, 2, 3]);
  const n = r.int(-400, 400) / 10 ** d;
  return String(n);
}

/** Any VALUE text the form or `-S` may get: ranges (good and bad), choices, lists, plain values. */
function anyValue(r: ReturnType<typeof rng>): string {
  switch (r.int(0, 5)) {
    case 0:
    case 1: {
      const args = [typedNumber(r), typedNumber(r)];
      if (r.next() < 0.8) args.push(r.pick(['0.1', '0.05', '-0.1', '0.25', '1', '-1', '2', '0.3', '0']));
      return `range(${args.join(r.pick([',', ', ']))})`;
    }
    case 2:
      return `choice(${Array.from({ length: r.int(0, 5) }, () => typedNumber(r)).join(',')})`;
    case 3:
      return Array.from({ length: r.int(2, 5) }, () =>
        r.pick(['a', '1', '[1,2]', '"x,y"', '{a: 1}', '']),
      ).join(',');
    default:
      return r.pick(['0.3', 'adam', '[1, 2]', '"a,b"', 'true', '']);
  }
}

describe('the override grammar', () => {
  it('counts choice, range and comma lists', () => {
    const size = (t: string) => {
      const p = parseSweep(t);
      return p.ok ? sweepSize(p.value) : p.error;
    };
    expect(size('choice(0.1, 0.2)')).toBe(2);
    expect(size('range(1,10,2)')).toBe(5);
    expect(size('range(0, 3)')).toBe(3);
    expect(size('0.1,0.2,0.3')).toBe(3);
    expect(size('0.1')).toBe(1);
    expect(size('[1, 2, 3]')).toBe(1);
    expect(size('"a,b"')).toBe(1);
    expect(size('[1,2],[3]')).toBe(2);
    expect(splitTopLevel('[1,2],{a: 1, b: 2}')).toEqual(['[1,2]', '{a: 1, b: 2}']);
  });

  it('excludes the stop of a range, with decimal steps counted exactly', () => {
    const texts = (t: string) => {
      const p = parseSweep(t);
      if (!p.ok) throw new Error(p.error);
      return sweepTexts(p.value);
    };
    // The server used to make 4 of this (0.4 included) while the form promised 3.
    expect(texts('range(0.1,0.4,0.1)')).toEqual(['0.1', '0.2', '0.3']);
    expect(texts('range(0,0.3,0.1)')).toEqual(['0', '0.1', '0.2']);
    expect(texts('range(0.7,1,0.1)')).toEqual(['0.7', '0.8', '0.9']);
    expect(texts('range(1,10,3)')).toEqual(['1', '4', '7']);
    expect(texts('range(10,0,-2.5)')).toEqual(['10', '7.5', '5', '2.5']);
    expect(texts('range(1e-3, 4e-3, 1e-3)')).toEqual(['0.001', '0.002', '0.003']);
    expect(rangeSize(0.1, 0.5, 0.1)).toBe(4);
    expect(rangeSize(10, 0, -2)).toBe(5);
    expect(rangeSize(0, 1, -1)).toBe(0);
  });

  it('refuses broken sweeps with a reason', () => {
    const error = (t: string) => {
      const p = parseSweep(t);
      return p.ok ? null : p.error;
    };
    expect(error('range(1)')).toBe('range(start, stop[, step]) takes two or three numbers');
    expect(error('range(1,5,0)')).toBe('range() step may not be 0');
    expect(error('range(5,1)')).toBe(
      'range(5, 1) yields no values (stop is excluded; a step of 1 never reaches it)',
    );
    expect(error('choice()')).toBe('choice() needs at least one value');
    expect(error('choice(1,,2)')).toBe('choice() has an empty value');
    expect(error('1,,2')).toBe('empty value in the list');
  });

  it('reads [FILE:]KEY=VALUE', () => {
    expect(parseSetArg('train.lr=0.1')).toEqual({
      ok: true,
      value: { file: 'params.yaml', key: 'train.lr', sweep: { kind: 'value', text: '0.1' } },
    });
    expect(parseSetArg('p.json:a.b=choice(1, 2)')).toEqual({
      ok: true,
      value: { file: 'p.json', key: 'a.b', sweep: { kind: 'list', texts: ['1', '2'] } },
    });
    expect(parseSetArg('novalue')).toEqual({ ok: false, error: '-S "novalue": expected [FILE:]KEY=VALUE' });
    expect(parseSetArg('a..b=1')).toEqual({ ok: false, error: '-S "a..b=1": invalid file or key' });
    expect(parseSetArg('x=range(1,5,0)')).toEqual({
      ok: false,
      error: '-S "x=range(1,5,0)": range() step may not be 0',
    });
  });

  it('measures a 4-million sweep without building it, and names its size', () => {
    const args = ['train.lr=range(0,2000)', 'train.l2=range(0,2000)'].map((a) => {
      const p = parseSetArg(a);
      if (!p.ok) throw new Error(p.error);
      return p.value;
    });
    // Counted, never built: a 1e300-value range below could not be expanded at all.
    const refused = sweepTooLarge(args);
    expect(refused).toBe('the sweep makes 4000000 experiments (train.lr 2000 × train.l2 2000); 1000 at most');
    const huge = parseSetArg('x=range(0,1e300)');
    if (!huge.ok) throw new Error(huge.error);
    expect(sweepTooLarge([huge.value, huge.value])).toBe(
      'the sweep makes more than 1e308 experiments (x 1e+300 × x 1e+300); 1000 at most',
    );
    expect(sweepTooLarge([huge.value])).toBe(
      'the sweep makes about 1.00e+300 experiments (x 1e+300); 1000 at most',
    );
    expect(sweepTooLarge(args.slice(0, 1), 2000)).toBeNull();
  });

  it("agrees with itself: the form's count is the server's expansion, for any input", () => {
    const r = rng(16);
    let sweeps = 0;
    for (let i = 0; i < 3000; i++) {
      const text = anyValue(r);
      const parsed = parseSweep(text);
      if (!parsed.ok) continue;
      const s = parsed.value;
      const texts = sweepTexts(s);
      expect(texts.length, text).toBe(sweepSize(s));
      if (s.kind !== 'range') continue;
      sweeps++;
      // Exclusive stop, every step taken, no duplicate or missing value.
      const dir = Math.sign(s.step);
      const bad = texts.findIndex(
        (t, j) => Number(t) * dir >= s.stop * dir || Math.abs(Number(t) - (s.start + j * s.step)) > 1e-9,
      );
      expect(bad, `${text}: value ${bad} is ${texts[bad]}`).toBe(-1);
      // The next step would reach or pass stop.
      expect((s.start + texts.length * s.step) * dir + 1e-9, text).toBeGreaterThanOrEqual(s.stop * dir);
      expect(new Set(texts).size, text).toBe(texts.length);
    }
    expect(sweeps).toBeGreaterThan(400);
  });

  it('agrees for whole requests: the product of sizes is the number of combinations', () => {
    const r = rng(12);
    for (let i = 0; i < 300; i++) {
      const args: SetArg[] = [];
      for (let k = r.int(0, 3); k > 0; k--) {
        const p = parseSetArg(`k${k}=${anyValue(r)}`);
        if (p.ok && sweepSize(p.value.sweep) <= 30) args.push(p.value);
      }
      const count = experimentCount(args.map((a) => sweepSize(a.sweep)));
      if (count > 2000) continue;
      const combos = combinations(args);
      expect(combos).toHaveLength(count);
      expect(sweepTooLarge(args, count)).toBeNull();
      if (count > 0) expect(sweepTooLarge(args, count - 1)).toContain(`makes ${count} experiments`);
    }
  });
});
