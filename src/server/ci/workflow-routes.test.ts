import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeneratedWorkflow } from '../../contracts/ci.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

// `npm test` builds first, so the real bin runs; without a build, tsx runs the source.
const ROOT = path.resolve(import.meta.dirname, '../../..');
const BUILT = existsSync(path.join(ROOT, 'dist/cli/commands/ci-workflow.js'));
const ENTRY = BUILT
  ? [path.join(ROOT, 'bin/kiln.js')]
  : ['--import', 'tsx', path.resolve(import.meta.dirname, '../../cli/main.ts')];

function kiln(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...ENTRY, ...args],
      { env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe('POST /api/ci/workflow', () => {
  it('returns the workflow, its path, warnings and secrets', async () => {
    const r = await s.api('POST', '/api/ci/workflow', { ci: 'gitlab', cloud: 'azure', hdd: 50, spot: true });
    expect(r.status).toBe(200);
    const w = GeneratedWorkflow.parse(r.json);
    expect(w.path).toBe('.gitlab-ci.yml');
    expect(w.workflow).toContain('--cloud=azure');
    expect(w.warnings.join()).toContain('HDD size 50 GB');
    expect(w.secrets).toContain('AZURE_TENANT_ID');
  });

  it('refuses bad input and anonymous callers', async () => {
    const bad = await s.api('POST', '/api/ci/workflow', { ci: 'github', cloud: 'ibm' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('cloud');
    const anon = await s.api(
      'POST',
      '/api/ci/workflow',
      { ci: 'github', cloud: 'aws' },
      { authorization: '' },
    );
    expect(anon.status).toBe(401);
  });
});

describe('kiln ci workflow', () => {
  it('prints the generated workflow, warnings on stderr', async () => {
    const script = path.join(tmpdir(), `kiln-ci-script-${process.pid}.sh`);
    writeFileSync(script, 'python train.py\n');
    const env = { KILN_URL: s.url, KILN_TOKEN: s.token };
    const args = [
      'ci',
      'workflow',
      '--ci',
      'github',
      '--cloud',
      'aws',
      '--region',
      'eu-west',
      '--type',
      'm+t4',
    ];
    const r = await kiln(
      [
        ...args,
        '--spot',
        '--hdd',
        '40',
        '--reuse-idle',
        '--labels',
        'gpu,big',
        '--idle-timeout',
        '120',
        '--script',
        script,
      ],
      env,
    );
    expect(r.stderr).toContain('HDD size 40 GB');
    expect(r.code).toBe(0);
    for (const flag of [
      '--cloud=aws',
      '--cloud-region=eu-west',
      '--cloud-type=m+t4',
      '--cloud-spot',
      '--cloud-hdd-size=40',
      '--reuse-idle',
      '--labels=gpu,big',
      '--idle-timeout=120',
    ])
      expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('python train.py');
    const both = await kiln([...args, '--reuse', '--reuse-idle'], env);
    expect(both.code).toBe(2);
    const badHdd = await kiln([...args, '--hdd', 'lots'], env);
    expect(badHdd.stderr).toContain('--hdd must be a whole number');
  }, 300_000); // three CLI processes under tsx: slow on a loaded machine
});
