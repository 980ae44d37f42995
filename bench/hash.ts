import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, writeSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { hashDir, hashFile } from '../src/dvc/hash.js';
import { median, round, type BenchResult } from './result.js';

// the size: a 1 GB file
const FILE_MB = 1024;
const DIR_FILES = 20_000;
const RUNS = 3;

function bigFile(dir: string): string {
  const file = path.join(dir, `big-${FILE_MB}mb.bin`);
  if (existsSync(file)) return file;
  const chunk = randomBytes(1 << 20);
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < FILE_MB; i++) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return file;
}

function manyFiles(dir: string): string {
  const root = path.join(dir, `dir-${DIR_FILES}`);
  if (existsSync(`${root}.done`)) return root;
  rmSync(root, { recursive: true, force: true });
  const seed = randomBytes(8192);
  for (let i = 0; i < DIR_FILES; i++) {
    const sub = path.join(root, `d${Math.floor(i / 200)}`);
    if (i % 200 === 0) mkdirSync(sub, { recursive: true });
    const size = 512 + ((i * 7919) % 7000);
    const buf = Buffer.from(seed.subarray(0, size));
    buf.writeUInt32LE(i, 0);
    writeFileSync(path.join(sub, `f${i}.bin`), buf);
  }
  writeFileSync(`${root}.done`, '');
  return root;
}

async function time(f: () => Promise<unknown> | unknown): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

export async function benchHash(): Promise<BenchResult[]> {
  const dir = path.join(tmpdir(), 'kiln-bench-hash');
  mkdirSync(dir, { recursive: true });
  const file = bigFile(dir);
  const tree = manyFiles(dir);
  // warm the page cache so both sides read from memory
  execFileSync('md5sum', [file], { stdio: 'ignore' });
  await hashDir(tree);

  const kilnFile = await time(() => hashFile(file));
  const floorFile = await time(() => execFileSync('md5sum', [file], { stdio: 'ignore' }));
  const mbps = (ms: number): number => FILE_MB / (ms / 1000);

  const kilnDir = await time(() => hashDir(tree));
  const floorDir = await time(() =>
    execFileSync('bash', ['-c', 'find . -type f -print0 | xargs -0 md5sum > /dev/null'], {
      cwd: tree,
      stdio: 'ignore',
    }),
  );
  const fps = (ms: number): number => DIR_FILES / (ms / 1000);

  return [
    {
      name: 'hash.file',
      value: round(mbps(kilnFile), 1),
      unit: `MB/s (${FILE_MB} MB file)`,
      baseline: round(mbps(floorFile), 1),
      ratio: round(mbps(kilnFile) / mbps(floorFile)),
    },
    {
      name: 'hash.dir',
      value: round(fps(kilnDir), 0),
      unit: `files/s (${DIR_FILES} files, .dir manifest)`,
      baseline: round(fps(floorDir), 0),
      ratio: round(fps(kilnDir) / fps(floorDir)),
    },
  ];
}
