import { randomBytes } from 'node:crypto';
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, type V1Job } from '@kubernetes/client-node';
import { startupScript } from '../cloud/startup-script.js';
import { LaunchPacer } from '../launch-pacer.js';
import type { ComputeBackend } from '../port.js';
import type { SettingsOf } from '../profiles/settings.js';
import { jobManifest, LABEL_TOKEN, selector, tokenSecret } from './manifest.js';

export interface KubernetesBackendOptions {
  /** The kubeconfig text of the profile's credential (its current context is used). */
  kubeconfig: string;
  settings: SettingsOf<'kubernetes'>;
  profile: string;
  /** This Kiln's id; every Job is labelled with it so the reconciler finds its own only. */
  install: string;
  url: () => string;
  /** A fresh agent token per Job, and its revocation when the Job goes. */
  agentToken: () => Promise<{ id: string; token: string }>;
  revokeToken: (id: string) => Promise<void>;
  /** Tells the server which Job the agent holding token `tokenId` runs in. */
  placed?: (tokenId: string, id: string, detail: string) => Promise<void>;
}

export type JobPhase = 'pending' | 'running' | 'succeeded' | 'failed';

/** A Job's phase from its status: the Complete/Failed conditions, else active pods. */
export function jobPhase(job: V1Job): JobPhase {
  const st = job.status;
  for (const c of st?.conditions ?? []) {
    if (c.status !== 'True') continue;
    if (c.type === 'Complete' || c.type === 'SuccessCriteriaMet') return 'succeeded';
    if (c.type === 'Failed' || c.type === 'FailureTarget') return 'failed';
  }
  if ((st?.failed ?? 0) > 0) return 'failed';
  if ((st?.succeeded ?? 0) > 0) return 'succeeded';
  return (st?.ready ?? 0) > 0 || st?.startTime ? 'running' : 'pending';
}

/** Pod waiting reasons that do not clear without a change to the profile or the cluster. */
const STUCK = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
]);
/** A new pod waits for its token Secret (made just after the Job) and its first image pull. */
const STUCK_AFTER_MS = 60_000;

const isLiveJob = (j: V1Job) =>
  !j.metadata?.deletionTimestamp && ['pending', 'running'].includes(jobPhase(j));
const notFound = (err: unknown) => err instanceof ApiException && err.code === 404;

/** A DNS-1123 name for a profile's Job: lowercase, at most 63 characters. */
export function jobName(profile: string): string {
  const base = profile
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `kiln-${base || 'job'}-${randomBytes(4).toString('hex')}`;
}

/**
 * Agents as Kubernetes Jobs, one run each: the container fetches the agent from the Kiln server
 * and starts it with a token read from a Secret the Job owns. Cancel and retire delete the Job
 * (the pod goes with it); state comes from the Job's status.
 */
export class KubernetesBackend implements ComputeBackend {
  readonly target = 'kubernetes';
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private starting: Promise<void> = Promise.resolve();
  private readonly pacer = new LaunchPacer();

  constructor(private readonly o: KubernetesBackendOptions) {
    const kc = new KubeConfig();
    kc.loadFromString(o.kubeconfig);
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  private get namespace(): string {
    return this.o.settings.namespace;
  }

  private async list(labelSelector: string): Promise<V1Job[]> {
    const out: V1Job[] = [];
    let cont: string | undefined;
    do {
      const r = await this.batch.listNamespacedJob({
        namespace: this.namespace,
        labelSelector,
        limit: 500,
        ...(cont ? { _continue: cont } : {}),
      });
      out.push(...r.items);
      cont = r.metadata?._continue || undefined;
    } while (cont);
    return out;
  }

  /** This profile's Jobs that are pending or running. */
  async jobs(): Promise<V1Job[]> {
    return (await this.list(selector(this.o.install, this.o.profile))).filter(isLiveJob);
  }

  async alive(): Promise<number> {
    return (await this.jobs()).length;
  }

  ensureAgents(count: number): Promise<void> {
    return this.pacer.run(count, (n) => this.ensure(n));
  }

  retryNow(): void {
    this.pacer.reset();
  }

  private ensure(count: number): Promise<void> {
    const go = this.starting.then(async () => {
      const want = Math.min(count, this.o.settings.maxInstances);
      const jobs = await this.jobs();
      if (jobs.some((j) => (j.status?.ready ?? 0) === 0)) {
        // Launching more would only make more pods that cannot start: say why, and back off.
        const why = await this.clearStuck();
        if (why.length) throw new Error(`Kubernetes cannot start the agent: ${why.join('; ')}`);
      }
      for (let have = jobs.length; have < want; have++) await this.submit();
    });
    this.starting = go.catch(() => undefined);
    return go;
  }

  /**
   * Deletes this profile's Jobs whose pod has waited a minute for something that will not come
   * by itself (an image that cannot be pulled, a missing Secret); returns why each was stuck.
   */
  async clearStuck(): Promise<string[]> {
    const pods = await this.core.listNamespacedPod({
      namespace: this.namespace,
      labelSelector: selector(this.o.install, this.o.profile),
    });
    const why: string[] = [];
    for (const p of pods.items) {
      const age = Date.now() - new Date(p.metadata?.creationTimestamp ?? Date.now()).getTime();
      const waiting = (p.status?.containerStatuses ?? []).map((c) => c.state?.waiting);
      const stuck = waiting.find((w) => w?.reason && STUCK.has(w.reason));
      const job = p.metadata?.labels?.['job-name'] ?? p.metadata?.labels?.['batch.kubernetes.io/job-name'];
      if (!stuck || age < STUCK_AFTER_MS || !job) continue;
      await this.cancel(job);
      why.push(
        `pod ${p.metadata?.name ?? job}: ${stuck.reason ?? ''}${stuck.message ? ` (${stuck.message})` : ''}`,
      );
    }
    return why;
  }

  /** Creates one agent Job and its token Secret; returns the Job's name. */
  async submit(): Promise<string> {
    const t = await this.o.agentToken();
    const name = jobName(this.o.profile);
    const script = startupScript({
      cloud: 'kubernetes',
      url: this.o.url(),
      token: null,
      idleTimeoutSec: this.o.settings.idleTimeoutSec,
      poweroff: 'true',
    });
    const manifest = jobManifest({
      name,
      settings: this.o.settings,
      install: this.o.install,
      profile: this.o.profile,
      tokenId: t.id,
      script,
    });
    let created: V1Job | null = null;
    try {
      created = await this.batch.createNamespacedJob({ namespace: this.namespace, body: manifest });
      await this.core.createNamespacedSecret({
        namespace: this.namespace,
        body: tokenSecret(created, t.token),
      });
    } catch (err) {
      if (created) await this.delete(name).catch(() => undefined);
      await this.o.revokeToken(t.id);
      throw err;
    }
    await this.o.placed?.(t.id, name, `Kubernetes Job ${this.namespace}/${name}`);
    return name;
  }

  /** One Job, or null once Kubernetes forgot it. */
  async state(name: string): Promise<{ phase: JobPhase; job: V1Job } | null> {
    try {
      const job = await this.batch.readNamespacedJob({ name, namespace: this.namespace });
      return { phase: jobPhase(job), job };
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async running(name: string): Promise<boolean> {
    const st = await this.state(name);
    return (
      st !== null && !st.job.metadata?.deletionTimestamp && (st.phase === 'pending' || st.phase === 'running')
    );
  }

  private async delete(name: string): Promise<void> {
    try {
      await this.batch.deleteNamespacedJob({
        name,
        namespace: this.namespace,
        propagationPolicy: 'Background',
      });
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  /** Deletes a Job (its pod and token Secret go with it) and revokes its token. */
  async cancel(name: string): Promise<void> {
    this.pacer.reset();
    const st = await this.state(name);
    await this.delete(name);
    const tokenId = st?.job.metadata?.labels?.[LABEL_TOKEN];
    if (tokenId) await this.o.revokeToken(tokenId);
  }

  /**
   * Deletes this install's running or pending Jobs (of any profile) that `isLive` says no live
   * run owns; returns their names. Finished Jobs hold no pod and go by their TTL.
   */
  async reconcile(isLive: (job: V1Job) => boolean | Promise<boolean>): Promise<string[]> {
    const killed: string[] = [];
    for (const j of await this.list(selector(this.o.install))) {
      const name = j.metadata?.name;
      if (!name || !isLiveJob(j) || (await isLive(j))) continue;
      await this.delete(name);
      const tokenId = j.metadata?.labels?.[LABEL_TOKEN];
      if (tokenId) await this.o.revokeToken(tokenId).catch(() => undefined);
      killed.push(name);
    }
    return killed;
  }

  async stop(): Promise<void> {
    await this.starting;
    for (const j of await this.jobs()) if (j.metadata?.name) await this.cancel(j.metadata.name);
  }
}
