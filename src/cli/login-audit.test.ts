import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/kiln.js');
const BUILT = existsSync(path.resolve(import.meta.dirname, '../../dist/cli/main.js'));
const ENTRY = BUILT ? [BIN] : ['--import', 'tsx', path.resolve(import.meta.dirname, 'main.ts')];

let s: TestServer;
let config: string;

/** The real `kiln` in a child process, with its own config dir and no token in the environment. */
function kiln(args: string[], onLine?: (line: string) => void) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [...ENTRY, ...args], {
      env: { ...process.env, KILN_URL: '', KILN_TOKEN: '', XDG_CONFIG_HOME: config },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      for (const line of d.toString().split('\n')) if (line) onLine?.(line);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

beforeAll(async () => {
  s = await startTestServer();
  config = mkdtempSync(path.join(tmpdir(), 'kiln-config-'));
});
afterAll(async () => s?.close());

describe('kiln login and kiln audit', () => {
  it('kiln login prints the approval URL and code, waits, saves the token 0600, and the next command uses it', async () => {
    let approved: Promise<unknown> | null = null;
    const login = await kiln(['--url', s.url, 'login', '--name', 'my laptop'], (line) => {
      const m = /Open (\S+)\?code=([A-Z]{4}-[A-Z]{4})/.exec(line);
      if (m && !approved) {
        expect(m[1]).toBe(`${s.url}/device-login`);
        approved = s.api('POST', '/api/device-login/approve', { user_code: m[2] });
      }
    });
    expect(login.code, login.stderr).toBe(0);
    expect(approved).not.toBeNull();
    expect(login.stdout).toContain(`Logged in to ${s.url} with token "my laptop" (scope admin)`);
    const file = path.join(config, 'kiln', 'login.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      default: string;
      servers: Record<string, { token: string }>;
    };
    expect(saved.default).toBe(s.url);
    expect(saved.servers[s.url]?.token).toMatch(/^kiln_/);

    // No --url, --token or KILN_TOKEN: the saved login is used.
    const audit = await kiln(['audit', '--json', '--action', 'token.']);
    expect(audit.code, audit.stderr).toBe(0);
    const events = JSON.parse(audit.stdout) as Array<{
      action: string;
      actorName: string;
      detail: Record<string, unknown>;
    }>;
    expect(events.find((e) => e.action === 'token.created')).toMatchObject({
      actorName: 'admin',
      detail: { via: 'device-login', client: 'kiln CLI', name: 'my laptop', scope: 'admin' },
    });
  }, 60_000);

  it('kiln audit pages through the trail and filters by project', async () => {
    for (let i = 0; i < 3; i++) await s.api('POST', '/api/tokens', { name: `t${i}` });
    const all = await kiln(['audit', '--json', '--all']);
    expect(all.code, all.stderr).toBe(0);
    const n = (JSON.parse(all.stdout) as unknown[]).length;
    expect(n).toBeGreaterThanOrEqual(5);
    const two = await kiln(['audit', '--json', '--limit', '2']);
    expect(JSON.parse(two.stdout)).toHaveLength(2);
    const none = await kiln(['audit', '--json', '--project', 'nothing-here']);
    expect(none.code, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual([]);
    const table = await kiln(['audit', '--limit', '3']);
    expect(table.stdout.split('\n')[0]).toBe('time\tperson\tfrom\taction\tproject\ttarget\toutcome');
    expect(table.stdout).toContain('token.created');
  }, 60_000);
});
