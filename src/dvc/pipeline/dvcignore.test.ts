import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPipeline } from './run.js';

const quiet = { log: () => {}, output: () => {} };
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A project with a stage in dvc.yaml, sub/dvc.yaml and lab/exp/dvc.yaml; in a Git work tree or not. */
function project(inGit: boolean): string {
  const ws = mkdtempSync(join(tmpdir(), 'kiln-dvcignore-pipeline-'));
  made.push(ws);
  if (inGit) execFileSync('git', ['init', '-q'], { cwd: ws });
  for (const [dir, stage] of [
    ['', 'a'],
    ['sub', 'b'],
    ['lab/exp', 'c'],
  ] as const) {
    mkdirSync(join(ws, dir), { recursive: true });
    writeFileSync(
      join(ws, dir, 'dvc.yaml'),
      `stages:\n  ${stage}:\n    cmd: echo ${stage} > ${stage}.txt\n    outs: [${stage}.txt]\n`,
    );
  }
  return ws;
}

const stagesRun = async (ws: string) => (await runPipeline({ root: ws, dry: true, ...quiet })).ran;

describe('kiln pipeline leaves out the dvc.yaml files .dvcignore excludes', () => {
  for (const inGit of [true, false]) {
    it(inGit ? 'in a Git work tree' : 'in a plain directory', async () => {
      const ws = project(inGit);
      expect(await stagesRun(ws)).toEqual(['a', 'lab/exp/dvc.yaml:c', 'sub/dvc.yaml:b']);

      writeFileSync(join(ws, '.dvcignore'), '# not ours\nsub/\n');
      expect(await stagesRun(ws)).toEqual(['a', 'lab/exp/dvc.yaml:c']);

      // a .dvcignore in a subdirectory applies below it
      writeFileSync(join(ws, 'lab', '.dvcignore'), 'exp/\n');
      expect(await stagesRun(ws)).toEqual(['a']);
      // and asking for an ignored stage by name fails as for any unknown stage
      await expect(
        runPipeline({ root: ws, targets: ['sub/dvc.yaml:b'], dry: true, ...quiet }),
      ).rejects.toThrow(/sub\/dvc\.yaml:b/);
    });
  }
});
