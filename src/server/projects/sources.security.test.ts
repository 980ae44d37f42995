import { mkdtempSync, symlinkSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../git/run-git.js';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { isPrivateAddress } from './source-policy.js';

let s: TestServer;
let root = '';

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'kiln-sources-'));
  const repo = path.join(root, 'allowed');
  await mkdir(repo);
  await writeFile(path.join(repo, 'README.md'), 'hi\n');
  await git(['init', '--quiet', '-b', 'main'], { cwd: repo });
  await git(['add', '.'], { cwd: repo });
  await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'one'], { cwd: repo });
  symlinkSync('/etc', path.join(root, 'etc-link'));
  // An admin's policy: projects from `root` only, no private addresses.
  s = await startTestServer({ sourceRoots: [root], allowPrivateSources: false });
}, 60_000);
afterAll(async () => {
  await s?.close();
  await rm(root, { recursive: true, force: true });
});

describe('security: project sources', () => {
  it('refuses sources outside the admin roots, in the data dir, and on private addresses, without probing them', async () => {
    expect(
      (await s.api('POST', '/api/projects', { name: 'ok', source: path.join(root, 'allowed') })).status,
    ).toBe(201);
    const hostile = [
      '/etc',
      'file:///etc',
      `${root}/../../etc`,
      path.join(root, 'etc-link'),
      path.join(s.home, 'repos', 'ok.git'),
      s.home,
      'http://127.0.0.1:9/repo.git',
      'http://localhost:9/repo.git',
      'http://[::1]:9/repo.git',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/repo.git',
      'https://192.168.0.1/repo.git',
      'ssh://git@127.0.0.1:2222/repo.git',
      'git@127.0.0.1:repo.git',
      'ext::sh -c touch% /tmp/kiln-pwned',
      'ftp://example.com/repo.git',
    ];
    let accepted = 0;
    for (const [i, source] of hostile.entries()) {
      const r = await s.api('POST', '/api/projects', { name: `h${i}`, source });
      const text = JSON.stringify(r.json);
      if (r.status !== 400) {
        accepted++;
        console.log(`accepted: ${source} → ${r.status} ${text}`);
        continue;
      }
      // Words a person can act on, and nothing learnt about the machine or the network.
      expect(text).toMatch(/KILN_SOURCE_ROOTS|KILN_ALLOW_PRIVATE_SOURCES|use an http\(s\), ssh or git URL/);
      expect(text).not.toMatch(/exist|refused|ECONN|timed out|not a directory|directory of|fatal/i);
    }
    console.log(`hostile project sources: ${accepted}/${hostile.length} accepted`);
    expect(accepted).toBe(0);
    const list = (await s.api('GET', '/api/projects')).json as { projects: Array<{ name: string }> };
    expect(list.projects.map((p) => p.name)).toEqual(['ok']);
  });

  it('tells private addresses from public ones (v4, v6, v4-mapped)', () => {
    for (const ip of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '100.64.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['8.8.8.8', '172.32.0.1', '140.82.112.3', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(ip), ip).toBe(false);
  });
});
