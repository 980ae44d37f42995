import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerPipelineCommands } from './pipeline.js';

describe('kiln pipeline', () => {
  const cwd = process.cwd();
  afterEach(() => {
    process.chdir(cwd);
    process.exitCode = undefined;
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('runs, dry-runs and reports a failing stage', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'kiln-cli-'));
    writeFileSync(join(ws, 'dvc.yaml'), 'stages:\n  a:\n    cmd: echo hi > a.txt\n    outs: [a.txt]\n');
    process.chdir(ws);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const program = (): Command => {
      const p = new Command().exitOverride();
      registerPipelineCommands(p);
      return p;
    };
    await program().parseAsync(['node', 'kiln', 'pipeline', 'run', '--dry']);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain(
      "Would run stage 'a' (not in dvc.lock): echo hi > a.txt",
    );
    await program().parseAsync(['node', 'kiln', 'pipeline', 'run']);
    expect(readFileSync(join(ws, 'dvc.lock'), 'utf8')).toContain('  a:\n    cmd: echo hi > a.txt\n');
    await program().parseAsync(['node', 'kiln', 'pipeline', 'run', 'nope']);
    expect(process.exitCode).toBe(1);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain(
      "kiln pipeline: no stage named 'nope' in dvc.yaml",
    );
    process.exitCode = undefined;
    await program().parseAsync(['node', 'kiln', 'pipeline', 'pull']);
    expect(process.exitCode).toBe(1);
  });

  it('shows push and pull progress on a terminal, and only the summary when stderr is not one', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'kiln-cli-prog-'));
    const remote = mkdtempSync(join(tmpdir(), 'kiln-cli-prog-remote-'));
    mkdirSync(join(ws, '.dvc'));
    writeFileSync(
      join(ws, '.dvc', 'config'),
      `[core]\n    remote = r\n['remote "r"']\n    url = ${remote}\n`,
    );
    writeFileSync(
      join(ws, 'dvc.yaml'),
      'stages:\n  make:\n    cmd: mkdir -p out && printf aaaa > out/a && printf bbbbbb > out/b && head -c 300000 /dev/zero > model.bin\n    outs: [out, model.bin]\n',
    );
    process.chdir(ws);
    vi.stubEnv('KILN_PROGRESS', '');
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const written = (): string => err.mock.calls.map((c) => String(c[0])).join('');
    const kiln = async (...args: string[]): Promise<string> => {
      err.mockClear();
      const p = new Command().exitOverride();
      registerPipelineCommands(p);
      await p.parseAsync(['node', 'kiln', 'pipeline', ...args]);
      expect(process.exitCode, written()).toBeUndefined();
      // "↺" for a return and clear line: the line drawn over in place
      return written().replaceAll('\r\x1b[2K', '↺');
    };
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    const setTTY = (value: boolean): void => {
      Object.defineProperty(process.stderr, 'isTTY', { value, configurable: true, writable: true });
    };
    try {
      await kiln('run');
      setTTY(true);
      // a first line at once, then the totals as soon as they are known (4 objects: two files, the
      // directory's manifest, the model), all drawn in place, then cleared for the summary
      expect(await kiln('push')).toMatch(
        /^↺pushing… · 0s↺pushing 0\/4 objects · 0\.0\/293\.\d KB · 0s(↺pushing [1-4]\/4 objects · [\d.]+\/293\.\d KB · \ds)*↺4 file\(s\) pushed, 0 already on the remote\n$/,
      );
      setTTY(false);
      expect(await kiln('push')).toBe('0 file(s) pushed, 4 already on the remote\n');
      rmSync(join(ws, '.dvc', 'cache'), { recursive: true });
      rmSync(join(ws, 'out'), { recursive: true });
      rmSync(join(ws, 'model.bin'));
      expect(await kiln('pull')).toBe('4 file(s) fetched, 2 path(s) checked out\n');
      expect(readFileSync(join(ws, 'out', 'b'), 'utf8')).toBe('bbbbbb');
      // a pull's byte total is what dvc.lock records: the files, not the manifest
      rmSync(join(ws, '.dvc', 'cache'), { recursive: true });
      rmSync(join(ws, 'out'), { recursive: true });
      setTTY(true);
      expect(await kiln('pull')).toMatch(
        /^↺pulling… · 0s↺pulling 1\/4 objects · 0\.0\/293\.0 KB · 0s(↺pulling [1-4]\/4 objects · [\d.]+\/293\.0 KB · \ds)*↺pulling 4\/4 objects · 293\.0\/293\.0 KB, checking out… · \ds↺4 file\(s\) fetched, 1 path\(s\) checked out\n$/,
      );
    } finally {
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
  });
});
