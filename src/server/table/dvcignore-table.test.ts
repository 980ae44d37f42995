import path from 'node:path';
import { expect, it } from 'vitest';
import type { TableRow } from '../../contracts/api.js';
import { ProjectTable } from './project-table.js';
import { TestRepo } from '../../../test/test-repo.js';

const stage = (name: string, params: string, metrics: string) =>
  `stages:\n  ${name}:\n    cmd: x\n    params: [${params}]\n    metrics:\n      - ${metrics}:\n          cache: false\n`;

it('the table reads every dvc.yaml of a commit except those a .dvcignore excludes (at the root or nested)', async () => {
  const repo = new TestRepo();
  repo
    .write('dvc.yaml', stage('train', 'lr', 'eval.json'))
    .write('params.yaml', 'lr: 0.1\n')
    .write('eval.json', '{"acc": 0.9}')
    .write('sub/dvc.yaml', stage('prep', 'k', 'prep.json'))
    .write('sub/params.yaml', 'k: 2\nother: 1\n')
    .write('sub/prep.json', '{"rows": 10}')
    .write('lab/exp/dvc.yaml', stage('try', 'seed', 'out/try.json'))
    .write('lab/exp/params.yaml', 'seed: 7\n')
    .write('lab/exp/out/try.json', '{"loss": 0.5}');
  repo.commit('three pipelines');
  repo.write('.dvcignore', '# vendored, not ours\nsub/\n');
  repo.commit('ignore sub');
  repo.write('lab/.dvcignore', 'exp/\n');
  repo.commit('ignore lab/exp too');
  repo.remove('.dvcignore').remove('lab/.dvcignore').write('sub/dvc.yaml', 'stages: [oops');
  repo.commit('broken nested dvc.yaml');

  const t = new ProjectTable(
    path.join(repo.dir, '.git'),
    { subdir: null, paramsFiles: [], metricsFiles: [] },
    null,
  );
  await t.refresh();
  const rows = t.rows(false);
  const row = (m: string): TableRow => {
    const r = rows.find((x) => x.message === m);
    if (!r) throw new Error(`no row ${m}`);
    return r;
  };
  const all = row('three pipelines');
  expect(all.params).toEqual({
    'params.yaml': { lr: 0.1 },
    'sub/params.yaml': { k: 2 },
    'lab/exp/params.yaml': { seed: 7 },
  });
  expect(all.metrics).toEqual({
    'eval.json': { acc: 0.9 },
    'sub/prep.json': { rows: 10 },
    'lab/exp/out/try.json': { loss: 0.5 },
  });

  const noSub = row('ignore sub');
  expect(Object.keys(noSub.params).sort()).toEqual(['lab/exp/params.yaml', 'params.yaml']);
  expect(Object.keys(noSub.metrics).sort()).toEqual(['eval.json', 'lab/exp/out/try.json']);

  const onlyRoot = row('ignore lab/exp too');
  expect(onlyRoot.params).toEqual({ 'params.yaml': { lr: 0.1 } });
  expect(onlyRoot.metrics).toEqual({ 'eval.json': { acc: 0.9 } });

  const broken = row('broken nested dvc.yaml');
  expect(broken.errors['sub/dvc.yaml']).toMatch(/sub\/dvc\.yaml/);
  expect(broken.params['lab/exp/params.yaml']).toEqual({ seed: 7 });
  expect(broken.metrics['eval.json']).toEqual({ acc: 0.9 });
  t.close();
});
