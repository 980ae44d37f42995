import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestJson, md5Text } from '../../dvc/hash.js';
import { objectKey } from '../../dvc/remote/object-store.js';
import { git } from '../../git/run-git.js';
import { readRemoteMetrics, type RemoteFilesAt } from './remote-files.js';

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'kiln-remote-files-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** What a commit's dvc.lock names: `score.json` as a file object, `eval/` as a tracked directory. */
interface Locked {
  score: string;
  evalDir: string;
}

/**
 * A project (its own Git repository) whose default remote is `../../store` as written in
 * `.dvc/config`: every project made here has the remote label `remote 'store' (../../store)`,
 * each resolving to its own directory beside it.
 */
async function makeProject(name: string, locked: Locked): Promise<{ at: RemoteFilesAt; store: string }> {
  const dir = path.join(tmp, name);
  const work = path.join(dir, 'work');
  await mkdir(path.join(work, '.dvc'), { recursive: true });
  await writeFile(
    path.join(work, '.dvc', 'config'),
    `[core]\n    remote = store\n['remote "store"']\n    url = ../../store\n`,
  );
  await writeFile(
    path.join(work, 'dvc.yaml'),
    'stages:\n  eval:\n    cmd: python3 eval.py\n    outs: [eval]\n    metrics: [score.json]\nmetrics: [eval/m.json]\n',
  );
  await writeFile(
    path.join(work, 'dvc.lock'),
    [
      "schema: '2.0'",
      'stages:',
      '  eval:',
      '    cmd: python3 eval.py',
      '    outs:',
      '    - path: score.json',
      `      md5: ${locked.score}`,
      '    - path: eval',
      `      md5: ${locked.evalDir}`,
      '',
    ].join('\n'),
  );
  await git(['init', '--quiet', '-b', 'main'], { cwd: work });
  await git(['add', '.'], { cwd: work });
  await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', name], { cwd: work });
  const sha = (await git(['rev-parse', 'HEAD'], { cwd: work })).trim();
  const store = path.join(dir, 'store');
  await mkdir(store, { recursive: true });
  return { at: { mirror: work, sha, subdir: '', source: work, maxBytes: 100_000 }, store };
}

/** Puts `text` in a DVC remote under `oid` as DVC lays it out. */
async function put(store: string, oid: string, text: string): Promise<void> {
  const file = path.join(store, objectKey(oid));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** Objects of one pipeline result: a score file and a directory holding m.json; unique per call. */
function result(acc: number) {
  const nonce = randomBytes(8).toString('hex');
  const score = `{"score": ${acc}, "run": "${nonce}"}`;
  const m = `{"acc": ${acc}, "run": "${nonce}"}`;
  const manifest = manifestJson([{ md5: md5Text(m), relpath: 'm.json' }]);
  return {
    locked: { score: md5Text(score), evalDir: `${md5Text(manifest)}.dir` },
    objects: { [md5Text(score)]: score, [md5Text(m)]: m, [`${md5Text(manifest)}.dir`]: manifest },
    metrics: { 'score.json': { score: acc, run: nonce }, 'eval/m.json': { acc, run: nonce } },
  };
}

describe('objects read from DVC remotes are cached per remote, not per remote label', () => {
  it("a project whose remote shares another's label does not see the other's objects", async () => {
    const r = result(0.5);
    const a = await makeProject('label-a', r.locked);
    const b = await makeProject('label-b', r.locked);
    for (const [oid, text] of Object.entries(r.objects)) await put(a.store, oid, text);
    // the same commit content in both; only A's remote holds the objects
    const fromA = await readRemoteMetrics(a.at);
    expect(fromA.errors).toEqual({});
    expect(fromA.metrics).toEqual(r.metrics);
    const fromB = await readRemoteMetrics(b.at);
    expect(fromB.metrics).toEqual({});
    expect(fromB.errors).toEqual({
      'score.json': "not in the DVC remote remote 'store' (../../store)",
      'eval/m.json': "not in the DVC remote remote 'store' (../../store)",
    });
  });

  it("a tampered .dir manifest is refused, and cannot plant what another project's directory shows", async () => {
    const real = result(0.5);
    const planted = result(0.99);
    const victim = await makeProject('victim', real.locked);
    for (const [oid, text] of Object.entries(real.objects)) await put(victim.store, oid, text);
    // the attacker's commit names the victim's directory object, and its remote holds a manifest
    // under that name listing a file of its own choosing (a genuine object, md5-verified)
    const attacker = await makeProject('attacker', real.locked);
    const plantedManifest = planted.objects[planted.locked.evalDir] ?? '';
    const plantedFile = Object.entries(planted.objects).find(([, t]) => t.includes('"acc"'));
    if (plantedFile === undefined) throw new Error('no planted file');
    await put(attacker.store, real.locked.evalDir, plantedManifest);
    await put(attacker.store, plantedFile[0], plantedFile[1]);

    const fromAttacker = await readRemoteMetrics(attacker.at);
    expect(fromAttacker.metrics['eval/m.json']).toBeUndefined();
    expect(fromAttacker.errors['eval/m.json']).toBe(
      `could not be read from the DVC remote: object ${real.locked.evalDir} from remote 'store' (../../store) ` +
        `is corrupt: its content hashes to ${planted.locked.evalDir.replace(/\.dir$/, '')}`,
    );
    const fromVictim = await readRemoteMetrics(victim.at);
    expect(fromVictim.errors).toEqual({});
    expect(fromVictim.metrics['eval/m.json']).toEqual(real.metrics['eval/m.json']);
  });

  it('a verified manifest read first does not let a tampered one through later, in the same or another remote', async () => {
    const real = result(0.25);
    const first = await makeProject('first', real.locked);
    for (const [oid, text] of Object.entries(real.objects)) await put(first.store, oid, text);
    expect((await readRemoteMetrics(first.at)).metrics).toEqual(real.metrics);
    // a second remote with the same label holds a different manifest under the same name
    const second = await makeProject('second', real.locked);
    const other = result(0.75);
    await put(second.store, real.locked.evalDir, other.objects[other.locked.evalDir] ?? '');
    const fromSecond = await readRemoteMetrics(second.at);
    expect(fromSecond.errors['eval/m.json']).toMatch(/^could not be read from the DVC remote: .* is corrupt/);
  });
});
