import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlotsResponse, type PlotSource } from '../../contracts/live.js';
import { manifestJson, md5Text } from '../../dvc/hash.js';
import { objectKey } from '../../dvc/remote/object-store.js';
import { git } from '../../git/run-git.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { RepoReader } from '../table/repo-reader.js';
import { PlotsReader } from './plots.js';

const MiB = 1024 * 1024;
const png = (n: number) => Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), randomBytes(n - 8)]);

let s: TestServer;
let tmp = '';
let work = '';
let store = '';
/** 17 images of 1 MiB (the remote cap) in a directory kept in DVC: a MiB past the per-commit budget. */
let kept = '';
const keptImages: Record<string, Buffer> = {};
/** commits whose three 4000-byte images are in Git */
const inGit: Array<{ sha: string; images: Record<string, Buffer> }> = [];

async function commit(message: string): Promise<string> {
  await git(['add', '-A'], { cwd: work });
  await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', message], { cwd: work });
  return (await git(['rev-parse', 'HEAD'], { cwd: work })).trim();
}

async function put(oid: string, bytes: Buffer | string): Promise<void> {
  const file = path.join(store, objectKey(oid));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'kiln-plots-budget-'));
  work = path.join(tmp, 'work');
  store = path.join(tmp, 'dvc-store');
  await mkdir(path.join(work, '.dvc'), { recursive: true });
  await writeFile(
    path.join(work, '.dvc', 'config'),
    `[core]\n    remote = store\n['remote "store"']\n    url = ${store}\n`,
  );
  await writeFile(
    path.join(work, 'dvc.yaml'),
    'stages:\n  draw:\n    cmd: python3 draw.py\n    plots: [images]\n',
  );
  const entries = [];
  for (let i = 0; i < 17; i++) {
    const relpath = `img-${String(i).padStart(2, '0')}.png`;
    const bytes = png(MiB);
    keptImages[`images/${relpath}`] = bytes;
    entries.push({ md5: md5Text(bytes), relpath });
    await put(md5Text(bytes), bytes);
  }
  const manifest = manifestJson(entries);
  await put(`${md5Text(manifest)}.dir`, manifest);
  await writeFile(
    path.join(work, 'dvc.lock'),
    `schema: '2.0'\nstages:\n  draw:\n    cmd: python3 draw.py\n    outs:\n    - path: images\n      md5: ${md5Text(manifest)}.dir\n`,
  );
  await git(['init', '--quiet', '-b', 'main'], { cwd: work });
  kept = await commit('a directory of images kept in DVC');

  await rm(path.join(work, 'dvc.lock'));
  await writeFile(path.join(work, 'dvc.yaml'), 'plots:\n  - shots\n');
  await mkdir(path.join(work, 'shots'));
  for (let c = 0; c < 4; c++) {
    const images: Record<string, Buffer> = {};
    for (const name of ['a.png', 'b.png', 'c.png']) {
      images[`shots/${name}`] = png(4000);
      await writeFile(path.join(work, 'shots', name), images[`shots/${name}`] ?? '');
    }
    inGit.push({ sha: await commit(`images in Git, ${c}`), images });
  }
  const bare = path.join(tmp, 'repo.git');
  await git(['clone', '--quiet', '--bare', work, bare], { cwd: tmp });
  s = await startTestServer();
  await s.addProject('budget', bare);
}, 120_000);
afterAll(async () => {
  await s?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("a commit's plot images and the plots cache are bounded in bytes", () => {
  it('a DVC-kept image directory past the 16 MiB budget shows its first images and names the rest as skipped', async () => {
    const r = await s.api('GET', `/api/projects/budget/plots?rev=${kept}`);
    expect(r.status, JSON.stringify(r.json).slice(0, 500)).toBe(200);
    const src: PlotSource | undefined = PlotsResponse.parse(r.json).sources[0];
    const shown = src?.images.map((i) => i.path) ?? [];
    expect(shown).toEqual(Object.keys(keptImages).slice(0, 16));
    for (const i of src?.images ?? []) expect(i.base64).toBe(keptImages[i.path]?.toString('base64'));
    expect(src?.errors).toEqual({
      'images/img-16.png': `skipped: over the plots' image budget of 16 MiB per commit (this image is ${MiB} bytes; the images before it take ${16 * MiB})`,
    });
    // its definition stays, so the pane shows the marker where the image would be
    expect(src?.definitions.flatMap((d) => d.files)).toContain('images/img-16.png');
  }, 60_000);

  it('images in Git count against the budget too, and the cache of commits stays within its byte bound', async () => {
    const reader = new PlotsReader(s.store, s.live.service, new RepoReader(s.store, s.projects), {
      imageBytesPerCommit: 10_000,
      cacheBytes: 30_000,
    });
    for (const c of inGit) {
      const got = await reader.commit('budget', null, c.sha);
      // two 4000-byte images fit in 10,000 bytes; the third is named
      expect(got.images.map((i) => [i.path, i.base64])).toEqual([
        ['shots/a.png', c.images['shots/a.png']?.toString('base64')],
        ['shots/b.png', c.images['shots/b.png']?.toString('base64')],
      ]);
      expect(got.errors).toEqual({
        'shots/c.png':
          "skipped: over the plots' image budget of 10000 bytes per commit (this image is 4000 bytes; the images before it take 8000)",
      });
      const held = reader.cachedBytes;
      expect(held.bytes).toBeLessThanOrEqual(30_000);
      expect(held.bytes).toBeGreaterThan(0);
    }
    // each commit holds ~11 kB of base64: four of them do not all fit in 30 kB
    expect(reader.cachedBytes.commits).toBe(2);
    // a commit dropped from the cache is read again, the same
    const first = await reader.commit('budget', null, inGit[0]?.sha ?? '');
    expect(first.images.map((i) => i.base64)).toEqual([
      inGit[0]?.images['shots/a.png']?.toString('base64'),
      inGit[0]?.images['shots/b.png']?.toString('base64'),
    ]);
    expect(reader.cachedBytes.bytes).toBeLessThanOrEqual(30_000);
  });
});
