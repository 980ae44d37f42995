import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../git/run-git.js';
import { makeBareDvcProject } from '../../test/fixtures.js';
import { pushFiles } from '../../test/push-files.js';
import { replaceInput } from './replace-input.js';

let tmp = '';
let bare = '';
let store = '';
let n = 0;

beforeAll(async () => {
  ({ tmp, bare, store } = await makeBareDvcProject('kiln-replace-input-', 1));
  // a nested pipeline (its stage in a wdir) beside the top-level one, as DVC collects them
  await pushFiles(
    bare,
    {
      'sub/dvc.yaml':
        'stages:\n  make:\n    wdir: out\n    cmd: python ../make.py\n    outs:\n    - table.csv\n',
      'sub/dvc.lock': nestedLock(md5('a,b\n'), 4),
    },
    'nested',
  );
}, 120_000);
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const md5 = (x: string) => createHash('md5').update(x).digest('hex');
const nestedLock = (oid: string, size: number) =>
  "schema: '2.0'\nstages:\n  make:\n    cmd: python ../make.py\n    outs:\n    - path: table.csv\n" +
  `      hash: md5\n      md5: ${oid}\n      size: ${size}\n`;

/** A fresh clone of the project, as the agent's workspace and a CI commit start from. */
async function checkout(): Promise<string> {
  const co = path.join(tmp, `co-${n++}`);
  await git(['clone', '--quiet', bare, co], { cwd: tmp });
  return co;
}

async function upload(data: string): Promise<string> {
  const f = path.join(tmp, `upload-${n++}`);
  await writeFile(f, data);
  return f;
}

describe('replacing an input in a run workspace', () => {
  it('records a nested dvc.lock out as DVC would: the file in place, its object in the cache, the lock rewritten', async () => {
    const co = await checkout();
    const table = 'a,b\n1,2\n';
    const topLock = await readFile(path.join(co, 'dvc.lock'), 'utf8');
    const r = await replaceInput(co, 'sub/out/table.csv', await upload(table), 'workspace');
    expect(r).toEqual({
      path: 'sub/out/table.csv',
      kind: 'dvc-lock',
      md5: md5(table),
      size: table.length,
      pushed: false,
    });
    expect(readFileSync(path.join(co, 'sub', 'out', 'table.csv'), 'utf8')).toBe(table);
    const oid = md5(table);
    expect(
      readFileSync(path.join(co, '.dvc', 'cache', 'files', 'md5', oid.slice(0, 2), oid.slice(2)), 'utf8'),
    ).toBe(table);
    expect(await readFile(path.join(co, 'sub', 'dvc.lock'), 'utf8')).toBe(nestedLock(oid, table.length));
    expect(await readFile(path.join(co, 'dvc.lock'), 'utf8')).toBe(topLock);
  });

  it('rewrites a .dvc file as `dvc add` writes it', async () => {
    const co = await checkout();
    const data = '<posts />\n';
    expect(await replaceInput(co, 'data/data.xml', await upload(data), 'workspace')).toMatchObject({
      kind: 'dvc-file',
      md5: md5(data),
    });
    expect(await readFile(path.join(co, 'data', 'data.xml.dvc'), 'utf8')).toBe(
      `outs:\n- md5: ${md5(data)}\n  size: ${data.length}\n  hash: md5\n  path: data.xml\n`,
    );
  });

  it('finds a .dvc file named otherwise than <file>.dvc, as `dvc add --file` writes one', async () => {
    const co = await checkout();
    const before = await readFile(path.join(co, 'data', 'data.xml.dvc'), 'utf8');
    await rm(path.join(co, 'data', 'data.xml.dvc'));
    await mkdir(path.join(co, 'tracked'), { recursive: true });
    await writeFile(
      path.join(co, 'tracked', 'posts.dvc'),
      before.replace('path: data.xml', 'path: ../data/data.xml'),
    );
    const data = '<posts n="2" />\n';
    expect(await replaceInput(co, 'data/data.xml', await upload(data), 'workspace')).toMatchObject({
      kind: 'dvc-file',
      md5: md5(data),
    });
    expect(await readFile(path.join(co, 'tracked', 'posts.dvc'), 'utf8')).toBe(
      `outs:\n- md5: ${md5(data)}\n  size: ${data.length}\n  hash: md5\n  path: ../data/data.xml\n`,
    );
    expect(readFileSync(path.join(co, 'data', 'data.xml'), 'utf8')).toBe(data);
  });

  it('refuses tracked directories, files inside them, untracked paths and escapes, naming the file and why', async () => {
    const co = await checkout();
    const src = await upload('x\n');
    const lockBefore = await readFile(path.join(co, 'dvc.lock'), 'utf8');
    const refusals: Array<[string, RegExp]> = [
      ['data/prepared', /input data\/prepared is a directory/],
      ['data/prepared/train.tsv', /inside data\/prepared, a directory DVC tracks as a whole/],
      ['src/nope.py', /"src\/nope.py" is neither a Git-tracked nor a DVC-tracked file/],
      ['../outside', /input \.\.\/outside is outside the project/],
    ];
    for (const [p, why] of refusals)
      await expect(replaceInput(co, p, src, 'workspace'), p).rejects.toThrow(why);
    expect(existsSync(path.join(co, 'data', 'prepared'))).toBe(false);
    expect(existsSync(path.join(co, 'src', 'nope.py'))).toBe(false);
    expect(await readFile(path.join(co, 'dvc.lock'), 'utf8')).toBe(lockBefore);
  });
});

describe('replacing an input in a commit', () => {
  it('sends cached data to the DVC remote and never into the tree; a cache: false out is a Git file with its new hash in dvc.lock', async () => {
    const co = await checkout();
    const table = 'c,d\n';
    const r = await replaceInput(co, 'sub/out/table.csv', await upload(table), 'commit');
    expect(r).toMatchObject({ kind: 'dvc-lock', md5: md5(table), pushed: true });
    const oid = md5(table);
    expect(readFileSync(path.join(store, 'files', 'md5', oid.slice(0, 2), oid.slice(2)), 'utf8')).toBe(table);
    expect(existsSync(path.join(co, 'sub', 'out', 'table.csv'))).toBe(false);
    expect(await readFile(path.join(co, 'sub', 'dvc.lock'), 'utf8')).toBe(nestedLock(oid, table.length));

    const metrics = '{"avg_prec": 0.5}\n';
    expect(await replaceInput(co, 'eval/metrics.json', await upload(metrics), 'commit')).toEqual({
      path: 'eval/metrics.json',
      kind: 'dvc-lock',
      md5: md5(metrics),
      size: metrics.length,
      pushed: false,
    });
    expect(await readFile(path.join(co, 'eval', 'metrics.json'), 'utf8')).toBe(metrics);
    const lock = await readFile(path.join(co, 'dvc.lock'), 'utf8');
    expect(lock).toContain(
      `- path: eval/metrics.json\n      hash: md5\n      md5: ${md5(metrics)}\n      size: ${metrics.length}\n`,
    );
  });
});
