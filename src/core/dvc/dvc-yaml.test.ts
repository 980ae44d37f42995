import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectTableFiles, parseDvcYaml, type DvcYaml } from './dvc-yaml.js';

function ok(text: string, files: Record<string, string> = {}, file?: string): DvcYaml {
  const r = parseDvcYaml(text, { ...(file === undefined ? {} : { file }), readVarsFile: (p) => files[p] });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function err(text: string, files: Record<string, string> = {}): string {
  const r = parseDvcYaml(text, { file: 'dvc.yaml', readVarsFile: (p) => files[p] });
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('parseDvcYaml', () => {
  it('reads stages with every params form and out flags', () => {
    const d = ok(`
stages:
  train:
    cmd: [python train.py, echo done]
    wdir: sub
    deps: [data.csv]
    params:
      - lr
      - conf/train.json: [opt.name]
      - extra.toml:
      - lr2
    outs:
      - model.pkl
      - ckpt:
          persist: true
          cache: false
          push: false
          remote: other
          desc: checkpoints
    metrics:
      - m.json: {cache: false}
    plots:
      - p.csv: {x: step, y: loss, template: linear}
    frozen: true
`);
    const s = d.stages[0];
    expect(s?.name).toBe('train');
    expect(s?.cmd).toEqual(['python train.py', 'echo done']);
    expect(s?.wdir).toBe('sub');
    expect(s?.params).toEqual([
      { file: 'params.yaml', keys: ['lr', 'lr2'] },
      { file: 'conf/train.json', keys: ['opt.name'] },
      { file: 'extra.toml', keys: null },
    ]);
    expect(s?.outs).toEqual([
      { path: 'model.pkl', cache: true, persist: false, push: true, props: {} },
      {
        path: 'ckpt',
        cache: false,
        persist: true,
        push: false,
        remote: 'other',
        props: { desc: 'checkpoints' },
      },
    ]);
    expect(s?.plots[0]?.props).toEqual({ x: 'step', y: 'loss', template: 'linear' });
    expect(s?.frozen).toBe(true);
  });

  it('names foreach (list, list of dicts, dict) and matrix stages as DVC does', () => {
    const d = ok(`
vars:
  - models: [{name: a}, {name: b}]
    lrs: [0.1, 0.01]
stages:
  simple:
    foreach: [us, eu]
    do:
      cmd: echo \${item}
  composite:
    foreach: \${models}
    do:
      cmd: echo \${item.name}
      outs:
        - \${item.name}.pkl
  bydict:
    foreach:
      lr-0.1: {lr: 0.1}
      lr-1e-05: {lr: 0.00001}
    do:
      cmd: train --lr \${item.lr} --key \${key}
  grid:
    matrix:
      model: [cnn, rnn]
      lr: \${lrs}
      opt: [{n: 1}]
    cmd: fit \${item.model} \${item.lr}
`);
    expect(d.stages.map((s) => [s.name, s.cmd])).toEqual([
      ['simple@us', 'echo us'],
      ['simple@eu', 'echo eu'],
      ['composite@0', 'echo a'],
      ['composite@1', 'echo b'],
      ['bydict@lr-0.1', 'train --lr 0.1 --key lr-0.1'],
      ['bydict@lr-1e-05', 'train --lr 1e-05 --key lr-1e-05'],
      ['grid@cnn-0.1-opt0', 'fit cnn 0.1'],
      ['grid@cnn-0.01-opt0', 'fit cnn 0.01'],
      ['grid@rnn-0.1-opt0', 'fit rnn 0.1'],
      ['grid@rnn-0.01-opt0', 'fit rnn 0.01'],
    ]);
    expect(d.stages[2]?.outs[0]?.path).toBe('a.pkl');
  });

  it('interpolates from params.yaml, vars files with keys, stage vars, and keeps types of whole values', () => {
    const files = {
      'params.yaml': 'train:\n  epochs: 3\n  flag: true\n  opts: {depth: 2, name: x y}\n',
      'conf.json': '{"data": {"dir": "raw", "unused": 1}, "other": 2}',
      'sub/local.yaml': 'n: 7\n',
    };
    const d = ok(
      `
vars:
  - conf.json:data
  - params.yaml
  - name: base
stages:
  a:
    cmd: run \${train.opts} --e \${train.epochs} --f \${train.flag} \\\${literal}
    deps:
      - \${data.dir}/in.csv
    meta: \${train.epochs}
  b:
    wdir: sub
    vars: [local.yaml, {m: 1}]
    cmd: echo \${n} \${m} \${name}
`,
      files,
    );
    expect(d.stages[0]?.cmd).toBe("run --depth 2 --name 'x y' --e 3 --f true ${literal}");
    expect(d.stages[0]?.deps).toEqual(['raw/in.csv']);
    expect(d.stages[0]?.meta).toBe(3);
    expect(d.stages[1]?.cmd).toBe('echo 7 1 base');
  });

  it('reports errors with the file, line and what was expected', () => {
    expect(err('stages:\n  a:\n    cmd: echo ${missing.key}\n')).toBe(
      "dvc.yaml:2: Could not find 'missing.key'",
    );
    expect(err('stages:\n  a:\n    cmd: echo\n    outz: [x]\n')).toBe(
      "dvc.yaml:4: at 'stages.a': unexpected key 'outz'",
    );
    expect(err('stages:\n  a:\n    deps: [x]\n')).toBe(
      "dvc.yaml:2: at 'stages.a.cmd': expected a command: a string or a list of strings",
    );
    expect(err('stages:\n  a:\n    cmd: x\n    outs:\n    - m.pkl:\n        cache: maybe\n')).toBe(
      'dvc.yaml:6: at \'stages.a.outs.0.m.pkl.cache\': expected true or false, found the string "maybe"',
    );
    expect(err('stages:\n  a:\n    cmd: x\n    outs: m.pkl\n')).toBe(
      'dvc.yaml:4: at \'stages.a.outs\': expected a list, found the string "m.pkl"',
    );
    expect(err('stages:\n  a:\n    cmd: echo\n    outs:\n      - 3\n')).toBe(
      "dvc.yaml:5: at 'stages.a.outs.0': expected a path or a mapping of one path to its flags",
    );
    expect(err('vars: [nope.yaml]\nstages: {}\n')).toBe("dvc.yaml:1: vars file 'nope.yaml' does not exist");
    expect(err('stages:\n  a: [1\n')).toMatch(/^dvc\.yaml:\d+: invalid YAML/);
    expect(err('vars:\n  - {a: 1}\n  - {a: 2}\nstages: {}\n')).toMatch(/^dvc\.yaml:3: cannot redefine 'a'/);
    expect(err('vars: [{l: [1]}]\nstages:\n  a:\n    cmd: echo ${l} x\n')).toBe(
      "dvc.yaml:3: Cannot interpolate data of type 'list'",
    );
    expect(err('stages:\n  a:\n    foreach: 3\n    do: {cmd: x}\n')).toMatch(
      /^dvc\.yaml:2: foreach of stage 'a' must be a list or a mapping/,
    );
  });

  it('reads top-level params, metrics, plots and artifacts', () => {
    const d = ok(`
params: [hp.yaml]
metrics: [summary.json]
plots:
  - roc.json
  - pr.json: {x: recall, y: precision}
  - Loss:
      x: step
      y:
        logs/train.tsv: loss
        logs/val.tsv: [loss]
artifacts:
  model: {path: model.pkl, type: model}
`);
    expect(d.plots).toEqual([
      { id: 'roc.json', props: {} },
      { id: 'pr.json', props: { x: 'recall', y: 'precision' } },
      { id: 'Loss', props: { x: 'step', y: { 'logs/train.tsv': 'loss', 'logs/val.tsv': ['loss'] } } },
    ]);
    expect(d.artifacts).toEqual({ model: { path: 'model.pkl', type: 'model' } });
  });
});

describe('collectTableFiles', () => {
  it('joins paths with the dvc.yaml directory and the stage wdir', () => {
    const d = ok(
      `
params: [hp.yaml]
metrics: [summary.json]
plots:
  - roc.json
  - Loss: {y: {logs/train.tsv: loss}}
stages:
  a:
    cmd: x
    params: [lr]
    metrics: [m.json]
  b:
    wdir: ../b
    cmd: y
    params: [{params.yaml: [seed]}, {../cfg.yaml: }]
    metrics: [{./out/m.json: {cache: false}}]
    plots: [p.csv]
  c:
    cmd: z
    params: [lr, epochs]
`,
      {},
      'proj/dvc.yaml',
    );
    expect(collectTableFiles(d)).toEqual({
      params: [
        { file: 'proj/params.yaml', keys: ['lr', 'epochs'] },
        { file: 'b/params.yaml', keys: ['seed'] },
        { file: 'cfg.yaml', keys: null },
        { file: 'proj/hp.yaml', keys: null },
      ],
      metrics: ['proj/m.json', 'b/out/m.json', 'proj/summary.json'],
      plots: ['b/p.csv', 'proj/roc.json', 'proj/logs/train.tsv'],
      vars: {},
    });
  });

  it('reads the fixture pipeline', () => {
    const d = ok(readFileSync(new URL('./testdata/fixture-dvc.yaml', import.meta.url), 'utf8'));
    expect(d.stages.map((s) => s.name)).toEqual(['prepare', 'featurize', 'train', 'evaluate']);
    expect(collectTableFiles(d)).toEqual({
      params: [
        {
          file: 'params.yaml',
          keys: [
            'prepare.seed',
            'prepare.split',
            'featurize.max_features',
            'featurize.ngrams',
            'train.epochs',
            'train.lr',
            'train.seed',
          ],
        },
      ],
      metrics: ['dvclive/metrics.json', 'eval/metrics.json'],
      plots: ['dvclive/plots/metrics', 'eval/plots/precision_recall.json'],
      vars: {},
    });
  });
});

describe('interpolation details', () => {
  it('selects keys with brackets and quotes strings in cmd flags as shlex does', () => {
    const d = ok(
      "vars:\n  - m: {k: v}\n    l: [a, b]\n    opts: {name: '', list: [x, 'y z'], n: 1.5}\nstages:\n  a:\n    cmd: run ${m[k]} ${l[1]} ${opts}\n",
    );
    expect(d.stages[0]?.cmd).toBe("run v b --name '' --list x 'y z' --n 1.5");
  });
});
