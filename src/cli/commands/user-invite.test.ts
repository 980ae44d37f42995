import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.js';

const MAIN = path.resolve(import.meta.dirname, '../main.ts');

function kiln(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
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
afterAll(async () => {
  await s?.close();
});

describe('kiln user invite', () => {
  it('prints the one-time invite URL, which then opens the invite for that person, team and role', async () => {
    const env = { KILN_URL: s.url, KILN_TOKEN: s.token };
    const r = await kiln(
      [
        'user',
        'invite',
        'frank',
        '--email',
        'frank@example.org',
        '--team',
        'default',
        '--role',
        'maintainer',
      ],
      env,
    );
    expect(r.stderr).toMatch(/Send this link to frank: it works once/);
    expect(r.code).toBe(0);
    const url = r.stdout.trim();
    expect(url).toMatch(new RegExp(`^${s.url}/invite/\\S+$`));
    const opened = await fetch(`${s.url}/api/invite/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: url.split('/invite/')[1] }),
    }).then((res) => res.json());
    expect(opened).toMatchObject({
      name: 'frank',
      email: 'frank@example.org',
      teamName: 'default',
      role: 'maintainer',
    });

    const bad = await kiln(['user', 'invite', 'gail', '--team', 'default', '--role', 'boss'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--role must be one of viewer, member, maintainer, owner/);
    const noTeam = await kiln(['user', 'invite', 'gail', '--team', 'nope', '--role', 'viewer'], env);
    expect(noTeam.code).not.toBe(0);
    expect(noTeam.stderr).toMatch(/no team named nope/);
  });
});
