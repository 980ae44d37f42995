import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../contracts/api.js';
import { ProjectTable } from './project-table.js';
import { TestRepo } from '../../../test/test-repo.js';

/**
 * The params and metrics columns of a commit row, case by case, as DVC 3's `dvc exp show` /
 * `dvc params show` / `dvc metrics show` give them with no targets (dvc/repo/params/show.py
 * `_collect_params`, `_merge_params`, `read_param_file`, `_collect_vars`;
 * dvc/repo/metrics/show.py `_collect_metrics`, `_extract_metrics`; and DVC's own
 * tests/func/params/test_show.py: test_pipeline_params, test_show_toml, test_show_multiple,
 * test_top_level_parametrized).
 */
interface Case {
  name: string;
  files: Record<string, string>;
  subdir?: string;
  params: Record<string, Record<string, Value>>;
  metrics?: Record<string, Record<string, Value>>;
  /** files whose cell shows an error, with a word of the message */
  errors?: Record<string, RegExp>;
}

const CASES: Case[] = [
  {
    name: 'a stage names some keys of params.yaml: the default params file is still shown whole',
    files: {
      'dvc.yaml': 'stages:\n  copy:\n    cmd: cp foo bar\n    params: [foo, xyz]\n',
      'params.yaml': 'foo: qux\nxyz: val\nabc: ignore\n',
    },
    params: { 'params.yaml': { foo: 'qux', xyz: 'val', abc: 'ignore' } },
  },
  {
    name: 'a stage names some keys of another file: only those keys, nested as in the file',
    files: {
      'dvc.yaml':
        'stages:\n  a:\n    cmd: x\n    params:\n      - config.yaml: [opt.lr, depth]\n  b:\n    cmd: y\n    params:\n      - config.yaml: [seed]\n',
      'config.yaml': 'opt:\n  lr: 0.1\n  momentum: 0.9\ndepth: 3\nseed: 7\nunused: true\n',
    },
    params: { 'config.yaml': { opt: { lr: 0.1 }, depth: 3, seed: 7 } },
  },
  {
    name: 'a file one stage names without keys is tracked whole, over another stage naming keys',
    files: {
      'dvc.yaml':
        'stages:\n  a:\n    cmd: x\n    params:\n      - config.yaml: [depth]\n  b:\n    cmd: y\n    params:\n      - config.yaml:\n',
      'config.yaml': 'depth: 3\nseed: 7\n',
    },
    params: { 'config.yaml': { depth: 3, seed: 7 } },
  },
  {
    name: 'params.yaml no stage references',
    files: {
      'dvc.yaml': 'stages:\n  a:\n    cmd: x\n    deps: [data.csv]\n',
      'params.yaml': 'lr: 0.1\nmodel:\n  depth: 3\n',
    },
    params: { 'params.yaml': { lr: 0.1, model: { depth: 3 } } },
  },
  {
    name: 'a commit with params.yaml and no dvc.yaml at all',
    files: { 'params.yaml': 'lr: 0.1\n', 'train.py': 'print(1)\n' },
    params: { 'params.yaml': { lr: 0.1 } },
  },
  {
    name: 'a nested dvc.yaml with its own params file, beside the root params.yaml',
    files: {
      'params.yaml': 'root: 1\n',
      'sub/dvc.yaml': 'stages:\n  t:\n    cmd: x\n    params: [lr]\n',
      'sub/params.yaml': 'lr: 0.5\nother: 2\n',
    },
    params: { 'params.yaml': { root: 1 }, 'sub/params.yaml': { lr: 0.5 } },
  },
  {
    name: 'a nested dvc.yaml interpolating its own params.yaml it does not list: the values used',
    files: {
      'sub/dvc.yaml': 'stages:\n  t:\n    cmd: python t.py --bs ${bs}\n',
      'sub/params.yaml': 'bs: 32\nunused: 1\n',
    },
    params: { 'sub/params.yaml': { bs: 32 } },
  },
  {
    name: 'JSON and TOML params files',
    files: {
      'dvc.yaml':
        'stages:\n  a:\n    cmd: x\n    params:\n      - params.json:\n      - conf.toml: [model]\n',
      'params.json': '{"opt": {"lr": 0.01}, "seed": 1}',
      'conf.toml': '[model]\nlayers = 4\nname = "mlp"\n[data]\npath = "x"\n',
    },
    params: {
      'params.json': { opt: { lr: 0.01 }, seed: 1 },
      'conf.toml': { model: { layers: 4, name: 'mlp' } },
    },
  },
  {
    name: 'a params file a stage lists was deleted: an error, not a silent gap',
    files: {
      'dvc.yaml': 'stages:\n  a:\n    cmd: x\n    params:\n      - config.yaml: [lr]\n      - seed\n',
    },
    params: {},
    errors: { 'config.yaml': /not in this commit/, 'params.yaml': /not in this commit/ },
  },
  {
    name: 'top-level params files, one of them named through params.yaml',
    files: {
      'dvc.yaml': 'params:\n  - hp.yaml\n  - ${param_file}\n',
      'hp.yaml': 'a: 1\nb: 2\n',
      'param.json': '{"foo": 3, "bar": 10}',
      'params.yaml': 'param_file: param.json\n',
    },
    params: {
      'hp.yaml': { a: 1, b: 2 },
      'param.json': { foo: 3, bar: 10 },
      'params.yaml': { param_file: 'param.json' },
    },
  },
  {
    name: 'vars files stages interpolate: the keys used, not foreach items nor params files',
    files: {
      'dvc.yaml': [
        'vars:',
        '  - config.yaml',
        'stages:',
        '  train:',
        '    vars:',
        '      - extra.json:opt',
        '    cmd: python train.py --lr ${train.lr} --epochs ${train.epochs} --o ${opt.name}',
        '    params: [seed]',
        '  eval:',
        '    foreach: [a, b]',
        '    do:',
        '      cmd: python eval.py ${item} ${seed}',
      ].join('\n'),
      'config.yaml': 'train:\n  lr: 0.1\n  epochs: 5\n  unused: 0\n',
      'extra.json': '{"opt": {"name": "adam", "beta": 0.9}, "x": 1}',
      'params.yaml': 'seed: 1\nother: 2\n',
    },
    params: {
      'config.yaml': { train: { lr: 0.1, epochs: 5 } },
      'extra.json': { opt: { name: 'adam' } },
      'params.yaml': { seed: 1, other: 2 },
    },
  },
  {
    name: 'metrics: stage metrics, top-level metrics, a DVCLive dvc.yaml; lists and nulls dropped',
    files: {
      'dvc.yaml':
        'metrics: [summary.json]\nstages:\n  t:\n    cmd: x\n    metrics:\n      - eval/m.json:\n          cache: false\n',
      'eval/m.json':
        '{"acc": 0.9, "curve": [1, 2], "none": null, "nested": {"f1": 0.5, "empty": {}}, "ok": true}',
      'summary.json': '{"loss": 0.1}',
      'dvclive/dvc.yaml': 'metrics:\n  - metrics.json\n',
      'dvclive/metrics.json': '{"step": 3, "train": {"loss": 0.2}}',
      'other/metrics.json': '{"never": 1}',
    },
    params: {},
    metrics: {
      'eval/m.json': { acc: 0.9, nested: { f1: 0.5 }, ok: true },
      'summary.json': { loss: 0.1 },
      'dvclive/metrics.json': { step: 3, train: { loss: 0.2 } },
    },
  },
  {
    name: "DVCLive's metrics file no dvc.yaml lists is not a metric to DVC",
    files: { 'params.yaml': 'lr: 1\n', 'dvclive/metrics.json': '{"step": 3}' },
    params: { 'params.yaml': { lr: 1 } },
    metrics: {},
  },
  {
    name: 'a subdirectory project: its own params.yaml is the default, the repository root is not',
    subdir: 'ml',
    files: {
      'params.yaml': 'root: 1\n',
      'ml/dvc.yaml': 'stages:\n  t:\n    cmd: x\n    params: [lr]\n',
      'ml/params.yaml': 'lr: 0.5\nepochs: 2\n',
    },
    params: { 'params.yaml': { lr: 0.5, epochs: 2 } },
  },
];

describe('params and metrics columns equal DVC 3 exp show', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const repo = new TestRepo();
      for (const [f, text] of Object.entries(c.files)) repo.write(f, text);
      repo.commit(c.name);
      const t = new ProjectTable(
        path.join(repo.dir, '.git'),
        { subdir: c.subdir ?? null, paramsFiles: [], metricsFiles: [] },
        null,
      );
      try {
        await t.refresh();
        const [row] = t.rows(true);
        expect(row?.params).toEqual(c.params);
        if (c.metrics) expect(row?.metrics).toEqual(c.metrics);
        const errors = row?.errors ?? {};
        expect(Object.keys(errors).sort()).toEqual(Object.keys(c.errors ?? {}).sort());
        for (const [file, re] of Object.entries(c.errors ?? {})) expect(errors[file]).toMatch(re);
      } finally {
        t.close();
      }
    });
  }

  it('a commit that drops a params file keeps its history right: earlier rows show it, the later one errs', async () => {
    const repo = new TestRepo();
    repo
      .write('dvc.yaml', 'stages:\n  a:\n    cmd: x\n    params:\n      - hp.yaml: [lr]\n')
      .write('hp.yaml', 'lr: 0.1\nx: 1\n');
    repo.commit('with hp');
    repo.remove('hp.yaml');
    repo.commit('without hp');
    const t = new ProjectTable(
      path.join(repo.dir, '.git'),
      { subdir: null, paramsFiles: [], metricsFiles: [] },
      null,
    );
    try {
      await t.refresh();
      const [later, earlier] = t.rows(true);
      expect(earlier?.params).toEqual({ 'hp.yaml': { lr: 0.1 } });
      expect(later?.params).toEqual({});
      expect(later?.errors['hp.yaml']).toMatch(/not in this commit/);
    } finally {
      t.close();
    }
  });

  it('a templated dvc.yaml reads each commit’s own params.yaml for its values', async () => {
    const repo = new TestRepo();
    repo
      .write('dvc.yaml', 'vars: [cfg.yaml]\nstages:\n  a:\n    cmd: run ${lr}\n    deps:\n      - ${data}\n')
      .write('cfg.yaml', 'lr: 0.1\n')
      .write('params.yaml', 'data: a.csv\n');
    repo.commit('one');
    repo.write('cfg.yaml', 'lr: 0.2\n');
    repo.commit('two');
    const t = new ProjectTable(
      path.join(repo.dir, '.git'),
      { subdir: null, paramsFiles: [], metricsFiles: [] },
      null,
    );
    try {
      await t.refresh();
      const [two, one] = t.rows(true);
      expect(one?.params).toEqual({ 'cfg.yaml': { lr: 0.1 }, 'params.yaml': { data: 'a.csv' } });
      expect(two?.params).toEqual({ 'cfg.yaml': { lr: 0.2 }, 'params.yaml': { data: 'a.csv' } });
      expect(two?.errors).toEqual({});
    } finally {
      t.close();
    }
  });
});
