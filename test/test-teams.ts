import type { TeamRole } from '../src/store/schema.js';
import type { TestServer } from './test-server.js';
import { runWithToken } from './security-kit.js';
import { TestRepo } from './test-repo.js';

/** The people of the authorization tests, each with a token of their own. */
export interface Cast {
  repo: TestRepo;
  head: string;
  /** Team `ml` owns project `p`; team `other` owns project `q`. */
  team: { id: string; name: string };
  otherTeam: { id: string; name: string };
  users: Record<'viewer' | 'member' | 'maintainer' | 'owner' | 'otherOwner', { id: string; token: string }>;
}

/**
 * Two teams with a project each and a person per role in team `ml` (plus an owner of team
 * `other`), made through the store as `kiln admin user` does; tokens are full-scope personal ones.
 */
export async function makeCast(s: TestServer): Promise<Cast> {
  const repo = new TestRepo();
  const head = repo.write('params.yaml', 'lr: 1\n').commit('first');
  await s.addProject('p', repo.dir);
  const other = new TestRepo();
  other.write('params.yaml', 'lr: 2\n').commit('first');
  await s.addProject('q', other.dir);
  const team = (await s.store.teams.createTeam({ name: 'ml' }))!;
  const otherTeam = (await s.store.teams.createTeam({ name: 'other' }))!;
  await s.store.teams.setProjectTeam('p', team.id);
  await s.store.teams.setProjectTeam('q', otherTeam.id);
  const person = async (name: string, teamId: string, role: TeamRole) => {
    const u = await s.store.teams.createUser({ name });
    await s.store.teams.setMember(teamId, u.id, role);
    const { token } = await s.auth.createToken(u.id, 'test', { scope: 'admin' });
    return { id: u.id, token };
  };
  return {
    repo,
    head,
    team,
    otherTeam,
    users: {
      viewer: await person('vera', team.id, 'viewer'),
      member: await person('max', team.id, 'member'),
      maintainer: await person('mia', team.id, 'maintainer'),
      owner: await person('olga', team.id, 'owner'),
      otherOwner: await person('otto', otherTeam.id, 'owner'),
    },
  };
}

export { runWithToken };

/** fetch with `token` (null: anonymous). */
export async function call(
  s: TestServer,
  token: string | null,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: { error?: string; code?: string } & Record<string, unknown> }> {
  const res = await fetch(s.url + url, {
    method,
    headers: {
      ...(token ? { authorization: `token ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}
