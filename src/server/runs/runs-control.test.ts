import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CreatedExperiments, Experiment, LogPage, UploadedFile } from '../../contracts/experiments.js';
import { git } from '../../git/run-git.js';
import { startRunServer } from '../../../test/test-harness.js';

let h: Awaited<ReturnType<typeof startRunServer>>;
const exps = '/api/projects/demo/experiments';

beforeAll(async () => {
  h = await startRunServer({ 'compute.local.concurrency': '3', 'runs.leaseMs': '3000' });
});
afterAll(async () => h?.close());

async function logText(name: string): Promise<string> {
  const page = LogPage.parse((await h.api('GET', `${exps}/${name}/logs`)).json);
  return page.chunks.map((c) => c.text).join('');
}

function processesWith(marker: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo'));
}

describe('experiment control', () => {
  it('queues one experiment per sweep combination, each with its params', async () => {
    const r = await h.api('POST', exps, {
      rev: 'main',
      name: 'sweep',
      set: ['train.lr=0.01,0.02', 'train.epochs=choice(3,4,5)'],
      script: 'grep -E "lr:|epochs:" params.yaml\n',
    });
    expect(r.status).toBe(201);
    const created = CreatedExperiments.parse(r.json);
    expect(created.experiments).toHaveLength(6);
    expect(created.sweepId).not.toBeNull();
    const source = path.join(h.home, 'demo-repo');
    const seen: string[] = [];
    for (const e of created.experiments) {
      const done = await h.waitFor(e.name);
      expect(done.status, await logText(e.name)).toBe('succeeded');
      const params = await git(['show', `${done.resultCommit}:params.yaml`], { cwd: source });
      const lr = /lr: ([\d.]+)/.exec(params)?.[1];
      const epochs = /epochs: (\d+)/.exec(params)?.[1];
      seen.push(`${lr}/${epochs}`);
      expect(e.changeSet.params).toEqual([
        { file: 'params.yaml', key: 'train.lr', value: Number(lr) },
        { file: 'params.yaml', key: 'train.epochs', value: Number(epochs) },
      ]);
    }
    expect(seen.sort()).toEqual(['0.01/3', '0.01/4', '0.01/5', '0.02/3', '0.02/4', '0.02/5']);
  });

  it('reports a failing script with its exit code and log tail', async () => {
    await h.api('POST', exps, {
      rev: 'main',
      name: 'breaks',
      script: 'echo before the failure\necho oops >&2\nexit 3\n',
    });
    const done = await h.waitFor('breaks');
    expect(done.status).toBe('failed');
    expect(done.exitCode).toBe(3);
    expect(done.resultCommit).toBeNull();
    const log = await logText('breaks');
    expect(log).toContain('before the failure');
    expect(log).toContain('oops');
  });

  it('cancels a running job and leaves no process behind', async () => {
    await h.api('POST', exps, {
      rev: 'main',
      name: 'sleepy',
      script: 'echo started\nsleep 300 # kiln-cancel-marker\n',
    });
    await h.waitFor('sleepy', (e) => e.status === 'running' && e.logSeq > 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(processesWith('sleep 300').length).toBeGreaterThan(0);
    const r = await h.api('POST', `${exps}/sleepy/cancel`);
    expect(r.status).toBe(200);
    const done = await h.waitFor('sleepy', (e) => e.status === 'cancelled', 15_000);
    expect(done.status).toBe('cancelled');
    expect(processesWith('sleep 300')).toEqual([]);
  });

  it('stops a run at its timeout', async () => {
    await h.api('POST', exps, {
      rev: 'main',
      name: 'too-slow',
      timeoutSec: 1,
      script: 'echo go\nsleep 60 # kiln-timeout-marker\n',
    });
    const done = await h.waitFor('too-slow', undefined, 20_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/timed out after 1 s/);
    expect(processesWith('kiln-timeout-marker')).toEqual([]);
  });

  it('cancels a queued experiment at once', async () => {
    await h.api('PUT', '/api/compute/local', { concurrency: 1 });
    await h.api('POST', exps, { rev: 'main', name: 'blocker', script: 'sleep 2\n' });
    await h.api('POST', exps, { rev: 'main', name: 'waiting', script: 'echo never\n' });
    const r = Experiment.parse((await h.api('POST', `${exps}/waiting/cancel`)).json);
    expect(r.status).toBe('cancelled');
    expect((await h.waitFor('blocker')).status).toBe('succeeded');
    await h.api('PUT', '/api/compute/local', { concurrency: 3 });
  });

  it('starts queued runs by priority, one at a time when the concurrency setting is 1', async () => {
    await h.api('PUT', '/api/compute/local', { concurrency: 1 });
    try {
      await h.api('POST', exps, { rev: 'main', name: 'prio-block', script: 'sleep 5\n' });
      await h.waitFor('prio-block', (e) => e.status === 'running');
      for (const name of ['prio-a', 'prio-b', 'prio-c'])
        expect((await h.api('POST', exps, { rev: 'main', name, script: 'sleep 0.3\n' })).status).toBe(201);
      const moved = await h.api('PATCH', `${exps}/prio-c`, { priority: 10 });
      expect(moved.status).toBe(200);
      const running = await h.api('PATCH', `${exps}/prio-block`, { priority: 10 });
      expect(running.status).toBe(409);
      expect(h.errorOf(running.json)).toMatch(/only queued runs can be reordered/);
      const runs: Experiment[] = [];
      for (const name of ['prio-block', 'prio-a', 'prio-b', 'prio-c']) runs.push(await h.waitFor(name));
      expect(runs.map((e) => e.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      const at = (e: Experiment, s: string) => Date.parse(e.timeline.find((t) => t.status === s)?.at ?? '');
      const byStart = [...runs].sort((x, y) => at(x, 'starting') - at(y, 'starting'));
      const trace = JSON.stringify(byStart.map((e) => [e.name, e.priority, e.timeline]));
      expect(
        byStart.map((e) => e.name),
        trace,
      ).toEqual(['prio-block', 'prio-c', 'prio-a', 'prio-b']);
      // never two jobs at once: each starts after the one before it finished its script (the
      // server's own push of the result to the project's remote does not hold a compute slot)
      for (let i = 1; i < byStart.length; i++) {
        const prev = byStart[i - 1];
        const cur = byStart[i];
        if (prev && cur)
          expect(
            at(cur, 'starting'),
            JSON.stringify(byStart.map((e) => [e.name, e.timeline])),
          ).toBeGreaterThanOrEqual(at(prev, 'saving'));
      }
    } finally {
      await h.api('PUT', '/api/compute/local', { concurrency: 3 });
    }
  });

  it('marks a run lost when its agent dies', async () => {
    await h.api('POST', exps, {
      rev: 'main',
      name: 'orphan',
      script: 'echo hi\nsleep 30 # kiln-lost-marker\n',
    });
    await h.waitFor('orphan', (e) => e.status === 'running');
    const dir = path.join(h.home, 'agents');
    for (const f of (await readdir(dir)).filter((x) => x.endsWith('.pid'))) {
      const pid = Number(await readFile(path.join(dir, f), 'utf8'));
      const args = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
      const logs = await readFile(path.join(dir, f.replace(/\.pid$/, '.log')), 'utf8');
      if (args && logs.includes('running demo/orphan')) process.kill(pid, 'SIGKILL');
    }
    const done = await h.waitFor('orphan', (e) => e.status === 'lost', 15_000);
    expect(done.error).toMatch(/heartbeat/);
    for (const l of processesWith('kiln-lost-marker'))
      process.kill(Number(l.trim().split(/\s+/)[0]), 'SIGKILL');
  });

  it('refuses bad input with a clear 4xx and stores nothing', async () => {
    const before = (await h.api('GET', exps)).json;
    const cases: Array<[unknown, number, RegExp]> = [
      [{ rev: 'main', set: ['train.nope=1'] }, 400, /no param "train.nope"/],
      [{ rev: 'main', set: ['train.lr=fast'] }, 400, /train.lr is a number/],
      [{ rev: 'main', set: ['../../etc/passwd:a=1'] }, 400, /not a path inside the repository/],
      [
        { rev: 'main', params: [{ file: '../x.yaml', key: 'a', value: 1 }] },
        400,
        /relative path inside the repository/,
      ],
      [{ rev: 'no-such-branch' }, 400, /no commit "no-such-branch"/],
      [{ rev: 'main..HEAD' }, 400, /not a valid Git revision/],
      [{ rev: 'main', name: 'bad name' }, 400, /experiment name may hold/],
      [{ rev: 'main', name: 'breaks' }, 409, /already has an experiment named "breaks"/],
    ];
    for (const [body, status, message] of cases) {
      const r = await h.api('POST', exps, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(h.errorOf(r.json)).toMatch(message);
    }
    expect((await h.api('GET', exps)).json).toEqual(before);
    expect((await h.api('GET', `${exps}/nope`)).status).toBe(404);
  });

  it('refuses a 4-million sweep at once, counted before it is built, with its size', async () => {
    const t0 = performance.now();
    const r = await h.api('POST', exps, {
      rev: 'main',
      set: ['train.lr=range(0,2000)', 'train.l2=range(0,2000)'],
    });
    const ms = performance.now() - t0;
    expect(r.status).toBe(400);
    expect(h.errorOf(r.json)).toBe(
      'the sweep makes 4000000 experiments (train.lr 2000 × train.l2 2000); 1000 at most',
    );
    // It used to build every combination first: 79 s with the event loop blocked.
    expect(ms).toBeLessThan(1000);
  });

  it('replaces a Git-tracked input with an upload, within the size limit', async () => {
    const upload = (p: string, data: string) =>
      fetch(`${h.server.url}/api/projects/demo/uploads?path=${encodeURIComponent(p)}`, {
        method: 'POST',
        headers: { authorization: `token ${h.token}`, 'content-type': 'application/octet-stream' },
        body: data,
      });
    const ok = await upload('README.md', '# Replaced by an upload\n');
    expect(ok.status).toBe(201);
    const { uploadId } = UploadedFile.parse(await ok.json());
    await h.api('POST', exps, {
      rev: 'main',
      name: 'new-readme',
      inputs: [{ path: 'README.md', uploadId }],
      script: 'head -1 README.md\n',
    });
    const done = await h.waitFor('new-readme');
    expect(done.status).toBe('succeeded');
    expect(await logText('new-readme')).toContain('# Replaced by an upload');
    const source = path.join(h.home, 'demo-repo');
    expect(await git(['show', `${done.resultCommit}:README.md`], { cwd: source })).toBe(
      '# Replaced by an upload\n',
    );

    expect((await upload('../outside', 'x')).status).toBe(400);
    const stray = await h.api('POST', exps, { rev: 'main', inputs: [{ path: 'not-tracked.csv', uploadId }] });
    expect(stray.status).toBe(400);
    expect(h.errorOf(stray.json)).toMatch(/neither a Git-tracked nor a DVC-tracked/);
    expect(
      (await h.api('POST', exps, { rev: 'main', inputs: [{ path: 'README.md', uploadId: 'deadbeef-0000' }] }))
        .status,
    ).toBe(400);
    await h.server.store.setSetting('uploads.maxBytes', '10');
    const big = await upload('README.md', 'x'.repeat(1000));
    expect(big.status).toBe(413);
  });
});
