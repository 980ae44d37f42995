import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvcIgnoreMatcher, pipelineFilesOf } from './dvcignore.js';

const TREE = [
  'dvc.yaml',
  'sub/dvc.yaml',
  'sub/deep/dvc.yaml',
  'other/dvc.yaml',
  'other/keep/dvc.yaml',
  'x/build/dvc.yaml',
  'notes/dvc.yaml.bak',
];

describe('.dvcignore', () => {
  it('without a .dvcignore every dvc.yaml is collected, the top-level one first', () => {
    expect(pipelineFilesOf([...TREE].reverse(), [])).toEqual([
      'dvc.yaml',
      'other/dvc.yaml',
      'other/keep/dvc.yaml',
      'sub/deep/dvc.yaml',
      'sub/dvc.yaml',
      'x/build/dvc.yaml',
    ]);
  });

  it('a directory pattern in the root .dvcignore excludes every dvc.yaml below it', () => {
    expect(pipelineFilesOf(TREE, [{ path: '.dvcignore', text: '# pipelines we skip\nsub/\n' }])).toEqual([
      'dvc.yaml',
      'other/dvc.yaml',
      'other/keep/dvc.yaml',
      'x/build/dvc.yaml',
    ]);
  });

  it('a nested .dvcignore applies below its directory only, after its parents’ rules', () => {
    const ignores = [
      { path: '.dvcignore', text: 'build/\n' },
      { path: 'other/.dvcignore', text: '*\n!keep/\n!keep/dvc.yaml\n' },
      // re-includes what the root excluded, below x/ only
      { path: 'x/.dvcignore', text: '!build/\n' },
      { path: 'sub/.dvcignore', text: '/dvc.yaml\n' },
    ];
    expect(pipelineFilesOf([...TREE, 'y/build/dvc.yaml'], ignores)).toEqual([
      'dvc.yaml',
      'other/keep/dvc.yaml',
      'sub/deep/dvc.yaml',
      'x/build/dvc.yaml',
    ]);
  });

  it('a .dvcignore inside an ignored directory is not read, and cannot bring a file back', () => {
    const ignores = [
      { path: '.dvcignore', text: 'sub/\n' },
      { path: 'sub/.dvcignore', text: '!dvc.yaml\n' },
    ];
    expect(pipelineFilesOf(TREE, ignores)).not.toContain('sub/dvc.yaml');
  });

  it('a .dvcignore a rule names is not read either', () => {
    const ignores = [
      { path: '.dvcignore', text: 'sub/.dvcignore\n' },
      { path: 'sub/.dvcignore', text: 'dvc.yaml\n' },
    ];
    expect(pipelineFilesOf(TREE, ignores)).toContain('sub/dvc.yaml');
    expect(pipelineFilesOf(TREE, ignores.slice(1))).not.toContain('sub/dvc.yaml');
  });

  it('DVC’s own directories are always ignored', () => {
    const ignored = dvcIgnoreMatcher([]);
    expect(ignored('.dvc/tmp/dvc.yaml')).toBe(true);
    expect(ignored('.git', true)).toBe(true);
    expect(ignored('src/.dvc/dvc.yaml')).toBe(false);
  });

  it('a single .dvcignore decides as Git decides for the same patterns in a .gitignore', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'kiln-dvcignore-'));
    try {
      const rules = ['*.tmp', '/top.txt', 'data/raw/', 'logs/**/debug.log', '!keep.tmp', 'a?c', 'b[xy]z'];
      const paths = [
        'x.tmp',
        'd/x.tmp',
        'keep.tmp',
        'top.txt',
        'd/top.txt',
        'data/raw/f',
        'p/data/raw/f',
        'data/rawx/f',
        'logs/debug.log',
        'logs/a/b/debug.log',
        'abc',
        'd/abc',
        'bxz',
        'bzz',
      ];
      execFileSync('git', ['init', '-q', tmp]);
      writeFileSync(join(tmp, '.gitignore'), rules.join('\n'));
      for (const p of paths) {
        mkdirSync(dirname(join(tmp, p)), { recursive: true });
        writeFileSync(join(tmp, p), '');
      }
      const byGit = new Set(
        execFileSync('git', ['ls-files', '-z', '--others', '--ignored', '--exclude-standard'], {
          cwd: tmp,
          encoding: 'utf8',
        })
          .split('\0')
          .filter((f) => f !== ''),
      );
      // the same rules, once at the root and once moved into d/ (where they apply to d/'s paths)
      const ignored = dvcIgnoreMatcher([{ path: '.dvcignore', text: rules.join('\n') }]);
      expect(paths.filter((p) => ignored(p))).toEqual(paths.filter((p) => byGit.has(p)));
      const nested = dvcIgnoreMatcher([{ path: 'd/.dvcignore', text: rules.join('\n') }]);
      expect(paths.filter((p) => nested(`d/${p}`))).toEqual(paths.filter((p) => byGit.has(p)));
      expect(nested('x.tmp')).toBe(false);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
