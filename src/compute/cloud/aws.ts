import {
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
  _InstanceType as InstanceType,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { type CloudInstance, type CloudProvider, type LaunchRequest, TAG_INSTALL } from './provider.js';

/** The SDK's InstanceType union, checked: an unknown type fails here rather than at EC2. */
function instanceType(t: string): InstanceType {
  const known = Object.values(InstanceType).find((v) => v === t);
  if (!known) throw new Error(`EC2 has no instance type ${t}`);
  return known;
}

function state(name: string | undefined): CloudInstance['state'] {
  if (name === 'running') return 'running';
  if (name === 'pending') return 'pending';
  if (name === 'shutting-down' || name === 'stopping' || name === 'stopped') return 'stopping';
  return 'terminated';
}

function toInstance(i: Instance): CloudInstance {
  const tags: Record<string, string> = {};
  for (const t of i.Tags ?? []) if (t.Key && t.Value !== undefined) tags[t.Key] = t.Value;
  return {
    id: i.InstanceId ?? '',
    zone: i.Placement?.AvailabilityZone ?? null,
    state: state(i.State?.Name),
    tags,
    launchedAt: (i.LaunchTime ?? new Date()).toISOString(),
  };
}

/** EC2: RunInstances with spot market options, a root volume of the asked size, tags at launch. */
export class AwsProvider implements CloudProvider {
  readonly cloud = 'aws';
  constructor(
    private readonly ec2: EC2Client,
    private readonly defaults: {
      image: string;
      subnetId?: string | undefined;
      securityGroupId?: string | undefined;
    },
  ) {}

  async launch(req: LaunchRequest): Promise<CloudInstance> {
    const m = req.machine;
    const tags = Object.entries({ Name: req.name, ...req.tags }).map(([Key, Value]) => ({ Key, Value }));
    const r = await this.ec2.send(
      new RunInstancesCommand({
        ImageId: req.image ?? this.defaults.image,
        InstanceType: instanceType(m.type),
        MinCount: 1,
        MaxCount: 1,
        UserData: Buffer.from(req.userData).toString('base64'),
        InstanceInitiatedShutdownBehavior: 'terminate',
        BlockDeviceMappings: [
          {
            DeviceName: '/dev/sda1',
            Ebs: { VolumeSize: m.diskGb, VolumeType: 'gp3', DeleteOnTermination: true },
          },
        ],
        ...(m.zone ? { Placement: { AvailabilityZone: m.zone } } : {}),
        ...(this.defaults.subnetId ? { SubnetId: this.defaults.subnetId } : {}),
        ...(this.defaults.securityGroupId ? { SecurityGroupIds: [this.defaults.securityGroupId] } : {}),
        ...(m.spot
          ? {
              InstanceMarketOptions: {
                MarketType: 'spot',
                SpotOptions: {
                  SpotInstanceType: 'one-time',
                  InstanceInterruptionBehavior: 'terminate',
                  ...(m.maxPrice !== null ? { MaxPrice: String(m.maxPrice) } : {}),
                },
              },
            }
          : {}),
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
      }),
    );
    const first = r.Instances?.[0];
    if (!first?.InstanceId) throw new Error('RunInstances returned no instance');
    return toInstance(first);
  }

  async describe(id: string): Promise<CloudInstance | null> {
    const r = await this.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    const i = r.Reservations?.[0]?.Instances?.[0];
    return i ? toInstance(i) : null;
  }

  async terminate(id: string): Promise<void> {
    await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  }

  async listTagged(install: string): Promise<CloudInstance[]> {
    const out: CloudInstance[] = [];
    let token: string | undefined;
    do {
      const r = await this.ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: `tag:${TAG_INSTALL}`, Values: [install] },
            { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
          ],
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const res of r.Reservations ?? []) for (const i of res.Instances ?? []) out.push(toInstance(i));
      token = r.NextToken;
    } while (token);
    return out;
  }
}
