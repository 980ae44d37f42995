import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import ssh2 from 'ssh2';
import type { CredentialSecret, CredentialTest } from '../../contracts/compute.js';
import {
  azureCompute,
  ec2,
  gcpRegions,
  serviceAccount,
  type Endpoints,
} from '../../compute/cloud/clients.js';
import { sshProbe } from '../../compute/ssh/connect.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One read-only call per provider; failures come back as `{ok: false}` with the provider's words. */
export function makeChecker(ep: Endpoints = {}, sshTarget?: { host: string; port: number; user: string }) {
  return async function check(secret: CredentialSecret): Promise<CredentialTest> {
    switch (secret.kind) {
      case 'aws': {
        const call = 'ec2:DescribeRegions';
        try {
          const r = await ec2(secret, 'us-east-1', ep).send(new DescribeRegionsCommand({}));
          return { ok: true, call, detail: `${r.Regions?.length ?? 0} regions visible` };
        } catch (err) {
          return { ok: false, call, detail: message(err) };
        }
      }
      case 'gcp': {
        const call = 'compute.regions.list';
        try {
          const project = serviceAccount(secret).project_id;
          const [regions] = await gcpRegions(secret, ep).list(
            { project, maxResults: 500 },
            { autoPaginate: false },
          );
          return { ok: true, call, detail: `${regions.length} regions visible in project ${project}` };
        } catch (err) {
          return { ok: false, call, detail: message(err) };
        }
      }
      case 'azure': {
        const call = 'Microsoft.Compute/virtualMachines/read';
        try {
          let n = 0;
          for await (const page of azureCompute(secret, ep)
            .virtualMachines.listAll()
            .byPage({ maxPageSize: 50 })) {
            n += page.length;
            break;
          }
          return {
            ok: true,
            call,
            detail: `${n} virtual machines visible in subscription ${secret.subscriptionId}`,
          };
        } catch (err) {
          return { ok: false, call, detail: message(err) };
        }
      }
      case 'kubernetes': {
        const call = 'GET /api/v1/namespaces';
        try {
          const kc = new KubeConfig();
          kc.loadFromString(secret.kubeconfig);
          const r = await kc.makeApiClient(CoreV1Api).listNamespace({ limit: 100 });
          return {
            ok: true,
            call,
            detail: `${r.items.length} namespaces visible in context ${kc.getCurrentContext()}`,
          };
        } catch (err) {
          return { ok: false, call, detail: message(err) };
        }
      }
      case 'ssh': {
        const call = 'ssh: node --version';
        if (!sshTarget) {
          const parsed = ssh2.utils.parseKey(secret.privateKey, secret.passphrase);
          if (parsed instanceof Error) return { ok: false, call: 'ssh: parse key', detail: parsed.message };
          return {
            ok: true,
            call: 'ssh: parse key',
            detail: 'the key parses; a profile test reaches its hosts',
          };
        }
        try {
          const r = await sshProbe({
            ...sshTarget,
            privateKey: secret.privateKey,
            passphrase: secret.passphrase,
          });
          return {
            ok: r.node !== null,
            call,
            detail: r.node ? `Node ${r.node} on ${sshTarget.host}` : `${sshTarget.host} has no Node.js`,
          };
        } catch (err) {
          return { ok: false, call, detail: message(err) };
        }
      }
    }
  };
}

export const checkCredential = makeChecker();
