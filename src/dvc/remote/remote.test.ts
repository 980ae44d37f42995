import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashState } from '../hash-state.js';
import { manifestJson, md5Text } from '../hash.js';
import { addToCache, checkout } from '../workspace.js';
import { LocalStore } from './local-store.js';
import { objectKey, type ObjectStore } from './object-store.js';
import { fetch, push, type TransferProgress } from './transfer.js';
import { S3Store } from './s3-store.js';

let s3: S3rver | undefined;
let s3Endpoint = '';
let s3Prefix = 0;
const s3Dir = mkdtempSync(join(tmpdir(), 'kiln-s3rver-'));
/** object key → how the server saw it created */
const created = new Map<string, string>();
beforeAll(async () => {
  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: s3Dir,
    configureBuckets: [{ name: 'bucket' }],
  });
  s3.on('event', (e) => {
    for (const rec of e.Records) created.set(rec.s3.object.key, rec.eventName);
  });
  const { port } = await s3.run();
  s3Endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await s3?.close();
});

/** Checks a transfer's reports: done counts never go back nor past fixed totals, and end at them. */
function expectProgress(reports: TransferProgress[]): TransferProgress {
  const last = reports.at(-1);
  if (last === undefined) throw new Error('no progress reported');
  for (const [i, p] of reports.entries()) {
    expect(p.objectsTotal).toBe(last.objectsTotal);
    expect(p.bytesTotal).toBe(last.bytesTotal);
    expect(p.objectsDone).toBeLessThanOrEqual(p.objectsTotal);
    const prev = reports[i - 1];
    if (prev) {
      // an object done, or bytes of one under way
      expect(p.objectsDone - prev.objectsDone).toBeOneOf([0, 1]);
      expect(p.bytesDone).toBeGreaterThanOrEqual(prev.bytesDone);
      if (p.objectsDone === prev.objectsDone) expect(p.bytesDone).toBeGreaterThan(prev.bytesDone);
    }
    if (p.bytesTotal !== undefined) expect(p.bytesDone).toBeLessThanOrEqual(p.bytesTotal);
  }
  expect(last.objectsDone).toBe(last.objectsTotal);
  return last;
}

/** Whether some bytes of the one large object were reported before it was done: a chunk of more than 1000 bytes (the others are smaller) and less than `size`. */
function movedWithin(reports: TransferProgress[], size: number): boolean {
  return reports.some((p, i) => {
    const prev = reports[i - 1];
    const chunk = p.bytesDone - (prev?.bytesDone ?? 0);
    return prev !== undefined && p.objectsDone === prev.objectsDone && chunk > 1000 && chunk < size;
  });
}

/** Every remote kind must pass these; S3 joins the list when it lands. */
const REMOTES: Array<{ name: string; make: () => ObjectStore }> = [
  { name: 'local directory', make: () => new LocalStore(mkdtempSync(join(tmpdir(), 'kiln-remote-'))) },
  {
    name: 'S3 (s3rver, an S3-compatible server from npm)',
    make: () =>
      new S3Store({
        url: `s3://bucket/run-${++s3Prefix}`,
        endpointUrl: s3Endpoint,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      }),
  },
  {
    name: 'S3 in parts (s3rver, multipart uploads of 1 MiB parts)',
    make: () =>
      new S3Store({
        url: `s3://bucket/run-${++s3Prefix}`,
        endpointUrl: s3Endpoint,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        multipartThreshold: 1024 * 1024,
        partSize: 1024 * 1024,
      }),
  },
];

for (const r of REMOTES) {
  describe(`remote conformance: ${r.name}`, () => {
    it('pushes a file and a directory, fetches them into a fresh cache, and checks them out', async () => {
      const ws = mkdtempSync(join(tmpdir(), 'kiln-ws-'));
      mkdirSync(join(ws, 'data', 'sub'), { recursive: true });
      writeFileSync(join(ws, 'data', 'a.txt'), 'alpha');
      writeFileSync(join(ws, 'data', 'sub', 'b.txt'), 'beta');
      writeFileSync(join(ws, 'model.bin'), Buffer.alloc(2_500_000, 3));
      const state = await HashState.open(join(ws, '.dvc', 'tmp', 'state.json'));
      const cache = new LocalStore(join(ws, '.dvc', 'cache'));
      const dir = await addToCache(cache, join(ws, 'data'), state);
      const file = await addToCache(cache, join(ws, 'model.bin'), state);
      if (dir === undefined || file === undefined) throw new Error('not added');
      expect(dir.nfiles).toBe(2);
      expect(dir.md5).toMatch(/\.dir$/);

      const remote = r.make();
      const pushing: TransferProgress[] = [];
      const pushed = await push(cache, remote, [dir.md5, file.md5], { onProgress: (p) => pushing.push(p) });
      expect(pushed.transferred.sort()).toHaveLength(4);
      // the totals first, then reports as bytes go and objects end; bytes are the cache files' (the manifest's too)
      const manifestBytes = (await cache.size(dir.md5)) ?? 0;
      expect(pushing[0]).toEqual({
        objectsDone: 0,
        objectsTotal: 4,
        bytesDone: 0,
        bytesTotal: 2_500_009 + manifestBytes,
      });
      expect(expectProgress(pushing)).toEqual({
        objectsDone: 4,
        objectsTotal: 4,
        bytesDone: 2_500_009 + manifestBytes,
        bytesTotal: 2_500_009 + manifestBytes,
      });
      // the 2.5 MB file's bytes show as they go, not only once it is up
      expect(movedWithin(pushing, 2_500_000)).toBe(true);
      expect(pushed.missing).toEqual([]);
      expect((await push(cache, remote, [dir.md5, file.md5])).transferred).toEqual([]);
      if (r.name.includes('in parts')) {
        // the 2.5 MB file went up as a multipart upload (completed by a POST), the small ones as PUTs
        expect(created.get(`run-${s3Prefix}/${objectKey(file.md5)}`)).toBe('ObjectCreated:Post');
        expect(created.get(`run-${s3Prefix}/${objectKey(dir.md5)}`)).toBe('ObjectCreated:Put');
      }

      const ws2 = mkdtempSync(join(tmpdir(), 'kiln-ws2-'));
      const cache2 = new LocalStore(join(ws2, '.dvc', 'cache'));
      const fetching: TransferProgress[] = [];
      const fetched = await fetch(remote, cache2, [dir.md5, file.md5, 'ffffffffffffffffffffffffffffffff'], {
        onProgress: (p) => fetching.push(p),
      });
      expect(fetched.transferred).toHaveLength(4);
      // without recorded sizes there is no byte total, but the bytes done come from the remote's sizes
      expect(expectProgress(fetching)).toEqual({
        objectsDone: 5,
        objectsTotal: 5,
        bytesDone: 2_500_009,
        bytesTotal: undefined,
      });
      expect(movedWithin(fetching, 2_500_000)).toBe(true);
      expect(fetched.missing).toEqual(['ffffffffffffffffffffffffffffffff']);
      await checkout(cache2, dir.md5, join(ws2, 'data'));
      await checkout(cache2, file.md5, join(ws2, 'model.bin'));
      expect(readFileSync(join(ws2, 'data', 'sub', 'b.txt'), 'utf8')).toBe('beta');
      expect(readFileSync(join(ws2, 'model.bin')).length).toBe(2_500_000);
      expect(readFileSync(join(ws2, 'model.bin')).equals(Buffer.alloc(2_500_000, 3))).toBe(true);
    });

    it('refuses an object whose content does not match its hash', async () => {
      const remote = r.make();
      const src = join(mkdtempSync(join(tmpdir(), 'kiln-bad-')), 'f');
      await writeFile(src, 'hello');
      await expect(remote.upload('00000000000000000000000000000000', src)).rejects.toThrow(/corrupt/);
      expect(await remote.has('00000000000000000000000000000000')).toBe(false);
      const big = join(mkdtempSync(join(tmpdir(), 'kiln-bad-')), 'big');
      await writeFile(big, Buffer.alloc(2_500_000, 7));
      await expect(remote.upload('11111111111111111111111111111111', big)).rejects.toThrow(/corrupt/);
      expect(await remote.has('11111111111111111111111111111111')).toBe(false);
      if (remote instanceof LocalStore) {
        const good = '5d41402abc4b2a76b9719d911017c592';
        await remote.upload(good, src);
        await chmod(remote.pathOf(good), 0o644);
        await writeFile(remote.pathOf(good), 'tampered');
        const cache = new LocalStore(mkdtempSync(join(tmpdir(), 'kiln-c-')));
        await expect(fetch(remote, cache, [good])).rejects.toThrow(/corrupt/);
        expect(await cache.has(good)).toBe(false);
      }
    });
  });
}

describe('transfer progress', () => {
  it('counts what is already there, and totals a pull by the recorded sizes, a file in two places counted twice', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'kiln-prog-'));
    mkdirSync(join(ws, 'data'));
    writeFileSync(join(ws, 'data', 'a.txt'), 'same content');
    writeFileSync(join(ws, 'data', 'b.txt'), 'same content');
    writeFileSync(join(ws, 'data', 'empty'), '');
    writeFileSync(join(ws, 'data', 'c.bin'), Buffer.alloc(300_000, 1));
    writeFileSync(join(ws, 'model.bin'), Buffer.alloc(100_000, 2));
    const state = await HashState.open(join(ws, '.dvc', 'tmp', 'state.json'));
    const cache = new LocalStore(join(ws, '.dvc', 'cache'));
    const dir = await addToCache(cache, join(ws, 'data'), state);
    const file = await addToCache(cache, join(ws, 'model.bin'), state);
    if (dir === undefined || file === undefined) throw new Error('not added');
    expect(dir.size).toBe(300_024);

    // the model is on the remote already: skipped, yet counted, so the bar still ends full
    const remote = new LocalStore(mkdtempSync(join(tmpdir(), 'kiln-prog-remote-')));
    await push(cache, remote, [file.md5]);
    const pushing: TransferProgress[] = [];
    const pushed = await push(cache, remote, [dir.md5, file.md5], { onProgress: (p) => pushing.push(p) });
    expect(pushed.skipped).toEqual([file.md5]);
    const manifestBytes = (await cache.size(dir.md5)) ?? 0;
    const stored = 12 + 0 + 300_000 + 100_000 + manifestBytes;
    expect(expectProgress(pushing)).toEqual({
      objectsDone: 5,
      objectsTotal: 5,
      bytesDone: stored,
      bytesTotal: stored,
    });

    // a cache holding one of the files already; the sizes as dvc.lock records them
    const cache2 = new LocalStore(mkdtempSync(join(tmpdir(), 'kiln-prog-cache-')));
    await fetch(remote, cache2, [file.md5]);
    const sizes = new Map([
      [dir.md5, dir.size],
      [file.md5, file.size],
    ]);
    const fetching: TransferProgress[] = [];
    const fetched = await fetch(remote, cache2, [dir.md5, file.md5], {
      sizes,
      onProgress: (p) => fetching.push(p),
    });
    expect(fetched.skipped).toEqual([file.md5]);
    expect(fetched.transferred).toHaveLength(4);
    // the manifest comes first, before the totals are known; then one report per object
    expect(fetching[0]).toEqual({ objectsDone: 1, objectsTotal: 5, bytesDone: 0, bytesTotal: 400_024 });
    expect(expectProgress(fetching)).toEqual({
      objectsDone: 5,
      objectsTotal: 5,
      bytesDone: 400_024,
      bytesTotal: 400_024,
    });
  });
});

describe('reading tracked files for the table', () => {
  it('reads within the cap, marks larger files, and finds files inside a tracked directory', async () => {
    const { readTrackedText } = await import('./read-object.js');
    const ws = mkdtempSync(join(tmpdir(), 'kiln-read-'));
    mkdirSync(join(ws, 'm'));
    writeFileSync(join(ws, 'm', 'metrics.json'), '{"acc": 0.9}');
    writeFileSync(join(ws, 'm', 'big.json'), 'x'.repeat(5000));
    const cache = new LocalStore(join(ws, 'cache'));
    const dir = await addToCache(cache, join(ws, 'm'), await HashState.open(join(ws, 's.json')));
    if (dir === undefined) throw new Error('not added');
    expect(await readTrackedText(cache, dir.md5, 1000, 'metrics.json')).toEqual({
      kind: 'text',
      text: '{"acc": 0.9}',
    });
    expect(await readTrackedText(cache, dir.md5, 1000, 'big.json')).toEqual({
      kind: 'too-large',
      size: 5000,
    });
    expect(await readTrackedText(cache, dir.md5, 1000, 'nope.json')).toEqual({ kind: 'missing' });
    expect(await readTrackedText(cache, '0123456789abcdef0123456789abcdef', 1000)).toEqual({
      kind: 'missing',
    });
  });
});

describe('store identity and manifests', () => {
  it('a tampered .dir manifest is refused, naming the object and the remote', async () => {
    const { readTrackedDir, readTrackedText } = await import('./read-object.js');
    const ws = mkdtempSync(join(tmpdir(), 'kiln-manifest-'));
    mkdirSync(join(ws, 'm'));
    writeFileSync(join(ws, 'm', 'metrics.json'), '{"acc": 0.9}');
    writeFileSync(join(ws, 'm', 'forged.json'), '{"acc": 1.0}');
    const cache = new LocalStore(join(ws, 'cache'), "remote 'store' (../store)");
    const dir = await addToCache(cache, join(ws, 'm'), await HashState.open(join(ws, 's.json')));
    if (dir === undefined) throw new Error('not added');
    expect(await readTrackedDir(cache, dir.md5)).toHaveLength(2);
    // the manifest rewritten to send metrics.json to another (genuine) object
    const at = cache.pathOf(dir.md5);
    await chmod(at, 0o644);
    await writeFile(at, manifestJson([{ md5: md5Text('{"acc": 1.0}'), relpath: 'metrics.json' }]));
    const refused = new RegExp(
      `^object ${dir.md5} from remote 'store' \\(\\.\\./store\\) is corrupt: its content hashes to [0-9a-f]{32}$`,
    );
    await expect(readTrackedDir(cache, dir.md5)).rejects.toThrow(refused);
    await expect(readTrackedText(cache, dir.md5, 1000, 'metrics.json')).rejects.toThrow(refused);
  });

  it('stores sharing a label have distinct ids; the same store has one id however it is opened', async () => {
    const { LazyS3Store } = await import('./lazy-s3-store.js');
    const url = 's3://bucket/team/dvc';
    const onMinio = new S3Store({ url, endpointUrl: 'http://minio.local:9000' });
    const onAws = new S3Store({ url, region: 'eu-west-1' });
    const keys = { accessKeyId: 'AKIA1', secretAccessKey: 'secret-one' };
    const withKeys = new S3Store({ url, endpointUrl: 'http://minio.local:9000', credentials: keys });
    try {
      expect(onMinio.label).toBe(onAws.label);
      expect(new Set([onMinio.id, onAws.id, withKeys.id]).size).toBe(3);
      expect(onMinio.id).not.toBe(
        new S3Store({ url: 's3://bucket/team', endpointUrl: 'http://minio.local:9000' }).id,
      );
      // the lazy store (what a project's .dvc/config opens) agrees with the store it opens
      const lazy = new LazyS3Store(url, { endpointurl: 'http://minio.local:9000' }, keys);
      expect(lazy.id).toBe(withKeys.id);
      // a secret is never part of the id, only a hash of it
      expect(withKeys.id).not.toContain('secret-one');
      expect(withKeys.id).not.toContain('AKIA1');
    } finally {
      onMinio.close();
      onAws.close();
      withKeys.close();
    }
    const ws = mkdtempSync(join(tmpdir(), 'kiln-store-id-'));
    const local = new LocalStore(join(ws, 'a', '..', 'store'), "remote 'store' (../store)");
    expect(local.id).toBe(new LocalStore(join(ws, 'store')).id);
    expect(local.id).not.toBe(new LocalStore(join(ws, 'b', 'store'), "remote 'store' (../store)").id);
  });
});

describe('object names from repositories', () => {
  it('refuses anything but an md5 as an object name, so a dvc.lock cannot reach a file outside the remote', async () => {
    const { readTrackedText } = await import('./read-object.js');
    const { parseManifest } = await import('./transfer.js');
    const ws = mkdtempSync(join(tmpdir(), 'kiln-oid-'));
    writeFileSync(join(ws, 'secret.txt'), 'root:x:0:0');
    const remote = new LocalStore(join(ws, 'remote'));
    // `files/md5/..` + `/../../secret.txt` would be the secret beside the remote.
    const escape = '../../../secret.txt';
    expect(() => objectKey(escape)).toThrow(/not a DVC object name/);
    await expect(readTrackedText(remote, escape, 1000)).rejects.toThrow(/not a DVC object name/);
    expect(objectKey('0123456789abcdef0123456789abcdef.dir')).toBe(
      'files/md5/01/23456789abcdef0123456789abcdef.dir',
    );
    expect(() => parseManifest('[{"md5": "../../x", "relpath": "a"}]')).toThrow(/32 hex digits/);
    const { parseDvcLock } = await import('../../core/dvc/dvc-lock.js');
    const lock = parseDvcLock(
      'schema: "2.0"\nstages:\n  s:\n    cmd: x\n    outs:\n    - path: m.json\n      md5: ../../../etc/passwd\n',
    );
    expect(lock.ok).toBe(false);
    if (!lock.ok) expect(lock.error).toMatch(/md5 must be 32 hex digits/);
  });
});
