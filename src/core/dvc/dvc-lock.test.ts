import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lockValueEquals, parseDvcLock, serializeDvcLock, upsertLockStage } from './dvc-lock.js';
import { emitYaml, PyFloat } from './yaml-emit.js';

const fixture = readFileSync(new URL('./testdata/fixture-dvc.lock', import.meta.url), 'utf8');

describe('dvc.lock', () => {
  it('round-trips a fixture dvc.lock byte for byte', () => {
    const r = parseDvcLock(fixture);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.stages.map((s) => s.name)).toEqual(['prepare', 'featurize', 'train', 'evaluate']);
    expect(r.value.stages[0]?.params).toEqual({
      'params.yaml': { 'prepare.seed': 20170428, 'prepare.split': 0.2 },
    });
    expect(serializeDvcLock(r.value)).toBe(fixture);
  });

  it('writes entries in DVC order whatever order they come in', () => {
    const text = serializeDvcLock(
      upsertLockStage(
        { stages: [] },
        {
          name: 'train',
          cmd: ['python a.py', 'echo ok'],
          deps: [
            { path: 'z.txt', md5: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', size: 2, hash: 'md5' },
            { path: 'a.txt', hash: 'md5', md5: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', size: 1 },
          ],
          params: {
            'b.json': { z: 1, a: new PyFloat(1) },
            'params.yaml': { lr: 1e-5, on: 'yes', list: [1, 2], none: null },
          },
          outs: [
            { path: 'out', hash: 'md5', md5: 'cccccccccccccccccccccccccccccccc.dir', size: 3, nfiles: 2 },
          ],
        },
      ),
    );
    expect(text).toBe(`schema: '2.0'
stages:
  train:
    cmd:
    - python a.py
    - echo ok
    deps:
    - path: a.txt
      hash: md5
      md5: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      size: 1
    - path: z.txt
      hash: md5
      md5: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
      size: 2
    params:
      params.yaml:
        list:
        - 1
        - 2
        lr: 1.0e-05
        none: null
        'on': 'yes'
      b.json:
        a: 1.0
        z: 1
    outs:
    - path: out
      hash: md5
      md5: cccccccccccccccccccccccccccccccc.dir
      size: 3
      nfiles: 2
`);
    const back = parseDvcLock(text);
    if (!back.ok) throw new Error(back.error);
    expect(serializeDvcLock(back.value)).toBe(text);
  });

  it('folds long commands past column 80 as ruamel does and quotes what needs it', () => {
    const cmd = 'python src/train.py --data data/features --out model.pkl --epochs 10 --learning-rate 0.1';
    expect(emitYaml({ cmd, a: '1.5', b: 'x: y', c: '', d: "it's", e: '-x', f: '- x' })).toBe(
      `cmd: python src/train.py --data data/features --out model.pkl --epochs 10 --learning-rate
  0.1
a: '1.5'
b: 'x: y'
c: ''
d: it's
e: -x
f: '- x'
`,
    );
  });

  it('rejects other schemas with the line', () => {
    const r = parseDvcLock("schema: '1.0'\nstages: {}\n");
    expect(r).toEqual({ ok: false, error: "dvc.lock:1: at 'schema': expected schema: '2.0'" });
    expect(parseDvcLock("schema: '2.0'\nstages:\n  a:\n    deps: []\n")).toEqual({
      ok: false,
      error: "dvc.lock:3: at 'stages.a.cmd': expected a command: a string or a list of strings",
    });
    expect(
      parseDvcLock("schema: '2.0'\nstages:\n  a:\n    cmd: x\n    outs:\n    - path: m\n      size: big\n"),
    ).toEqual({
      ok: false,
      error: 'dvc.lock:7: at \'stages.a.outs.0.size\': expected a number, found the string "big"',
    });
    expect(lockValueEquals(new PyFloat(1), 1)).toBe(true);
    expect(lockValueEquals({ a: [1] }, { a: [2] })).toBe(false);
  });
});
