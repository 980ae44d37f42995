import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_VERSION, startupScript, type StartupScriptOptions } from './startup-script.js';

/**
 * The startup script runs for real (bash, curl, tar) in a clean directory, against local
 * stand-ins for the Kiln server (which hands out a small stand-in agent), each cloud's metadata
 * endpoint and the Node.js download site.
 */
const AGENT = `
import { mkdirSync, writeFileSync } from 'node:fs';
if (process.env.BUSY) mkdirSync('work/job', { recursive: true });
const { KILN_TOKEN: token, KILN_PREEMPTION: preemption, KILN_METADATA_URL: metadata, KILN_IDLE_TIMEOUT: idle } = process.env;
writeFileSync('agent-ran', JSON.stringify({ argv: process.argv.slice(2), token, preemption, metadata, idle }));
process.on('SIGTERM', () => { writeFileSync('agent-stopped', 'TERM'); process.exit(0); });
setInterval(() => undefined, 1000);
`;
let server: Server;
/** The Kiln stand-in's tokens: bootstrap tokens spent, agent tokens it issued (true while valid). */
const spent = new Set<string>();
const agentTokens = new Map<string, boolean>();
const revoked: string[] = [];
let boots = 0;
let base = '';
let interrupted = false;
const asked: string[] = [];
const tools = mkdtempSync(path.join(tmpdir(), 'kiln-script-tools-'));

beforeAll(async () => {
  // A Node.js "release" whose bin/node is this machine's node, as nodejs.org lays it out.
  const rel = path.join(tools, 'rel', `node-${NODE_VERSION}-linux-x64`);
  mkdirSync(path.join(rel, 'bin'), { recursive: true });
  symlinkSync(process.execPath, path.join(rel, 'bin', 'node'));
  execFileSync('tar', [
    '-czf',
    path.join(tools, 'node.tar.gz'),
    '-C',
    path.join(tools, 'rel'),
    path.basename(rel),
  ]);
  server = createServer((req, res) => {
    const url = req.url ?? '';
    asked.push(url);
    const token = /^token (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (req.method === 'POST' && url === '/api/agents/exchange') {
      if (!/^boot-\d+$/.test(token) || spent.has(token)) return void res.writeHead(401).end();
      spent.add(token);
      const agentToken = `kiln_agent-${token}`;
      agentTokens.set(agentToken, true);
      return void res.end(JSON.stringify({ token: agentToken, id: `id-${token}` }));
    }
    if (req.method === 'POST' && url === '/api/agents/revoke') {
      if (!agentTokens.get(token)) return void res.writeHead(401).end();
      agentTokens.set(token, false);
      revoked.push(token);
      return void res.writeHead(204).end();
    }
    if (url === '/api/compute/agent.mjs') {
      if (!agentTokens.get(token)) return void res.writeHead(401).end();
      return void res.end(AGENT);
    }
    if (url === `/dist/${NODE_VERSION}/node-${NODE_VERSION}-linux-x64.tar.gz`)
      return void res.end(readFileSync(path.join(tools, 'node.tar.gz')));
    // EC2 with IMDSv2 required: no session token, no metadata.
    if (req.method === 'PUT' && url === '/latest/api/token')
      return void res.end(req.headers['x-aws-ec2-metadata-token-ttl-seconds'] ? 'imds-session' : '');
    if (
      url === '/latest/meta-data/spot/instance-action' &&
      req.headers['x-aws-ec2-metadata-token'] !== 'imds-session'
    )
      return void res.writeHead(401).end();
    if (!interrupted) return void res.writeHead(404).end();
    if (url === '/latest/meta-data/spot/instance-action')
      return void res.end('{"action": "terminate", "time": "2024-01-01T00:00:00Z"}');
    if (url === '/computeMetadata/v1/instance/preempted' && req.headers['metadata-flavor'] === 'Google')
      return void res.end('TRUE');
    if (url.startsWith('/metadata/scheduledevents') && req.headers.metadata === 'true')
      return void res.end(
        '{"DocumentIncarnation": 2, "Events": [{"EventId": "e1", "EventType": "Preempt"}]}',
      );
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Runs the script in a clean dir; resolves when it ends, with the dir. */
function boot(
  o: Partial<StartupScriptOptions>,
  pathDirs: string,
  env: Record<string, string> = {},
): { dir: string; done: Promise<number | null> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-vm-'));
  const script = startupScript({
    cloud: 'aws',
    url: base,
    token: `boot-${++boots}`,
    exchange: true,
    idleTimeoutSec: 600,
    metadata: base,
    poweroff: 'echo off >powered-off',
    nodeDist: `${base}/dist`,
    ...o,
  });
  writeFileSync(path.join(dir, 'user-data'), script);
  const p = spawn(BASH, [path.join(dir, 'user-data')], {
    cwd: dir,
    env: { PATH: pathDirs, KILN_DIR: dir, HOME: dir, ...env },
    stdio: 'ignore',
  });
  return { dir, done: new Promise((r) => p.on('exit', r)) };
}

async function until(f: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!f()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const BASH = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();
const FULL_PATH = `${path.dirname(process.execPath)}:/usr/bin:/bin`;

describe('startup script', () => {
  for (const cloud of ['aws', 'gcp', 'azure'] as const) {
    it(`${cloud}: fetches the agent with its token, starts it, and stops it on the interruption notice`, async () => {
      interrupted = false;
      const vm = boot({ cloud }, FULL_PATH);
      await until(() => existsSync(path.join(vm.dir, 'agent-ran')));
      const ran = JSON.parse(readFileSync(path.join(vm.dir, 'agent-ran'), 'utf8')) as { token: string };
      expect(ran).toEqual({
        argv: ['--url', base, '--work', path.join(vm.dir, 'work')],
        // The agent got the token the bootstrap one was traded for.
        token: expect.stringMatching(/^kiln_agent-boot-\d+$/),
        // The agent watches the notice itself, to checkpoint its run.
        preemption: cloud,
        metadata: base,
        // The agent leaves by itself after the idle timeout, between two claims.
        idle: '600',
      });
      // The user data holds only the bootstrap token, spent by now: reading it gets nothing.
      const userData = readFileSync(path.join(vm.dir, 'user-data'), 'utf8');
      expect(userData).not.toContain(ran.token);
      const bootstrap = /^KILN_BOOTSTRAP='(boot-\d+)'$/m.exec(userData)?.[1] ?? '';
      expect(bootstrap).not.toBe('');
      const again = await fetch(`${base}/api/agents/exchange`, {
        method: 'POST',
        headers: { authorization: `token ${bootstrap}` },
      });
      expect(again.status).toBe(401);
      interrupted = true;
      expect(await vm.done).toBe(0);
      expect(readFileSync(path.join(vm.dir, 'status'), 'utf8').trim()).toBe('interrupted');
      expect(existsSync(path.join(vm.dir, 'agent-stopped'))).toBe(true);
      expect(readFileSync(path.join(vm.dir, 'powered-off'), 'utf8').trim()).toBe('off');
      // It revoked its agent token on the way out.
      expect(agentTokens.get(ran.token)).toBe(false);
    }, 30_000);
  }

  it('on a notice during a run, the agent gets time to checkpoint before it is stopped', async () => {
    interrupted = false;
    const vm = boot({ cloud: 'azure' }, FULL_PATH, { BUSY: '1' });
    await until(() => existsSync(path.join(vm.dir, 'work', 'job')));
    interrupted = true;
    await until(() => existsSync(path.join(vm.dir, 'status')));
    await new Promise((r) => setTimeout(r, 2000));
    expect(existsSync(path.join(vm.dir, 'agent-stopped'))).toBe(false);
    // The agent saved its checkpoint and reported: its workspace is gone.
    rmSync(path.join(vm.dir, 'work', 'job'), { recursive: true });
    expect(await vm.done).toBe(0);
    expect(existsSync(path.join(vm.dir, 'agent-stopped'))).toBe(true);
  }, 30_000);

  it('an agent still idle past its idle timeout is stopped and the machine powers off', async () => {
    interrupted = false;
    const vm = boot({ cloud: 'gcp', idleTimeoutSec: 2 }, FULL_PATH);
    expect(await vm.done).toBe(0);
    expect(readFileSync(path.join(vm.dir, 'status'), 'utf8').trim()).toBe('idle');
    expect(existsSync(path.join(vm.dir, 'powered-off'))).toBe(true);
    // Its agent token was revoked before it powered off.
    const ran = JSON.parse(readFileSync(path.join(vm.dir, 'agent-ran'), 'utf8')) as { token: string };
    expect(revoked).toContain(ran.token);
    expect(agentTokens.get(ran.token)).toBe(false);
  }, 30_000);

  it('an image without Node.js gets the official build from the download site', async () => {
    interrupted = false;
    // Only the tools a stock image has; no node anywhere on PATH.
    const bin = mkdtempSync(path.join(tmpdir(), 'kiln-bare-'));
    for (const t of [
      'curl',
      'tar',
      'gzip',
      'mkdir',
      'date',
      'ls',
      'sleep',
      'uname',
      'grep',
      'cat',
      'git',
      'rm',
    ])
      symlinkSync(
        execFileSync('bash', ['-c', `command -v ${t}`], { encoding: 'utf8' }).trim(),
        path.join(bin, t),
      );
    const vm = boot({ cloud: 'aws' }, bin);
    await until(() => existsSync(path.join(vm.dir, 'agent-ran')));
    expect(asked).toContain(`/dist/${NODE_VERSION}/node-${NODE_VERSION}-linux-x64.tar.gz`);
    expect(existsSync(path.join(vm.dir, 'node', 'bin', 'node'))).toBe(true);
    interrupted = true;
    await vm.done;
  }, 30_000);

  it('a refused bootstrap token powers the machine off instead of leaving it running', async () => {
    const vm = boot({ token: 'wrong' }, FULL_PATH);
    expect(await vm.done).toBe(1);
    expect(readFileSync(path.join(vm.dir, 'status'), 'utf8').trim()).toBe('failed');
    expect(existsSync(path.join(vm.dir, 'powered-off'))).toBe(true);
  }, 30_000);

  it('kubernetes: the token comes from the environment and never appears in the script', () => {
    const s = startupScript({
      cloud: 'kubernetes',
      url: base,
      token: null,
      idleTimeoutSec: 60,
      poweroff: 'true',
    });
    expect(s).toContain('KILN_TOKEN:?');
    expect(s).not.toContain('/api/agents/exchange');
  });
});
