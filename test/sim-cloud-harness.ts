import path from 'node:path';
import { SimulatedCloud } from './simulated-cloud.js';
import { startRunServer } from './test-harness.js';

/**
 * For tests of cloud profiles end to end: a real run server whose cloud provider is the
 * simulated AWS (VMs are local processes running the real startup script), with the AWS
 * credential `aws-key` and the given profiles (credential and image filled in).
 */
export function simulatedAws(): SimulatedCloud {
  return new SimulatedCloud('aws', {
    ...process.env,
    PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
  });
}

export async function startSimCloudServer(
  sim: SimulatedCloud,
  profiles: Record<string, Record<string, unknown>>,
) {
  const h = await startRunServer();
  h.server.runs.targets.providers = () => sim;
  const ok = async (url: string, body: unknown) => {
    const r = await h.api('POST', url, body);
    if (r.status !== 201) throw new Error(`${url}: ${r.status} ${JSON.stringify(r.json)}`);
  };
  await ok('/api/compute/credentials', {
    name: 'aws-key',
    secret: {
      kind: 'aws',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'not-used-by-the-simulation',
    },
  });
  for (const [name, settings] of Object.entries(profiles))
    await ok('/api/compute/profiles', {
      name,
      kind: 'aws',
      settings: { credential: 'aws-key', image: 'ami-0123456789abcdef0', ...settings },
    });
  return h;
}
