import { describe, expect, it } from 'vitest';
import { parseDvcLock } from '../dvc/dvc-lock.js';
import { parseDvcYaml } from '../dvc/dvc-yaml.js';
import { collectInputs } from './inputs.js';

const yaml = parseDvcYaml(
  'stages:\n' +
    '  prep:\n    cmd: python src/prep.py\n    wdir: .\n    deps: [data/raw.csv, src/prep.py, labels.txt, data/images]\n    outs: [data/clean.csv, data/cache]\n' +
    '  train:\n    cmd: python train.py\n    wdir: src\n    deps: [../data/clean.csv, train.py]\n    outs: [../model.pkl]\n',
);
const lock = parseDvcLock(
  "schema: '2.0'\nstages:\n  prep:\n    cmd: python src/prep.py\n    outs:\n    - path: data/clean.csv\n      hash: md5\n      md5: 0123456789abcdef0123456789abcdef\n      size: 3\n    - path: data/cache\n      hash: md5\n      md5: 0123456789abcdef0123456789abcdef.dir\n      size: 3\n      nfiles: 1\n" +
    '  train:\n    cmd: python train.py\n    outs:\n    - path: ../model.pkl\n      hash: md5\n      md5: fedcba9876543210fedcba9876543210\n      size: 9\n',
);

describe('the Run form input files', () => {
  it('lists the pipeline inputs first and every other tracked file hidden', () => {
    const nested = parseDvcYaml('stages:\n  c:\n    cmd: ./c.sh\n    deps: [input.json, c.sh]\n', {
      file: 'sub/dvc.yaml',
    });
    if (!yaml.ok || !lock.ok || !nested.ok) throw new Error('fixture');
    const inputs = collectInputs({
      pipelines: [
        { dvcYaml: yaml.value, lock: lock.value },
        { dvcYaml: nested.value, lock: null },
      ],
      dvcFiles: [
        {
          file: 'data/raw.csv.dvc',
          text: 'outs:\n- md5: 1111111111111111111111111111111a\n  size: 1\n  hash: md5\n  path: raw.csv\n',
        },
        {
          file: 'data/images.dvc',
          text: 'outs:\n- md5: 2222222222222222222222222222222b.dir\n  size: 1\n  nfiles: 1\n  path: images\n',
        },
      ],
      gitFiles: [
        'sub/input.json',
        'sub/c.sh',
        'README.md',
        'labels.txt',
        'src/prep.py',
        'src/train.py',
        'data/raw.csv.dvc',
        'data/images.dvc',
      ],
    });
    expect(inputs).toEqual([
      { path: 'data/clean.csv', kind: 'dvc', hidden: false },
      { path: 'data/raw.csv', kind: 'dvc', hidden: false },
      { path: 'labels.txt', kind: 'git', hidden: false },
      { path: 'sub/input.json', kind: 'git', hidden: false },
      { path: 'README.md', kind: 'git', hidden: true },
      { path: 'model.pkl', kind: 'dvc', hidden: true },
      { path: 'src/prep.py', kind: 'git', hidden: true },
      { path: 'src/train.py', kind: 'git', hidden: true },
      { path: 'sub/c.sh', kind: 'git', hidden: true },
    ]);
  });
});
