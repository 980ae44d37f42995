import { z } from 'zod';
import { ProjectName } from '../../contracts/api.js';
import {
  CreateTeamBody,
  SetMemberBody,
  SetProjectRoleBody,
  type ProjectMembers,
  type Team,
  type TeamDetail,
} from '../../contracts/teams.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Auth } from '../auth.js';
import type { makeRoute } from '../route.js';
import type { EventBus } from '../event-bus.js';
import { DEFAULT_TEAM_ID } from '../../store/migration-007-teams.js';

const TeamParams = z.object({ team: z.string().min(1).max(100) });
const MemberParams = z.object({ team: z.string().min(1).max(100), user: z.string().min(1).max(200) });
const ProjectParams = z.object({ name: ProjectName });
const OverrideParams = z.object({ name: ProjectName, user: z.string().min(1).max(200) });

/**
 * Teams and members: anyone signed in lists their teams; instance admins create teams; a
 * team's owners manage its members; a project's owners its per-project roles.
 */
export function registerTeamRoutes(
  route: ReturnType<typeof makeRoute>,
  deps: { store: Store; bus?: EventBus },
): void {
  const { store } = deps;
  // Every server's event streams forget what they knew of who may read what.
  const changed = (project = '*') => deps.bus?.publish({ type: 'access.changed', project, tokenId: null });

  const person = async (nameOrEmail: string) => {
    const u = await store.teams.findUser(nameOrEmail);
    if (!u)
      throw new ApiFailure(
        'not_found',
        `no user named "${nameOrEmail}"`,
        'create them with `kiln admin user NAME` or invite them',
      );
    return u;
  };

  route({ method: 'GET', url: '/api/teams', permission: 'signed-in' }, async ({ auth }) => {
    const who = must(auth);
    const mine = await store.teams.teamsOf(who.user.id);
    const all = who.role === 'admin' ? await store.teams.listTeams() : [];
    const teams: Team[] = [];
    for (const t of await store.teams.listTeams()) {
      const role = mine.find((m) => m.id === t.id)?.role ?? null;
      if (role || all.length)
        teams.push({ id: t.id, name: t.name, personal: t.personal, monthlyCapUsd: t.monthlyCapUsd, role });
    }
    return { teams };
  });

  route(
    { method: 'POST', url: '/api/teams', permission: 'instance:admin', body: CreateTeamBody, status: 201 },
    async ({ body, auth }) => {
      const t = await store.teams.createTeam({ name: body.name });
      if (!t) throw new ApiFailure('conflict', `a team named "${body.name}" already exists`);
      // Whoever makes a team owns it, so someone can add its members.
      await store.teams.setMember(t.id, must(auth).user.id, 'owner');
      return { ...t, role: 'owner' } satisfies Team;
    },
  );

  route(
    { method: 'GET', url: '/api/teams/:team', permission: 'signed-in', params: TeamParams },
    async ({ params, auth }): Promise<TeamDetail> => {
      const who = must(auth);
      const t = await store.teams.getTeam(params.team);
      const role = t
        ? ((await store.teams.teamsOf(who.user.id)).find((m) => m.id === t.id)?.role ?? null)
        : null;
      if (!t || (!role && who.role !== 'admin'))
        throw new ApiFailure('not_found', `no team named "${params.team}"`);
      const projects = (await store.listProjects()).filter((p) => p.teamId === t.id).map((p) => p.name);
      return { ...t, role, members: await store.teams.members(t.id), projects };
    },
  );

  route(
    {
      method: 'PUT',
      url: '/api/teams/:team/members/:user',
      permission: 'team:admin',
      params: MemberParams,
      body: SetMemberBody,
    },
    async ({ params, body }) => {
      const t = (await store.teams.getTeam(params.team))!;
      const u = await person(params.user);
      await keepAnOwner(store, t.id, u.id, body.role);
      await store.teams.setMember(t.id, u.id, body.role);
      changed();
      return { userId: u.id, name: u.name, email: u.email, role: body.role };
    },
  );

  route(
    {
      method: 'DELETE',
      url: '/api/teams/:team/members/:user',
      permission: 'team:admin',
      params: MemberParams,
    },
    async ({ params }) => {
      const t = (await store.teams.getTeam(params.team))!;
      const u = await person(params.user);
      await keepAnOwner(store, t.id, u.id, null);
      if (!(await store.teams.removeMember(t.id, u.id)))
        throw new ApiFailure('not_found', `${u.name} is not a member of team ${t.name}`);
      changed();
      return undefined;
    },
  );

  route(
    { method: 'DELETE', url: '/api/teams/:team', permission: 'team:admin', params: TeamParams },
    async ({ params }) => {
      const t = (await store.teams.getTeam(params.team))!;
      if (t.id === DEFAULT_TEAM_ID)
        throw new ApiFailure(
          'conflict',
          `team ${t.name} cannot be deleted: projects added without a team go there`,
        );
      // Deleting a team never deletes or orphans a project: a team with projects is refused.
      const held = (await store.listProjects()).filter((p) => p.teamId === t.id).map((p) => p.name);
      if (held.length)
        throw new ApiFailure(
          'conflict',
          `team ${t.name} still holds ${held.length === 1 ? 'project' : 'projects'} ${held.join(', ')}`,
          'delete those projects first; the team is deleted only once it holds none',
        );
      const letIn = (await store.identity.listProviders()).filter((p) => providerTeam(p.configJson) === t.id);
      if (letIn.length)
        throw new ApiFailure(
          'conflict',
          `sign-in provider ${letIn.map((p) => p.displayName).join(', ')} puts new people in team ${t.name}`,
          'choose another team for it in Settings → Sign-in first',
        );
      if (!(await store.teams.deleteTeam(t.id)))
        throw new ApiFailure('conflict', `team ${t.name} was given a project meanwhile: it is kept`);
      changed();
      return undefined;
    },
  );

  route(
    { method: 'GET', url: '/api/projects/:name/members', permission: 'project:read', params: ProjectParams },
    async ({ params }): Promise<ProjectMembers> => {
      const team = await store.teams.teamOf(params.name);
      return {
        team: team?.name ?? null,
        members: team ? await store.teams.members(team.id) : [],
        overrides: await store.teams.projectOverrides(params.name),
      };
    },
  );

  route(
    {
      method: 'PUT',
      url: '/api/projects/:name/members/:user',
      permission: 'project:own',
      params: OverrideParams,
      body: SetProjectRoleBody,
    },
    async ({ params, body }) => {
      const u = await person(params.user);
      await store.teams.setProjectRole(params.name, u.id, body.role);
      changed(params.name);
      return { userId: u.id, name: u.name, email: u.email, role: body.role };
    },
  );
}

/** A team keeps at least one owner: the last one cannot step down or leave. */
async function keepAnOwner(store: Store, teamId: string, userId: string, next: string | null): Promise<void> {
  if (next === 'owner') return;
  const owners = (await store.teams.members(teamId)).filter((m) => m.role === 'owner');
  if (owners.length === 1 && owners[0]?.userId === userId)
    throw new ApiFailure('conflict', 'a team needs an owner: make someone else owner first');
}

function must(a: Auth | null): Auth {
  if (!a) throw new ApiFailure('unauthorized', 'not logged in');
  return a;
}

/** The team a sign-in provider puts the people it lets in (its stored settings' `team`). */
function providerTeam(configJson: string): string | null {
  try {
    const c = JSON.parse(configJson) as { team?: unknown };
    return typeof c.team === 'string' ? c.team : null;
  } catch {
    return null;
  }
}
