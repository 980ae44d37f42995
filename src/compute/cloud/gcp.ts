import type { InstancesClient, protos, ZoneOperationsClient } from '@google-cloud/compute';
import { type CloudInstance, type CloudProvider, type LaunchRequest, TAG_INSTALL } from './provider.js';

type Instance = protos.google.cloud.compute.v1.IInstance;
type Operation = protos.google.cloud.compute.v1.IOperation;

/** GCP label keys and values: lowercase letters, digits, `_` and `-`, at most 63. */
export function gcpLabel(v: string): string {
  return v
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-')
    .slice(0, 63);
}

/** An instance name: `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63. */
function instanceName(name: string): string {
  const s = gcpLabel(name)
    .replace(/_/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return s || 'kiln';
}

/** A native region (`us-west1`) takes its `-a` zone; a zone (`us-west1-b`) is kept. */
export function gcpZone(region: string, zone: string | null): string {
  if (zone) return zone;
  return /-[a-z]$/.test(region) ? region : `${region}-a`;
}

function state(status: string | null | undefined): CloudInstance['state'] {
  if (status === 'RUNNING') return 'running';
  if (status === 'PROVISIONING' || status === 'STAGING') return 'pending';
  // TERMINATED is a stopped instance that still exists (and keeps its disk): the reconciler deletes it.
  return 'stopping';
}

const last = (url: string | null | undefined) => (url ?? '').split('/').pop() ?? '';

function toInstance(i: Instance): CloudInstance {
  const zone = last(i.zone);
  return {
    id: `${zone}/${i.name ?? ''}`,
    zone,
    state: state(i.status),
    tags: { ...(i.labels ?? {}) },
    launchedAt: i.creationTimestamp ? new Date(i.creationTimestamp).toISOString() : new Date().toISOString(),
  };
}

function split(id: string): { zone: string; instance: string } {
  const [zone, instance] = id.split('/');
  if (!zone || !instance) throw new Error(`not a GCP instance id (zone/name): ${id}`);
  return { zone, instance };
}

const notFound = (err: unknown) =>
  typeof err === 'object' && err !== null && 'code' in err && (err.code === 404 || err.code === 5);

function failed(op: Operation): string | null {
  const errs = op.error?.errors ?? [];
  return errs.length ? errs.map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ') : null;
}

/**
 * Compute Engine: instances.insert with the SPOT provisioning model (deleted when reclaimed),
 * accelerators (which need onHostMaintenance TERMINATE), a boot disk of the asked size, labels
 * marking Kiln's, and the startup script as `startup-script` metadata. An instance's id is
 * `zone/name`, as the API addresses it.
 */
export class GcpProvider implements CloudProvider {
  readonly cloud = 'gcp';
  constructor(
    private readonly instances: InstancesClient,
    private readonly operations: ZoneOperationsClient,
    private readonly o: { project: string; image?: string | undefined; network?: string | undefined },
  ) {}

  readonly tagValue = gcpLabel;

  async launch(req: LaunchRequest): Promise<CloudInstance> {
    const m = req.machine;
    const zone = gcpZone(m.region, m.zone);
    const name = instanceName(req.name);
    const labels = Object.fromEntries(Object.entries(req.tags).map(([k, v]) => [gcpLabel(k), gcpLabel(v)]));
    const gpu = m.accelerator;
    const resource: Instance = {
      name,
      machineType: `zones/${zone}/machineTypes/${m.type}`,
      labels,
      disks: [
        {
          boot: true,
          autoDelete: true,
          type: 'PERSISTENT',
          initializeParams: {
            sourceImage: req.image ?? this.o.image ?? 'projects/debian-cloud/global/images/family/debian-12',
            diskSizeGb: String(m.diskGb),
            labels,
          },
        },
      ],
      networkInterfaces: [
        {
          network: this.o.network ?? 'global/networks/default',
          accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }],
        },
      ],
      metadata: { items: [{ key: 'startup-script', value: req.userData }] },
      ...(gpu
        ? {
            guestAccelerators: [
              { acceleratorType: `zones/${zone}/acceleratorTypes/${gpu.type}`, acceleratorCount: gpu.count },
            ],
          }
        : {}),
      scheduling: m.spot
        ? {
            provisioningModel: 'SPOT',
            instanceTerminationAction: 'DELETE',
            automaticRestart: false,
            onHostMaintenance: 'TERMINATE',
          }
        : {
            provisioningModel: 'STANDARD',
            onHostMaintenance: gpu ? 'TERMINATE' : 'MIGRATE',
            automaticRestart: true,
          },
    };
    const [lro] = await this.instances.insert({ project: this.o.project, zone, instanceResource: resource });
    let op: Operation = lro.latestResponse as Operation;
    // A spot zone out of capacity fails in the operation, not the call: wait for it to say.
    for (let i = 0; i < 5 && op.status !== 'DONE' && op.name; i++)
      [op] = await this.operations.wait({ project: this.o.project, zone, operation: op.name });
    const why = failed(op);
    if (why) throw new Error(`instances.insert ${name} in ${zone} failed: ${why}`);
    return {
      id: `${zone}/${name}`,
      zone,
      state: 'pending',
      tags: labels,
      launchedAt: new Date().toISOString(),
    };
  }

  async describe(id: string): Promise<CloudInstance | null> {
    const { zone, instance } = split(id);
    try {
      const [i] = await this.instances.get({ project: this.o.project, zone, instance });
      return toInstance(i);
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async terminate(id: string): Promise<void> {
    const { zone, instance } = split(id);
    try {
      await this.instances.delete({ project: this.o.project, zone, instance });
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  async listTagged(install: string): Promise<CloudInstance[]> {
    const out: CloudInstance[] = [];
    const iter = this.instances.aggregatedListAsync(
      {
        project: this.o.project,
        filter: `labels.${TAG_INSTALL} = "${gcpLabel(install)}"`,
        maxResults: 500,
      },
      { autoPaginate: false },
    );
    for await (const [, scoped] of iter) for (const i of scoped.instances ?? []) out.push(toInstance(i));
    return out;
  }
}
