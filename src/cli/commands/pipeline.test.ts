import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
});
