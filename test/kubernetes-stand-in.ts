import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { V1EnvVar, V1Job, V1Secret } from '@kubernetes/client-node';

/**
 * A 127.0.0.1 stand-in for the Kubernetes API server, for contract tests: it checks the
 * documented request shapes of the batch/v1 Job and v1 Secret endpoints Kiln calls and answers
 * with the documented objects (Job, JobList, Status). With `run`, it is also a one-node
 * "kubelet": a created Job's container command runs as a local process in a temp dir, with the
 * Secret-referenced environment resolved, and the Job's status follows the process.
 */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

interface Entry {
  job: V1Job;
  proc: ChildProcess | null;
  dir: string | null;
}

export class KubeStandIn {
  readonly calls: Call[] = [];
  readonly jobs = new Map<string, Entry>();
  readonly secrets = new Map<string, V1Secret>();
  /** A container waiting reason to report for a Job's pod (an image that cannot be pulled, …). */
  readonly podWaiting = new Map<string, { reason: string; message: string; sinceMs: number }>();
  private server: Server | null = null;
  url = '';

  constructor(private readonly opts: { run?: boolean; env?: NodeJS.ProcessEnv } = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const [key, e] of this.jobs) this.kill(key, e);
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** A kubeconfig whose current context points at this stand-in with a bearer token. */
  kubeconfig(namespace = 'default'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: stand-in',
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: kiln',
      '  user:',
      '    token: stand-in-token',
      'contexts:',
      '- name: stand-in',
      '  context:',
      '    cluster: stand-in',
      '    user: kiln',
      `    namespace: ${namespace}`,
      'current-context: stand-in',
      '',
    ].join('\n');
  }

  /** Kills a Job's process as a failed node would, leaving the Job to say so. */
  crash(name: string): void {
    for (const e of this.jobs.values()) if (e.job.metadata?.name === name && e.proc?.pid) kill(e.proc.pid);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const c of req) raw += String(c);
    const u = new URL(req.url ?? '/', this.url);
    let body: unknown = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return send(res, 400, status(400, 'BadRequest', 'body is not JSON'));
    }
    this.calls.push({ method: req.method ?? '', path: u.pathname, query: u.searchParams, body });
    if (req.headers.authorization !== 'Bearer stand-in-token')
      return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const jobs = /^\/apis\/batch\/v1\/namespaces\/([a-z0-9-]+)\/jobs(?:\/([a-z0-9.-]+))?$/.exec(u.pathname);
    const secrets = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/secrets$/.exec(u.pathname);
    const pods = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/pods$/.exec(u.pathname);
    if (pods && req.method === 'GET')
      return this.listPods(res, pods[1] ?? '', u.searchParams.get('labelSelector'));
    if (u.pathname === '/api/v1/namespaces' && req.method === 'GET')
      return send(res, 200, {
        kind: 'NamespaceList',
        apiVersion: 'v1',
        metadata: {},
        items: [{ metadata: { name: 'default' } }],
      });
    if (secrets && req.method === 'POST') return this.createSecret(res, secrets[1] ?? '', body);
    if (!jobs) return send(res, 404, status(404, 'NotFound', `no route ${u.pathname}`));
    const ns = jobs[1] ?? '';
    const name = jobs[2];
    if (!name && req.method === 'POST') return this.createJob(res, ns, body);
    if (!name && req.method === 'GET') return this.listJobs(res, ns, u.searchParams.get('labelSelector'));
    const key = `${ns}/${name ?? ''}`;
    const e = this.jobs.get(key);
    if (!e) return send(res, 404, status(404, 'NotFound', `jobs.batch "${name}" not found`));
    if (req.method === 'GET') return send(res, 200, e.job);
    if (req.method === 'DELETE') {
      this.kill(key, e);
      this.jobs.delete(key);
      for (const [k, s] of this.secrets)
        if (s.metadata?.ownerReferences?.some((o) => o.uid === e.job.metadata?.uid)) this.secrets.delete(k);
      return send(res, 200, { ...status(200, '', ''), status: 'Success', details: { name, kind: 'jobs' } });
    }
    return send(res, 405, status(405, 'MethodNotAllowed', req.method ?? ''));
  }

  private createJob(res: ServerResponse, ns: string, body: unknown): void {
    const job = body as V1Job;
    const c = job?.spec?.template?.spec?.containers?.[0];
    const name = job?.metadata?.name ?? '';
    if (job?.apiVersion !== 'batch/v1' || job.kind !== 'Job' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
      return send(
        res,
        422,
        status(422, 'Invalid', 'Job.batch is invalid: apiVersion, kind or metadata.name'),
      );
    if (!c?.image || !c.name || job.spec?.template?.spec?.restartPolicy === 'Always')
      return send(res, 422, status(422, 'Invalid', 'Job.batch is invalid: spec.template'));
    if ((job.metadata?.namespace ?? ns) !== ns)
      return send(
        res,
        400,
        status(400, 'BadRequest', 'the namespace of the object does not match the request'),
      );
    const key = `${ns}/${name}`;
    if (this.jobs.has(key))
      return send(res, 409, status(409, 'AlreadyExists', `jobs.batch "${name}" already exists`));
    const stored: V1Job = {
      ...job,
      metadata: {
        ...job.metadata,
        namespace: ns,
        uid: randomUUID(),
        creationTimestamp: new Date(),
        resourceVersion: '1',
      },
      status: {},
    };
    const e: Entry = { job: stored, proc: null, dir: null };
    this.jobs.set(key, e);
    if (this.opts.run) void this.kubelet(key, e);
    send(res, 201, stored);
  }

  private selected(ns: string, sel: string | null): V1Job[] {
    const want = (sel ?? '')
      .split(',')
      .filter(Boolean)
      .map((p) => p.split('='));
    return [...this.jobs.values()]
      .map((e) => e.job)
      .filter(
        (j) =>
          j.metadata?.namespace === ns &&
          want.every(([k, v]) => k !== undefined && j.metadata?.labels?.[k] === v),
      );
  }

  private listJobs(res: ServerResponse, ns: string, sel: string | null): void {
    const items = this.selected(ns, sel);
    send(res, 200, { apiVersion: 'batch/v1', kind: 'JobList', metadata: { resourceVersion: '1' }, items });
  }

  /** One pod per Job, as the Job controller makes it: the template's labels plus `job-name`. */
  private listPods(res: ServerResponse, ns: string, sel: string | null): void {
    const items = this.selected(ns, sel).map((j) => {
      const name = j.metadata?.name ?? '';
      const w = this.podWaiting.get(name);
      const ready = (j.status?.ready ?? 0) > 0;
      const state = w
        ? { waiting: { reason: w.reason, message: w.message } }
        : ready
          ? { running: {} }
          : { waiting: { reason: 'ContainerCreating' } };
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${name}-x7k2p`,
          namespace: ns,
          labels: {
            ...j.spec?.template?.metadata?.labels,
            'job-name': name,
            'batch.kubernetes.io/job-name': name,
          },
          creationTimestamp: new Date(w ? w.sinceMs : Date.now()).toISOString(),
        },
        status: {
          phase: ready ? 'Running' : 'Pending',
          containerStatuses: [
            {
              name: 'agent',
              image: j.spec?.template?.spec?.containers?.[0]?.image ?? '',
              imageID: '',
              ready,
              restartCount: 0,
              state,
            },
          ],
        },
      };
    });
    send(res, 200, { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '1' }, items });
  }

  private createSecret(res: ServerResponse, ns: string, body: unknown): void {
    const s = body as V1Secret;
    const name = s?.metadata?.name ?? '';
    if (s?.apiVersion !== 'v1' || s.kind !== 'Secret' || !name)
      return send(res, 422, status(422, 'Invalid', 'Secret is invalid'));
    const stored: V1Secret = { ...s, metadata: { ...s.metadata, namespace: ns, uid: randomUUID() } };
    this.secrets.set(`${ns}/${name}`, stored);
    // Like the API server, the answer carries `data` (base64), never `stringData`.
    const data = Object.fromEntries(
      Object.entries(s.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    );
    send(res, 201, { ...stored, stringData: undefined, data });
  }

  /** Waits for referenced Secrets as a kubelet does, then runs the container command. */
  private async kubelet(key: string, e: Entry): Promise<void> {
    const ns = e.job.metadata?.namespace ?? 'default';
    const c = e.job.spec?.template?.spec?.containers?.[0];
    if (!c?.command?.length) return;
    const env: Record<string, string> = {};
    const deadline = Date.now() + 30_000;
    for (const v of c.env ?? []) {
      for (;;) {
        const value = this.resolve(ns, v);
        if (value !== null) {
          env[v.name] = value;
          break;
        }
        if (Date.now() > deadline || !this.jobs.has(key)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (!this.jobs.has(key)) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'kiln-pod-'));
    const [cmd, ...args] = c.command;
    const proc = spawn(cmd ?? 'false', [...(c.args ? [...args, ...c.args] : args)], {
      cwd: dir,
      env: { ...(this.opts.env ?? process.env), ...env, KILN_DIR: dir },
      stdio: 'ignore',
      detached: true,
    });
    e.proc = proc;
    e.dir = dir;
    e.job.status = { active: 1, ready: 1, startTime: new Date() };
    proc.on('exit', (code) => {
      const ok = code === 0;
      e.job.status = {
        ...(ok ? { succeeded: 1 } : { failed: 1 }),
        startTime: e.job.status?.startTime,
        completionTime: ok ? new Date() : undefined,
        conditions: [
          {
            type: ok ? 'Complete' : 'Failed',
            status: 'True',
            lastTransitionTime: new Date(),
            ...(ok ? {} : { reason: 'BackoffLimitExceeded' }),
          },
        ],
      };
    });
  }

  private resolve(ns: string, v: V1EnvVar): string | null {
    if (v.value !== undefined) return v.value;
    const ref = v.valueFrom?.secretKeyRef;
    if (!ref) return '';
    const data = this.secrets.get(`${ns}/${ref.name}`)?.stringData?.[ref.key];
    return data ?? null;
  }

  private kill(_key: string, e: Entry): void {
    if (e.proc?.pid && e.proc.exitCode === null) kill(e.proc.pid);
  }
}

function kill(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.statusCode = code;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}
