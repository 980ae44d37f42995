import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TableRow } from '../../contracts/api.js';
import { ProjectTable, type TableSettings } from './project-table.js';
import { TestRepo } from '../../../test/test-repo.js';
import { MAKE_DVC_PROJECT } from '../../../test/fixtures.js';

const FIXTURE = MAKE_DVC_PROJECT;
const NO_SETTINGS: TableSettings = { subdir: null, paramsFiles: [], metricsFiles: [] };

async function tableOf(repo: TestRepo, settings: TableSettings = NO_SETTINGS) {
  const t = new ProjectTable(path.join(repo.dir, '.git'), settings, null);
  await t.refresh();
  return t;
}

function byMessage(rows: TableRow[], message: string): TableRow {
  const r = rows.find((x) => x.message === message);
  if (!r) throw new Error(`no row "${message}" in ${rows.map((x) => x.message).join(', ')}`);
  return r;
}

const DVC_YAML = `stages:
  train:
    cmd: python train.py
    params:
      - train.lr
      - train.epochs
    metrics:
      - eval/metrics.json:
          cache: false
`;

describe('ProjectTable on real repositories', () => {
  it('reads the make-dvc-project fixture: rows, labels, params, metrics, hidden commits', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'kiln-fx-')), 'repo');
    execFileSync('python3', [FIXTURE, out, '--commits', '250'], { stdio: 'ignore' });
    const t = new ProjectTable(path.join(out, '.git'), NO_SETTINGS, null);
    await t.refresh();
    const all = t.rows(true);
    const visible = t.rows(false);
    const count = Number(
      execFileSync('git', ['rev-list', '--count', '--branches', '--tags'], { cwd: out, encoding: 'utf8' }),
    );
    expect(all).toHaveLength(count);
    expect(all.filter((r) => r.hidden).length).toBeGreaterThan(0);
    expect(visible.length).toBe(all.length - all.filter((r) => r.hidden).length);
    for (const r of all.filter((x) => x.hidden)) expect(r.message).toContain('[skip studio]');
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: out, encoding: 'utf8' }).trim();
    const headRow = all.find((r) => r.rev === head);
    expect(headRow?.branches).toContain(
      execFileSync('git', ['branch', '--show-current'], { cwd: out, encoding: 'utf8' }).trim(),
    );
    const tags = execFileSync('git', ['tag'], { cwd: out, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(all.flatMap((r) => r.tags).sort()).toEqual(tags.sort());
    // Params are those the stages track, read from the commit's own params.yaml.
    const params = execFileSync('git', ['show', `${head}:params.yaml`], { cwd: out, encoding: 'utf8' });
    const lr = /lr:\s*([\d.e-]+)/.exec(params)?.[1];
    expect(headRow?.params['params.yaml']).toMatchObject({ train: { lr: Number(lr) } });
    const metrics = JSON.parse(
      execFileSync('git', ['show', `${head}:eval/metrics.json`], { cwd: out, encoding: 'utf8' }),
    );
    expect(headRow?.metrics['eval/metrics.json']).toEqual(metrics);
    expect(Object.keys(headRow?.metrics ?? {})).toContain('dvclive/metrics.json');
    // Newest first.
    const dates = all.map((r) => Date.parse(r.date));
    expect(dates[0]).toBeGreaterThanOrEqual(dates[dates.length - 1] ?? 0);
    t.close();
  });

  it('repo without dvc.yaml still shows params.yaml and the metric files set in settings', async () => {
    const repo = new TestRepo();
    repo.write('params.yaml', 'lr: 0.1\nmodel:\n  depth: 3\n').write('results/score.json', '{"auc": 0.7}');
    repo.commit('no pipeline');
    const t = await tableOf(repo, { subdir: null, paramsFiles: [], metricsFiles: ['results/score.json'] });
    const [row] = t.rows(false);
    expect(row?.params['params.yaml']).toEqual({ lr: 0.1, model: { depth: 3 } });
    expect(row?.metrics['results/score.json']).toEqual({ auc: 0.7 });
    t.close();
  });

  it('marks broken files with the parser message and keeps the rest of the row', async () => {
    const repo = new TestRepo();
    repo
      .write('dvc.yaml', DVC_YAML)
      .write('params.yaml', 'train:\n  lr: [0.1\n')
      .write('eval/metrics.json', '{"acc": 0.9}');
    repo.commit('broken params');
    repo.write('dvc.yaml', 'stages: [oops').write('params.yaml', 'train:\n  lr: 0.2\n  epochs: 3\n');
    repo.commit('broken dvc.yaml');
    const t = await tableOf(repo);
    const rows = t.rows(false);
    const broken = byMessage(rows, 'broken params');
    expect(broken.errors['params.yaml']).toMatch(/params\.yaml/);
    expect(broken.metrics['eval/metrics.json']).toEqual({ acc: 0.9 });
    const badPipeline = byMessage(rows, 'broken dvc.yaml');
    expect(badPipeline.errors['dvc.yaml']).toBeTruthy();
    expect(badPipeline.params['params.yaml']).toEqual({ train: { lr: 0.2, epochs: 3 } });
    t.close();
  });

  it('reads JSON, TOML and Python params files named by stages', async () => {
    const repo = new TestRepo();
    repo
      .write(
        'dvc.yaml',
        `stages:
  a:
    cmd: x
    params:
      - config.json:
          - opt.lr
      - conf.toml:
      - settings.py:
          - BATCH
`,
      )
      .write('config.json', '{"opt": {"lr": 0.01, "unused": 1}}')
      .write('conf.toml', '[model]\nlayers = 4\nname = "mlp"\n')
      .write('settings.py', 'BATCH = 64\nOTHER = "x"\n');
    repo.commit('formats');
    const t = await tableOf(repo);
    const [row] = t.rows(false);
    expect(row?.params['config.json']).toEqual({ opt: { lr: 0.01 } });
    expect(row?.params['conf.toml']).toEqual({ model: { layers: 4, name: 'mlp' } });
    expect(row?.params['settings.py']).toEqual({ BATCH: 64 });
    t.close();
  });

  it('a subdirectory project reads its own dvc.yaml and paths', async () => {
    const repo = new TestRepo();
    repo.write('params.yaml', 'root: 1\n');
    repo
      .write('ml/dvc.yaml', DVC_YAML)
      .write('ml/params.yaml', 'train:\n  lr: 0.5\n  epochs: 2\n')
      .write('ml/eval/metrics.json', '{"f1": 0.5}');
    repo.commit('monorepo');
    const t = await tableOf(repo, { subdir: 'ml', paramsFiles: [], metricsFiles: [] });
    const [row] = t.rows(false);
    expect(row?.params).toEqual({ 'params.yaml': { train: { lr: 0.5, epochs: 2 } } });
    expect(row?.metrics['eval/metrics.json']).toEqual({ f1: 0.5 });
    t.close();
  });

  it('handles merges, tags, branches, non-ASCII paths and messages, deleted params, a 1 MB params file', async () => {
    const repo = new TestRepo();
    repo.write('dvc.yaml', DVC_YAML).write('params.yaml', 'train:\n  lr: 0.1\n  epochs: 1\n');
    repo.commit('base');
    repo.git('tag', '-a', 'v1', '-m', 'release');
    repo.git('checkout', '-q', '-b', 'side');
    repo.write('params.yaml', 'train:\n  lr: 0.2\n  epochs: 1\n').write('données/é.json', '{"x": 1}');
    repo.commit('side: lr 0.2 — ünïcödé ✓');
    repo.git('checkout', '-q', 'main');
    repo.write('eval/metrics.json', '{"acc": 0.5}');
    repo.commit('main: metrics');
    repo.git('merge', '-q', '--no-edit', 'side');
    const merge = repo.git('rev-parse', 'HEAD');
    repo.remove('params.yaml');
    repo.commit('delete params');
    const big =
      'train:\n  lr: 0.3\n  epochs: 9\nblob:\n' +
      Array.from({ length: 40_000 }, (_, i) => `  k${i}: ${i}\n`).join('');
    expect(big.length).toBeGreaterThan(500_000);
    repo.write('params.yaml', big);
    repo.commit('big params');
    const t = await tableOf(repo);
    const rows = t.rows(false);
    expect(rows.map((r) => r.message)).toEqual([
      'big params',
      'delete params',
      `Merge branch 'side'`,
      'main: metrics',
      'side: lr 0.2 — ünïcödé ✓',
      'base',
    ]);
    const m = rows.find((r) => r.rev === merge);
    expect(m?.parents).toHaveLength(2);
    expect(m?.params['params.yaml']).toEqual({ train: { lr: 0.2, epochs: 1 } });
    expect(m?.metrics['eval/metrics.json']).toEqual({ acc: 0.5 });
    expect(byMessage(rows, 'base').tags).toEqual(['v1']);
    expect(byMessage(rows, 'side: lr 0.2 — ünïcödé ✓').branches).toEqual(['side']);
    expect(byMessage(rows, 'side: lr 0.2 — ünïcödé ✓').author).toBe('Ünïcode Tester');
    expect(byMessage(rows, 'delete params').params).toEqual({});
    // params.yaml is shown whole, as DVC does, even where stages name only some of its keys
    const bigParams = byMessage(rows, 'big params').params['params.yaml'];
    expect(bigParams).toMatchObject({ train: { lr: 0.3, epochs: 9 } });
    expect(Object.keys((bigParams?.['blob'] ?? {}) as object)).toHaveLength(40_000);
    t.close();
  });

  it('reload reads only new commits and follows moved branches', async () => {
    const repo = new TestRepo();
    repo.write('dvc.yaml', DVC_YAML).write('params.yaml', 'train:\n  lr: 0.1\n  epochs: 1\n');
    repo.commit('one');
    const t = await tableOf(repo);
    expect(await t.refresh()).toBe(0);
    repo.write('params.yaml', 'train:\n  lr: 0.9\n  epochs: 1\n');
    repo.commit('two [skip studio]');
    expect(await t.refresh()).toBe(1);
    expect(t.rows(false).map((r) => r.message)).toEqual(['one']);
    const all = t.rows(true);
    expect(all.map((r) => r.message)).toEqual(['two [skip studio]', 'one']);
    expect(all[0]?.branches).toEqual(['main']);
    expect(all[1]?.branches).toEqual([]);
    expect(all[0]?.params['params.yaml']).toEqual({ train: { lr: 0.9, epochs: 1 } });
    // A rewritten branch forces a full rebuild rather than stale rows.
    repo.git('reset', '-q', '--hard', 'HEAD~1');
    await t.refresh();
    expect(t.rows(true).map((r) => r.message)).toEqual(['one']);
    t.close();
  });
});
