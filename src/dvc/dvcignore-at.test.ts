import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkTreeDvcIgnore } from './dvcignore-at.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kiln-dvcignore-at-'));
  made.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('WorkTreeDvcIgnore: the .dvcignore rules of a work tree, as DVC reads them', () => {
  it('judges an existing path as what it is: a directory pattern leaves out a directory, not a file', async () => {
    const root = tree({ '.dvcignore': 'model/\n', 'a/model': 'a file', 'b/model/w.bin': 'w' });
    const ig = new WorkTreeDvcIgnore(root);
    expect(await ig.ignores(join(root, 'a', 'model'))).toBe(false);
    expect(await ig.ignores(join(root, 'b', 'model'))).toBe(true);
    // a path not there yet is left out when it would be as a file or as a directory
    expect(await ig.ignores(join(root, 'c', 'model'))).toBe(true);
    // outside the project no rule applies
    expect(await ig.ignores(join(root, '..', 'model'))).toBe(false);
  });

  it('does not read a .dvcignore that is itself left out, and reads rules written after it was created', async () => {
    const root = tree({
      '.dvcignore': 'sub/.dvcignore\n',
      'sub/.dvcignore': '*.txt\n',
      'sub/out/a.txt': 'a',
      'sub/out/b.bin': 'b',
    });
    const ig = new WorkTreeDvcIgnore(root);
    const under = await ig.under(join(root, 'sub', 'out'), true);
    expect(under?.('a.txt', false)).toBe(false);
    writeFileSync(join(root, '.dvcignore'), '');
    const now = await ig.under(join(root, 'sub', 'out'), true);
    expect(now?.('a.txt', false)).toBe(true);
    expect(now?.('b.bin', false)).toBe(false);
  });

  it('refuses a .dvcignore inside a directory it collects, but not when only checking it out', async () => {
    const root = tree({ 'out/x': 'x' });
    const ig = new WorkTreeDvcIgnore(root);
    const collect = await ig.under(join(root, 'out'), true);
    expect(() => collect?.('deep/.dvcignore', false)).toThrow(
      /'out\/deep\/\.dvcignore': DVC does not collect/,
    );
    expect(collect?.('.git', true)).toBe(true);
    expect(collect?.('deep/.hg', true)).toBe(true);
    expect((await ig.under(join(root, 'out'), false))?.('deep/.dvcignore', false)).toBe(false);
  });
});
