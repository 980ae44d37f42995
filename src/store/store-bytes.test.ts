import { afterAll, describe, expect, it } from 'vitest';
import type { LogChunk } from '../contracts/experiments.js';
import type { Store } from './port.js';
import { suiteRequires } from '../../test/services.js';
import { adapters, queueEntry, queueProject } from '../../test/store-adapters.js';

/**
 * Run logs, stored files and pushed refs on both databases; on PostgreSQL two Stores on one
 * database append the same log at once, as two servers an agent switched between would.
 */
const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

const chunk = (seq: number, text = `line ${seq}\n`): LogChunk => ({ seq, stream: 'stdout', text });
const parts = async function* (...xs: string[]) {
  for (const x of xs) yield Buffer.from(x);
};
const readAll = async (it: AsyncIterable<Uint8Array> | null) => {
  if (!it) return null;
  const out: Buffer[] = [];
  for await (const p of it) out.push(Buffer.from(p));
  return Buffer.concat(out).toString();
};

for (const adapter of adapters) {
  describe(`Store conformance, run bytes: ${adapter.name}`, () => {
    if (adapter.needs) suiteRequires(adapter.needs);
    const open = async () => {
      const s = await adapter.open();
      opened.push(s);
      const now = new Date().toISOString();
      await s.createProject(queueProject(now));
      await s.experiments.insert([queueEntry(now, 'a', 'local', 'running', 0, 1)]);
      return s;
    };

    it('stores log chunks in order exactly once; a gap waits for the resend', async () => {
      const s = await open();
      expect(await s.logs.lastSeq('e-a')).toBe(0);
      expect(await s.logs.has('e-a')).toBe(false);
      expect(await s.logs.append('e-a', [chunk(2), chunk(1)])).toEqual({
        stored: [chunk(1), chunk(2)],
        lastSeq: 2,
      });
      // A resend of 2 with 3, and 5 after a gap: 3 is stored, 5 waits.
      expect(await s.logs.append('e-a', [chunk(2, 'again'), chunk(3), chunk(5)])).toEqual({
        stored: [chunk(3)],
        lastSeq: 3,
      });
      expect(await s.logs.append('e-a', [chunk(4), chunk(5)])).toMatchObject({ lastSeq: 5 });
      expect(await s.logs.read('e-a', 0, 100)).toEqual([1, 2, 3, 4, 5].map((n) => chunk(n)));
      expect(await s.logs.read('e-a', 3, 1)).toEqual([chunk(4)]);
      expect(await s.logs.has('e-a')).toBe(true);
      // The log goes with its experiment.
      expect(await s.deleteProject('q')).toBe(true);
      expect(await s.logs.read('e-a', 0, 100)).toEqual([]);
    });

    it('keeps files in parts, replaces them whole, removes them by prefix', async () => {
      const s = await open();
      expect(await s.files.get('uploads/q/x')).toBeNull();
      expect(await s.files.put('uploads/q/x', parts('ab', 'cd', 'e'))).toBe(5);
      expect(await s.files.exists('uploads/q/x')).toBe(true);
      expect(await readAll(await s.files.get('uploads/q/x'))).toBe('abcde');
      await s.files.put('uploads/q/x', parts('new'));
      expect(await readAll(await s.files.get('uploads/q/x'))).toBe('new');
      await s.files.put('uploads/q_other/y', parts('kept'));
      await s.files.removePrefix('uploads/q/');
      expect(await s.files.exists('uploads/q/x')).toBe(false);
      // `_` is no wildcard: a project whose name only looks alike keeps its files.
      expect(await readAll(await s.files.get('uploads/q_other/y'))).toBe('kept');
      // A put whose parts fail leaves nothing under the key.
      const failing = async function* () {
        yield Buffer.from('half');
        throw new Error('client went away');
      };
      await expect(s.files.put('uploads/q/z', failing())).rejects.toThrow('client went away');
      expect(await s.files.exists('uploads/q/z')).toBe(false);
    });

    it('keeps pushed refs with their bundles per project', async () => {
      const s = await open();
      const bundle = new Uint8Array([0, 1, 2, 255]);
      await s.gitRefs.put({ project: 'q', ref: 'refs/kiln/results/e-a', sha: 'a'.repeat(40), bundle });
      await s.gitRefs.put({ project: 'q', ref: 'refs/kiln/results/e-a', sha: 'b'.repeat(40), bundle });
      const [r] = await s.gitRefs.list('q');
      expect(r).toMatchObject({ ref: 'refs/kiln/results/e-a', sha: 'b'.repeat(40) });
      expect([...(r?.bundle ?? [])]).toEqual([0, 1, 2, 255]);
      await s.gitRefs.removeProject('q');
      expect(await s.gitRefs.list('q')).toEqual([]);
    });

    if (!adapter.reopen) return;
    const reopen = adapter.reopen;

    it('two servers appending the same log at once store every chunk exactly once', async () => {
      const a = await open();
      const b = await reopen(a);
      opened.push(b);
      const all = Array.from({ length: 60 }, (_, i) => chunk(i + 1));
      const stored: LogChunk[] = [];
      // An agent resends from its last acknowledged seq; here both servers get every batch.
      for (let i = 0; i < all.length; i += 6) {
        const batch = all.slice(0, i + 6);
        const [ra, rb] = await Promise.all([a.logs.append('e-a', batch), b.logs.append('e-a', batch)]);
        stored.push(...ra.stored, ...rb.stored);
      }
      expect(stored.map((c) => c.seq).sort((x, y) => x - y)).toEqual(all.map((c) => c.seq));
      expect(await b.logs.read('e-a', 0, 1000)).toEqual(all);
      expect(await a.logs.lastSeq('e-a')).toBe(60);
    });
  });
}
