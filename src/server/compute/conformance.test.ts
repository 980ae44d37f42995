import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/test-server.js';
import { Experiment, LogPage, experimentRef, isFinished } from '../../contracts/experiments.js';
import { git } from '../../git/run-git.js';
import { parseDvcLock } from '../../core/dvc/dvc-lock.js';
import { startSimCloudServer } from '../../../test/sim-cloud-harness.js';
import { makeBareDvcProject } from '../../../test/fixtures.js';
import { CloudBackend } from '../../compute/cloud/backend.js';
import { resolveMachine } from '../../compute/cloud/catalog.js';
import { SimulatedCloud } from '../../../test/simulated-cloud.js';
import { LocalBackend } from '../../compute/local.js';
import type { ComputeBackend } from '../../compute/port.js';
import { KubernetesBackend } from '../../compute/kubernetes/backend.js';
import { KubeStandIn } from '../../../test/kubernetes-stand-in.js';
import { KubernetesSettings, SlurmSettings, SshSettings } from '../../compute/profiles/settings.js';
import { SlurmBackend } from '../../compute/slurm/backend.js';
import { SshBackend } from '../../compute/ssh/backend.js';
import {
  AGENT_BUNDLE,
  agentBundle,
  missing,
  requires,
  type Service,
  SLURM_CONF,
  slurm,
  SSH_KEY,
  sshd,
} from '../../../test/services.js';

const BUNDLE = AGENT_BUNDLE;
const PATH = `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`;
let s: TestServer;
// A Kubernetes API stand-in whose "kubelet" runs each Job's container command here.
const kube = new KubeStandIn({ run: true, env: { ...process.env, PATH } });

beforeAll(async () => {
  s = await startTestServer();
  await kube.start();
});
afterAll(async () => {
  await kube.close();
  await s.close();
});

async function revoke(id: string): Promise<void> {
  const { user } = await s.store.ensureAdmin();
  await s.store.revokeToken(id, user.id);
}

async function agentToken(name: string): Promise<{ id: string; token: string }> {
  const { user } = await s.store.ensureAdmin();
  return s.auth.createToken(user.id, name, 'agent');
}

/**
 * What a cloud backend's launch gets, as the server makes it: a one-time bootstrap token the
 * VM trades for an agent token named `agent <name>`.
 */
async function bootstrapToken(name: string): Promise<{ id: string; token: string }> {
  const { user } = await s.store.ensureAdmin();
  const t = await s.auth.createToken(user.id, `bootstrap ${name}`, 'agent-bootstrap');
  const at = {
    target: name,
    kind: 'aws' as const,
    machineId: null,
    detail: '',
    zone: null,
    pricePerHour: null,
  };
  await s.store.agents.openBootstrap(t.id, at, new Date(Date.now() + 600_000).toISOString());
  return t;
}

/** True once an agent used its token (its register call reached the server). */
async function registered(name: string): Promise<boolean> {
  const db = new Database(path.join(s.home, 'kiln.db'), { readonly: true });
  try {
    return (
      db.prepare('select 1 from tokens where name = ? and last_used_at is not null').get(name) !== undefined
    );
  } finally {
    db.close();
  }
}

async function until(what: string, f: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Target {
  name: string;
  /** What it needs besides the built agent. */
  needs: Service[];
  make: (tokenName: string) => ComputeBackend;
  /** The name of the token the agent registers with, when not the one minted (an exchanged one). */
  agentTokenName?: (tokenName: string) => string;
}

const targets: Target[] = [
  {
    name: 'local',
    needs: [],
    make: (n) =>
      new LocalBackend({
        home: mkdtempSync(path.join(tmpdir(), 'kiln-local-')),
        url: () => s.url,
        mintToken: () => agentToken(n),
        command: [process.execPath, BUNDLE],
      }),
  },
  {
    name: 'ssh',
    needs: [sshd],
    make: (n) =>
      new SshBackend({
        settings: SshSettings.parse({
          hosts: ['127.0.0.1:2222'],
          credential: 'k',
          user: 'root',
          node: process.execPath,
          workDir: `.kiln-agent-${process.pid}`,
          trustAnyHostKey: true,
        }),
        key: { privateKey: readFileSync(SSH_KEY, 'utf8') },
        url: () => s.url,
        mintToken: async () => (await agentToken(n)).token,
        agentBundle: BUNDLE,
      }),
  },
  {
    name: 'slurm',
    needs: [slurm],
    make: (n) =>
      new SlurmBackend({
        profile: `conf-${process.pid}`,
        settings: SlurmSettings.parse({ cpus: 1, timeLimitMin: 5, node: process.execPath, maxInstances: 2 }),
        dir: mkdtempSync(path.join(tmpdir(), 'kiln-slurm-')),
        env: { ...process.env, SLURM_CONF },
        url: () => s.url,
        mintToken: async () => (await agentToken(n)).token,
        agentBundle: BUNDLE,
      }),
  },
  {
    name: 'simulated cloud',
    needs: [],
    make: (n) =>
      new CloudBackend({
        provider: new SimulatedCloud('aws', { ...process.env, PATH }),
        profile: 'sim',
        install: 'test-install',
        machine: resolveMachine('aws', {
          region: 'us-west',
          type: 'm',
          diskGb: 35,
          spot: true,
          timeoutSec: 3600,
        }),
        maxInstances: 2,
        idleTimeoutSec: 600,
        url: () => s.url,
        mintToken: () => bootstrapToken(n),
        revokeToken: revoke,
        script: { poweroff: 'true' },
      }),
    agentTokenName: (n) => `agent ${n}`,
  },
  {
    name: 'kubernetes (API stand-in)',
    needs: [],
    make: (n) =>
      new KubernetesBackend({
        kubeconfig: kube.kubeconfig(),
        settings: KubernetesSettings.parse({ credential: 'kc', maxInstances: 2, idleTimeoutSec: 600 }),
        profile: 'conf',
        install: 'test-install',
        url: () => s.url,
        agentToken: () => agentToken(n),
        revokeToken: revoke,
      }),
  },
];

describe('compute conformance', () => {
  for (const t of targets) {
    it(`${t.name}: starts an agent that registers, reports it alive, stops it`, async (ctx) => {
      requires(ctx, agentBundle, ...t.needs);
      const tokenName = `conformance ${t.name} ${Date.now()}`;
      const b = t.make(tokenName);
      await b.ensureAgents(1);
      await until(
        `${t.name} agent to register`,
        () => registered(t.agentTokenName?.(tokenName) ?? tokenName),
        45_000,
      );
      expect(await b.alive()).toBe(1);
      await b.ensureAgents(1);
      expect(await b.alive()).toBe(1);
      await b.stop();
      await until(`${t.name} agents to stop`, async () => (await b.alive()) === 0, 20_000);
    }, 90_000);
  }
});

/**
 * Machine-starting targets after a crash: the server died mid-launch, so its machine's agent never
 * registers (here: the Kiln URL accepts connections and never answers), and the next server
 * process, which knows nothing of that launch, ends it with its reconciler. Nothing is left running.
 */
describe('compute conformance: crash scenarios', () => {
  const sockets = new Set<Socket>();
  const blackhole = createTcpServer((c) => void sockets.add(c));
  let silent = '';
  beforeAll(async () => {
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    silent = `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const c of sockets) c.destroy();
    await new Promise<void>((r) => blackhole.close(() => r()));
  });

  it('kubernetes (API stand-in): a Job whose agent never registered is deleted by the next server', async () => {
    const make = () =>
      new KubernetesBackend({
        kubeconfig: kube.kubeconfig(),
        settings: KubernetesSettings.parse({ credential: 'kc', namespace: 'crash', maxInstances: 1 }),
        profile: 'crash',
        install: 'crash-install',
        url: () => silent,
        agentToken: () => agentToken(`crash k8s ${Date.now()}`),
        revokeToken: revoke,
      });
    const before = make();
    await before.ensureAgents(1);
    await until('the pod to start', async () => [...kube.jobs.values()].some((e) => e.proc !== null));
    const after = make();
    expect(await after.alive()).toBe(1);
    expect(await after.reconcile(() => false)).toHaveLength(1);
    expect(await after.alive()).toBe(0);
    const left = [...kube.jobs.values()].filter((e) => e.job.metadata?.namespace === 'crash');
    expect(left).toEqual([]);
  }, 60_000);

  it('simulated cloud: a VM whose agent never registered is terminated by the next server', async () => {
    const cloud = new SimulatedCloud('gcp', { ...process.env, PATH });
    const make = () =>
      new CloudBackend({
        provider: cloud,
        profile: 'crash',
        install: 'crash-install',
        machine: resolveMachine('gcp', {
          region: 'us-west',
          type: 's',
          diskGb: 10,
          spot: true,
          timeoutSec: 600,
        }),
        maxInstances: 1,
        idleTimeoutSec: 600,
        url: () => silent,
        mintToken: () => bootstrapToken(`crash vm ${Date.now()}`),
        revokeToken: revoke,
        script: { poweroff: 'true' },
      });
    await make().ensureAgents(1);
    const after = make();
    expect(await after.alive()).toBe(1);
    // Its own launches are live; this one is not.
    expect(await after.reconcile()).toHaveLength(1);
    await until('the VM to end', async () => (await after.alive()) === 0, 10_000);
    await until('its process to exit', async () =>
      [...cloud.instances.values()].every((i) => i.state === 'terminated'),
    );
  }, 60_000);
});

/**
 * Every target prepares the workspace the same way (issue 14): a make-dvc-project repo whose
 * input lives only in its local DVC remote runs on each target with a changed param. Each run
 * must pull the input before the job, push the outputs it made after it (the md5s its result
 * commit's dvc.lock names are in the remote), and leave its result ref in the project's source.
 */
describe('compute conformance: a project with its inputs in a DVC remote runs on every target', () => {
  const sim = new SimulatedCloud('aws', { ...process.env, PATH });
  let h: Awaited<ReturnType<typeof startSimCloudServer>>;
  let fixture: Awaited<ReturnType<typeof makeBareDvcProject>>;
  const hasSsh = missing(sshd) === null;
  const hasSlurm = missing(slurm) === null;

  beforeAll(async () => {
    if (missing(agentBundle)) return;
    process.env.SLURM_CONF = SLURM_CONF;
    fixture = await makeBareDvcProject('kiln-conf-dvc-', 3);
    h = await startSimCloudServer(sim, {
      vm: { region: 'us-west', type: 'm', spot: false, maxInstances: 1 },
    });
    const ok = async (url: string, body: unknown) => {
      const r = await h.api('POST', url, body);
      expect(r.status, `${url}: ${JSON.stringify(r.json)}`).toBe(201);
    };
    await ok('/api/compute/credentials', {
      name: 'kc',
      secret: { kind: 'kubernetes', kubeconfig: kube.kubeconfig() },
    });
    await ok('/api/compute/profiles', {
      name: 'pods',
      kind: 'kubernetes',
      settings: { credential: 'kc', namespace: 'dvc', maxInstances: 1 },
    });
    if (hasSsh) {
      await ok('/api/compute/credentials', {
        name: 'sshkey',
        secret: { kind: 'ssh', privateKey: readFileSync(SSH_KEY, 'utf8') },
      });
      await ok('/api/compute/profiles', {
        name: 'box',
        kind: 'ssh',
        settings: {
          hosts: ['127.0.0.1:2222'],
          credential: 'sshkey',
          user: 'root',
          node: process.execPath,
          workDir: `.kiln-conf-dvc-${process.pid}`,
          trustAnyHostKey: true,
        },
      });
    }
    if (hasSlurm)
      await ok('/api/compute/profiles', {
        name: 'cluster',
        kind: 'slurm',
        settings: { cpus: 1, timeLimitMin: 10, node: process.execPath, maxInstances: 1 },
      });
    await ok('/api/projects', { name: 'dvcfix', source: fixture.bare });
    expect((await h.api('POST', '/api/projects/dvcfix/reload')).status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await h?.close();
    if (fixture) await rm(fixture.tmp, { recursive: true, force: true });
  }, 60_000);

  const runs: Array<{ target: string; label: string; needs: Service[] }> = [
    { target: 'local', label: 'local', needs: [] },
    { target: 'box', label: 'ssh', needs: [sshd] },
    { target: 'cluster', label: 'slurm', needs: [slurm] },
    { target: 'pods', label: 'kubernetes (API stand-in)', needs: [] },
    { target: 'vm', label: 'simulated cloud', needs: [] },
  ];
  for (const [i, r] of runs.entries()) {
    it(`${r.label}: pulls the DVC inputs, pushes the outputs, leaves the result ref`, async (ctx) => {
      requires(ctx, agentBundle, ...r.needs);
      const name = `dvc-${r.label.split(' ')[0] ?? r.target}`;
      const created = await h.api('POST', '/api/projects/dvcfix/experiments', {
        rev: 'main',
        name,
        target: r.target,
        // A value no commit of the fixture has: its model is new, so the remote lacks it.
        set: [`train.lr=0.0${i + 1}37`],
      });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      const until = Date.now() + 240_000;
      let e = Experiment.parse((await h.api('GET', `/api/projects/dvcfix/experiments/${name}`)).json);
      while (!isFinished(e.status) && Date.now() < until) {
        await new Promise((res) => setTimeout(res, 250));
        e = Experiment.parse((await h.api('GET', `/api/projects/dvcfix/experiments/${name}`)).json);
      }
      const log = LogPage.parse((await h.api('GET', `/api/projects/dvcfix/experiments/${name}/logs`)).json)
        .chunks.map((c) => c.text)
        .join('');
      expect(e.status, log).toBe('succeeded');
      expect(log).toMatch(/kiln: [1-9]\d* file\(s\) fetched, [1-9]\d* path\(s\) checked out/);
      expect(log).toMatch(/kiln: [1-9]\d* file\(s\) pushed/);
      const sha = e.resultCommit ?? '';
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect((await git(['rev-parse', experimentRef(e.baseline, name)], { cwd: fixture.bare })).trim()).toBe(
        sha,
      );
      // The model the run made, as the result's dvc.lock names it, is in the DVC remote (DVC 3 layout).
      const lock = parseDvcLock(await git(['show', `${sha}:dvc.lock`], { cwd: fixture.bare }));
      if (!lock.ok) throw new Error(lock.error);
      const train = lock.value.stages.find((x) => x.name === 'train');
      const model = String(train?.outs.find((o) => o.path === 'model.pkl')?.md5 ?? '');
      expect(model).toMatch(/^[0-9a-f]{32}$/);
      expect(existsSync(path.join(fixture.store, 'files', 'md5', model.slice(0, 2), model.slice(2)))).toBe(
        true,
      );
      expect(JSON.stringify(train?.params)).toContain(`0.0${i + 1}37`);
    }, 300_000);
  }
});
