/**
 * Watches the cloud provider's notice that a spot (preemptible) machine is about to be taken
 * back, the way each provider documents it:
 * - aws: IMDSv2 token (`PUT /latest/api/token`), then `GET /latest/meta-data/spot/instance-action`
 *   — 404 while nothing is planned, a JSON `{action, time}` once the instance will stop;
 * - gcp: `GET /computeMetadata/v1/instance/preempted` with `Metadata-Flavor: Google` — `TRUE`;
 * - azure: `GET /metadata/scheduledevents?api-version=2020-07-01` with `Metadata: true` — an
 *   event of type `Preempt`.
 * `KILN_PREEMPTION` (aws|gcp|azure) turns it on; `KILN_METADATA_URL` overrides the endpoint.
 */
export type PreemptionKind = 'aws' | 'gcp' | 'azure';

const DEFAULT_BASE: Record<PreemptionKind, string> = {
  aws: 'http://169.254.169.254',
  gcp: 'http://metadata.google.internal',
  azure: 'http://169.254.169.254',
};

export function preemptionKind(env: Readonly<Record<string, string | undefined>>): PreemptionKind | null {
  const k = env['KILN_PREEMPTION'];
  return k === 'aws' || k === 'gcp' || k === 'azure' ? k : null;
}

async function get(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
  return { status: res.status, text: await res.text() };
}

/** One look at the metadata service: a description of the notice, or null when none. */
export async function checkPreemption(kind: PreemptionKind, base: string): Promise<string | null> {
  const root = base.replace(/\/+$/, '');
  if (kind === 'aws') {
    const token = await fetch(`${root}/latest/api/token`, {
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
      signal: AbortSignal.timeout(2000),
    }).then((r) => (r.ok ? r.text() : ''));
    const r = await get(`${root}/latest/meta-data/spot/instance-action`, {
      ...(token ? { 'X-aws-ec2-metadata-token': token } : {}),
    });
    if (r.status !== 200) return null;
    const body = JSON.parse(r.text) as { action?: unknown; time?: unknown };
    return `EC2 spot instance-action ${String(body.action ?? '?')} at ${String(body.time ?? '?')}`;
  }
  if (kind === 'gcp') {
    const r = await get(`${root}/computeMetadata/v1/instance/preempted`, { 'Metadata-Flavor': 'Google' });
    return r.status === 200 && r.text.trim().toUpperCase() === 'TRUE' ? 'GCE preemption notice' : null;
  }
  const r = await get(`${root}/metadata/scheduledevents?api-version=2020-07-01`, { Metadata: 'true' });
  if (r.status !== 200) return null;
  const body = JSON.parse(r.text) as { Events?: Array<{ EventType?: unknown; NotBefore?: unknown }> };
  const e = (body.Events ?? []).find((x) => x.EventType === 'Preempt');
  return e ? `Azure scheduled event Preempt (not before ${String(e.NotBefore ?? '?')})` : null;
}

/**
 * Polls every `intervalMs` until stopped; calls `onNotice` once. A metadata service that does not
 * answer is no notice: it never stops a run.
 */
export function watchPreemption(
  env: Readonly<Record<string, string | undefined>>,
  onNotice: (what: string) => void,
  intervalMs = 2000,
): () => void {
  const kind = preemptionKind(env);
  if (!kind) return () => undefined;
  const base = env['KILN_METADATA_URL'] || DEFAULT_BASE[kind];
  let done = false;
  let busy = false;
  const timer = setInterval(() => {
    if (done || busy) return;
    busy = true;
    checkPreemption(kind, base)
      .then((what) => {
        if (what && !done) {
          done = true;
          clearInterval(timer);
          onNotice(what);
        }
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return () => {
    done = true;
    clearInterval(timer);
  };
}
