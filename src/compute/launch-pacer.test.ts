import { describe, expect, it } from 'vitest';
import { LaunchPacer } from './launch-pacer.js';

describe('LaunchPacer', () => {
  it('looks again only after the interval, or when more agents are wanted', async () => {
    const p = new LaunchPacer({ everyMs: 60_000, backoffMs: 60_000, maxBackoffMs: 60_000 });
    const asked: number[] = [];
    const ensure = async (n: number) => void asked.push(n);
    await p.run(1, ensure);
    await p.run(1, ensure);
    await p.run(2, ensure);
    await p.run(1, ensure);
    expect(asked).toEqual([1, 2]);
    p.reset();
    await p.run(1, ensure);
    expect(asked).toEqual([1, 2, 1]);
  });

  it('backs off after a failed launch and keeps reporting why', async () => {
    const p = new LaunchPacer({ everyMs: 0, backoffMs: 60_000, maxBackoffMs: 60_000 });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('InvalidAMIID.NotFound');
    };
    await expect(p.run(1, failing)).rejects.toThrow('InvalidAMIID');
    await expect(p.run(1, failing)).rejects.toThrow('InvalidAMIID');
    expect(calls).toBe(1);
    expect(p.error).toBeInstanceOf(Error);
  });

  it('joins a check already under way', async () => {
    const p = new LaunchPacer();
    let calls = 0;
    const slow = () => new Promise<void>((r) => setTimeout(() => r(void calls++), 50));
    await Promise.all([p.run(1, slow), p.run(3, slow)]);
    expect(calls).toBe(1);
  });
});
