import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashDir, hashFile, manifestJson, md5Text } from './hash.js';

const md5sum = (p: string): string => execFileSync('md5sum', [p], { encoding: 'utf8' }).split(' ')[0] ?? '';

describe('hash', () => {
  it('hashes a file as md5sum does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-hash-'));
    const p = join(dir, 'big.bin');
    writeFileSync(p, Buffer.alloc(3 * 1024 * 1024 + 17, 7));
    expect(await hashFile(p)).toEqual({ md5: md5sum(p), size: 3 * 1024 * 1024 + 17 });
  });

  it('hashes a directory by its sorted manifest, as DVC 3 does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-hashdir-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'b.txt'), 'b');
    writeFileSync(join(dir, 'sub', 'a.txt'), 'a');
    writeFileSync(join(dir, 'Z.txt'), 'z');
    writeFileSync(join(dir, 'é.txt'), 'e');
    const h = await hashDir(dir);
    const m = (s: string): string => md5Text(s);
    const expected =
      `[{"md5": "${m('z')}", "relpath": "Z.txt"}, {"md5": "${m('b')}", "relpath": "b.txt"}, ` +
      `{"md5": "${m('a')}", "relpath": "sub/a.txt"}, {"md5": "${m('e')}", "relpath": "\\u00e9.txt"}]`;
    expect(h.manifestText).toBe(expected);
    writeFileSync(join(dir, '..', 'manifest.json'), expected);
    expect(h.md5).toBe(`${md5sum(join(dir, '..', 'manifest.json'))}.dir`);
    expect(h.size).toBe(4);
    expect(h.nfiles).toBe(4);
    expect(manifestJson([])).toBe('[]');
  });

  it('matches the fixture dvc.lock directory hash', async () => {
    // the prepared-data manifest layout from make-dvc-project: two files
    const dir = mkdtempSync(join(tmpdir(), 'kiln-fx-'));
    writeFileSync(join(dir, 'train.tsv'), 'x\n');
    writeFileSync(join(dir, 'test.tsv'), 'y\n');
    const py = execFileSync(
      'python3',
      [
        '-c',
        'import json,hashlib,sys;m=sorted([{"md5":hashlib.md5(b"x\\n").hexdigest(),"relpath":"train.tsv"},{"md5":hashlib.md5(b"y\\n").hexdigest(),"relpath":"test.tsv"}],key=lambda e:e["relpath"]);print(hashlib.md5(json.dumps(m,sort_keys=True).encode()).hexdigest()+".dir")',
      ],
      { encoding: 'utf8' },
    ).trim();
    expect((await hashDir(dir)).md5).toBe(py);
  });

  it('leaves out what the ignore predicate excludes and never walks into an ignored directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-hashdir-ignore-'));
    mkdirSync(join(dir, 'skip', 'deep'), { recursive: true });
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.txt'), 'a');
    writeFileSync(join(dir, 'x.tmp'), 'ignored');
    writeFileSync(join(dir, 'sub', 'b.txt'), 'bb');
    writeFileSync(join(dir, 'sub', 'y.tmp'), 'ignored too');
    writeFileSync(join(dir, 'skip', 'deep', 'c.txt'), 'c');
    const asked: string[] = [];
    const h = await hashDir(dir, {
      ignore: (rel, isDir) => {
        asked.push(rel);
        return rel.endsWith('.tmp') || (isDir && rel === 'skip');
      },
    });
    expect(h.manifest.map((e) => e.relpath)).toEqual(['a.txt', 'sub/b.txt']);
    expect([h.size, h.nfiles]).toEqual([3, 2]);
    const expected = `[{"md5": "${md5Text('a')}", "relpath": "a.txt"}, {"md5": "${md5Text('bb')}", "relpath": "sub/b.txt"}]`;
    expect(h.manifestText).toBe(expected);
    const manifestFile = join(mkdtempSync(join(tmpdir(), 'kiln-manifest-')), 'manifest.json');
    writeFileSync(manifestFile, expected);
    expect(h.md5).toBe(`${md5sum(manifestFile)}.dir`);
    expect(asked).toContain('skip');
    expect(asked.filter((r) => r.startsWith('skip/'))).toEqual([]);
  });
});
