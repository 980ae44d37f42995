import { generateKeyPairSync } from 'node:crypto';
import type { ComputeManagementClient, VirtualMachine } from '@azure/arm-compute';
import { type CloudInstance, type CloudProvider, type LaunchRequest, TAG_INSTALL } from './provider.js';

/**
 * An `ssh-rsa` public key whose private half is thrown away: Azure wants a login for a Linux VM,
 * and Kiln never logs in, so nobody can.
 */
function throwawaySshKey(): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const part = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const mpint = (s: string | undefined) => {
    const b = Buffer.from(s ?? '', 'base64url');
    return part((b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  const blob = Buffer.concat([part(Buffer.from('ssh-rsa')), mpint(jwk.e), mpint(jwk.n)]);
  return `ssh-rsa ${blob.toString('base64')} kiln`;
}

/** A Linux VM name: letters, digits, `-`, at most 64. */
function vmName(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9-]/g, '-')
      .slice(0, 64)
      .replace(/-+$/, '') || 'kiln'
  );
}

function state(vm: VirtualMachine): CloudInstance['state'] {
  const power = vm.instanceView?.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code;
  const ps = vm.provisioningState;
  if (ps === 'Deleting' || ps === 'Failed') return 'stopping';
  if (power === 'PowerState/running') return 'running';
  if (power === 'PowerState/starting' || ps === 'Creating') return 'pending';
  // Stopped (still allocated and billed), deallocated or stopping: not alive, so reconciled.
  if (power) return 'stopping';
  return ps === 'Succeeded' ? 'running' : 'pending';
}

/** `rg/name` from an ARM resource id. */
function shortId(armId: string | undefined, fallback: string): string {
  const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(
    armId ?? '',
  );
  return m ? `${m[1]}/${m[2]}` : fallback;
}

function split(id: string): { group: string; name: string } {
  const [group, name] = id.split('/');
  if (!group || !name) throw new Error(`not an Azure VM id (resource group/name): ${id}`);
  return { group, name };
}

const notFound = (err: unknown) =>
  typeof err === 'object' && err !== null && 'statusCode' in err && err.statusCode === 404;

function toInstance(vm: VirtualMachine, fallbackId: string): CloudInstance {
  return {
    id: shortId(vm.id, fallbackId),
    zone: vm.zones?.[0] ?? vm.location ?? null,
    state: state(vm),
    tags: { ...(vm.tags ?? {}) },
    launchedAt: (vm.timeCreated ?? new Date()).toISOString(),
  };
}

/**
 * Azure VMs: `virtualMachines.beginCreateOrUpdate` with Spot priority (deleted on eviction, with
 * a max price or -1 for "up to on-demand"), an OS disk of the asked size and a NIC and public IP
 * that are deleted with the VM, Kiln tags, and the startup script as base64 customData (cloud-init
 * runs it at first boot). An instance's id is `resourceGroup/name`.
 */
export class AzureProvider implements CloudProvider {
  readonly cloud = 'azure';
  constructor(
    private readonly compute: ComputeManagementClient,
    private readonly o: { resourceGroup: string; subnetId?: string | undefined; image?: string | undefined },
  ) {}

  /** `publisher:offer:sku:version`, as `az vm create --image` takes it. */
  private image(urn: string | undefined) {
    const [publisher, offer, sku, version] = (urn ?? this.o.image ?? '').split(':');
    if (publisher && offer && sku) return { publisher, offer, sku, version: version ?? 'latest' };
    return {
      publisher: 'Canonical',
      offer: '0001-com-ubuntu-server-jammy',
      sku: '22_04-lts-gen2',
      version: 'latest',
    };
  }

  async launch(req: LaunchRequest): Promise<CloudInstance> {
    const m = req.machine;
    if (!this.o.subnetId)
      throw new Error("an Azure profile needs subnetId (the VM's subnet: /subscriptions/…/subnets/NAME)");
    const name = vmName(req.name);
    const group = this.o.resourceGroup;
    const vm: VirtualMachine = {
      location: m.region,
      tags: { Name: req.name, ...req.tags },
      hardwareProfile: { vmSize: m.type },
      storageProfile: {
        imageReference: this.image(req.image),
        osDisk: {
          createOption: 'FromImage',
          diskSizeGB: m.diskGb,
          deleteOption: 'Delete',
          managedDisk: { storageAccountType: 'StandardSSD_LRS' },
        },
      },
      osProfile: {
        computerName: name,
        adminUsername: 'kiln',
        customData: Buffer.from(req.userData).toString('base64'),
        linuxConfiguration: {
          disablePasswordAuthentication: true,
          ssh: { publicKeys: [{ path: '/home/kiln/.ssh/authorized_keys', keyData: throwawaySshKey() }] },
        },
      },
      networkProfile: {
        networkApiVersion: '2020-11-01',
        networkInterfaceConfigurations: [
          {
            name: `${name}-nic`,
            primary: true,
            deleteOption: 'Delete',
            ipConfigurations: [
              {
                name: 'ipconfig1',
                subnet: { id: this.o.subnetId },
                publicIPAddressConfiguration: {
                  name: `${name}-ip`,
                  deleteOption: 'Delete',
                  sku: { name: 'Standard' },
                },
              },
            ],
          },
        ],
      },
      ...(m.spot
        ? { priority: 'Spot', evictionPolicy: 'Delete', billingProfile: { maxPrice: m.maxPrice ?? -1 } }
        : { priority: 'Regular' }),
    };
    const made = await this.compute.virtualMachines.beginCreateOrUpdateAndWait(group, name, vm);
    return toInstance(made, `${group}/${name}`);
  }

  async describe(id: string): Promise<CloudInstance | null> {
    const { group, name } = split(id);
    try {
      return toInstance(await this.compute.virtualMachines.get(group, name, { expand: 'instanceView' }), id);
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  /** Starts the deletion (the NIC, IP and disk go with the VM) without waiting for it. */
  async terminate(id: string): Promise<void> {
    const { group, name } = split(id);
    try {
      await this.compute.virtualMachines.beginDelete(group, name);
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  /**
   * The subscription's VMs carrying the Kiln tag (ARM lists cannot filter VMs by tag), each with
   * its power state: a VM powered off by its script is stopped but still billed.
   */
  async listTagged(install: string): Promise<CloudInstance[]> {
    const out: CloudInstance[] = [];
    for await (const vm of this.compute.virtualMachines.listAll()) {
      if (vm.tags?.[TAG_INSTALL] !== install) continue;
      const id = shortId(vm.id, vm.name ?? '');
      const full = vm.provisioningState === 'Succeeded' ? await this.describe(id) : toInstance(vm, id);
      if (full) out.push(full);
    }
    return out;
  }
}
