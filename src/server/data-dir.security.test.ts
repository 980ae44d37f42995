import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './app.js';
import { TestRepo } from '../../test/test-repo.js';

const servers: RunningServer[] = [];
let checked = 0;
let loose = 0;

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  console.log(`data dir modes: ${checked} paths checked, ${loose} readable by others`);
});

async function start(home: string): Promise<{ s: RunningServer; lines: string[]; token: string }> {
  const lines: string[] = [];
  const s = await startServer(
    // Its fixture repository is a temp dir.
    { home, port: 0, host: '127.0.0.1', fetchIntervalSec: 0, createDemo: false, sourceRoots: [tmpdir()] },
    (l) => lines.push(l),
  );
  servers.push(s);
  const { user } = await s.store.ensureAdmin();
  return { s, lines, token: (await s.auth.createToken(user.id, 't')).token };
}

const modeOf = (p: string) => {
  checked++;
  const m = statSync(p).mode & 0o777;
  if (m & 0o077) loose++;
  return m.toString(8);
};

describe('the data dir is private to the server’s user', () => {
  it('a new data dir is 0700 and the database, WAL, key, mirrors and uploads in it are not readable by others', async () => {
    const home = path.join(mkdtempSync(path.join(tmpdir(), 'kiln-private-')), 'home');
    process.umask(0o022);
    const { s, lines, token } = await start(home);
    const repo = new TestRepo();
    repo.write('params.yaml', 'lr: 1\n').commit('first');
    const auth = { authorization: `token ${token}` };
    const added = await fetch(`${s.url}/api/projects`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'p', source: repo.dir }),
    });
    expect(added.status).toBe(201);
    expect((await fetch(`${s.url}/api/projects/p/reload`, { method: 'POST', headers: auth })).status).toBe(
      200,
    );
    const up = await fetch(`${s.url}/api/projects/p/uploads?path=data.csv`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: 'a,b\n1,2\n',
    });
    expect(up.status).toBe(201);
    const { uploadId } = (await up.json()) as { uploadId: string };

    expect(modeOf(home)).toBe('700');
    for (const f of ['kiln.db', 'kiln.db-wal', 'secret.key', path.join('uploads', 'p', uploadId)])
      expect(modeOf(path.join(home, f)), f).toBe('600');
    expect(modeOf(s.projects.mirrorDir('p')), 'mirror').toBe('700');
    expect(modeOf(path.join(s.projects.mirrorDir('p'), 'HEAD')), 'mirror file').toBe('600');
    expect(lines.join('\n')).not.toContain('readable by other users');
  });

  it('warns at start, naming what is loose and the command to fix it', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'kiln-loose-'));
    chmodSync(home, 0o755);
    mkdirSync(path.join(home, 'logs'), { mode: 0o755 });
    chmodSync(path.join(home, 'logs'), 0o755);
    writeFileSync(path.join(home, 'kiln.db'), '');
    chmodSync(path.join(home, 'kiln.db'), 0o644);
    const { lines } = await start(home);
    const warning = lines.find((l) => l.includes('readable by other users')) ?? '';
    expect(warning).toContain(`. (0755)`);
    expect(warning).toContain('logs (0755)');
    expect(warning).toContain('kiln.db (0644)');
    expect(warning).toContain(`chmod -R go-rwx '${home}'`);
  });
});
