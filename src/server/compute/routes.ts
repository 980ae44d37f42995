import { z } from 'zod';
import {
  ComputeName,
  ComputeProfileInput,
  type ComputeProfileList,
  CredentialInput,
  type CredentialList,
  ResolveRequest,
} from '../../contracts/compute.js';
import type { makeRoute } from '../route.js';
import type { CredentialService } from './credential-service.js';
import type { ProfileService } from './profile-service.js';

const Named = z.object({ name: ComputeName });

/** Credentials and compute profiles; see `src/contracts/compute.ts` for the route table. */
export function registerComputeRoutes(
  route: ReturnType<typeof makeRoute>,
  deps: { credentials: CredentialService; profiles: ProfileService },
): void {
  const { credentials, profiles } = deps;
  route(
    { method: 'GET', url: '/api/compute/credentials', permission: 'instance:admin' },
    async (): Promise<CredentialList> => ({
      credentials: await credentials.list(),
    }),
  );
  route(
    {
      method: 'POST',
      url: '/api/compute/credentials',
      permission: 'instance:admin',
      body: CredentialInput,
      status: 201,
    },
    ({ body }) => credentials.put(body),
  );
  route(
    { method: 'DELETE', url: '/api/compute/credentials/:name', permission: 'instance:admin', params: Named },
    ({ params }) => credentials.remove(params.name),
  );
  route(
    {
      method: 'POST',
      url: '/api/compute/credentials/:name/test',
      permission: 'instance:admin',
      params: Named,
    },
    ({ params }) => credentials.test(params.name),
  );
  route(
    { method: 'GET', url: '/api/compute/profiles', permission: 'signed-in' },
    async (): Promise<ComputeProfileList> => ({
      profiles: await profiles.list(),
    }),
  );
  route(
    {
      method: 'POST',
      url: '/api/compute/profiles',
      permission: 'instance:admin',
      body: ComputeProfileInput,
      status: 201,
    },
    ({ body }) => profiles.create(body),
  );
  route(
    { method: 'DELETE', url: '/api/compute/profiles/:name', permission: 'instance:admin', params: Named },
    ({ params }) => profiles.remove(params.name),
  );
  route(
    { method: 'POST', url: '/api/compute/resolve', permission: 'signed-in', body: ResolveRequest },
    ({ body }) => profiles.resolve(body.profile, body.overrides),
  );
}
