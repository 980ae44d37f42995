import { EC2Client } from '@aws-sdk/client-ec2';
import { ComputeManagementClient } from '@azure/arm-compute';
import { ClientSecretCredential } from '@azure/identity';
import { InstancesClient, RegionsClient, ZoneOperationsClient } from '@google-cloud/compute';
import { JWT } from 'google-auth-library';
import type { CredentialSecret, GcpServiceAccount } from '../../contracts/compute.js';
import { GcpServiceAccount as GcpServiceAccountSchema } from '../../contracts/compute.js';

type Aws = Extract<CredentialSecret, { kind: 'aws' }>;
type Gcp = Extract<CredentialSecret, { kind: 'gcp' }>;
type Azure = Extract<CredentialSecret, { kind: 'azure' }>;

/**
 * Where SDK calls go. Production leaves it empty; contract tests point each SDK at a local
 * stand-in that answers the API's documented JSON/XML, and give GCP/Azure a ready token.
 */
export interface Endpoints {
  aws?: string;
  gcp?: { host: string; port: number; authClient: GcpOptions['authClient'] };
  azure?: { endpoint: string; credential: ConstructorParameters<typeof ComputeManagementClient>[0] };
}

export function ec2(secret: Aws, region: string, ep: Endpoints = {}): EC2Client {
  return new EC2Client({
    region,
    credentials: {
      accessKeyId: secret.accessKeyId,
      secretAccessKey: secret.secretAccessKey,
      ...(secret.sessionToken ? { sessionToken: secret.sessionToken } : {}),
    },
    ...(ep.aws ? { endpoint: ep.aws } : {}),
    maxAttempts: 2,
  });
}

export function serviceAccount(secret: Gcp): GcpServiceAccount {
  return GcpServiceAccountSchema.parse(JSON.parse(secret.serviceAccountJson));
}

type GcpOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

function gcpOptions(secret: Gcp, ep: Endpoints): GcpOptions {
  const sa = serviceAccount(secret);
  if (ep.gcp)
    return {
      projectId: sa.project_id,
      apiEndpoint: ep.gcp.host,
      port: ep.gcp.port,
      protocol: 'http',
      authClient: ep.gcp.authClient,
    };
  const authClient = new JWT({
    email: sa.client_email,
    key: sa.private_key,
    scopes: ['https://www.googleapis.com/auth/compute'],
  });
  return { projectId: sa.project_id, authClient };
}

export function gcpInstances(secret: Gcp, ep: Endpoints = {}): InstancesClient {
  return new InstancesClient(gcpOptions(secret, ep));
}

export function gcpZoneOperations(secret: Gcp, ep: Endpoints = {}): ZoneOperationsClient {
  return new ZoneOperationsClient(gcpOptions(secret, ep));
}

export function gcpRegions(secret: Gcp, ep: Endpoints = {}): RegionsClient {
  return new RegionsClient(gcpOptions(secret, ep));
}

export function azureCompute(secret: Azure, ep: Endpoints = {}): ComputeManagementClient {
  if (ep.azure) {
    // The SDK sends bearer tokens over https only: it is told the stand-in is https, and the
    // last policy before the wire (after signing) turns the stand-in's URLs back into http.
    const plain = new URL(ep.azure.endpoint);
    const tls = `https://${plain.host}`;
    return new ComputeManagementClient(ep.azure.credential, secret.subscriptionId, {
      endpoint: tls,
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [
        {
          position: 'perRetry',
          policy: {
            name: 'kiln-stand-in-http',
            sendRequest: (req, next) => {
              if (req.url.startsWith(tls)) req.url = `http://${plain.host}${req.url.slice(tls.length)}`;
              return next(req);
            },
          },
        },
      ],
    });
  }
  const cred = new ClientSecretCredential(secret.tenantId, secret.clientId, secret.clientSecret);
  return new ComputeManagementClient(cred, secret.subscriptionId);
}
