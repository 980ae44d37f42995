import { z } from 'zod';
import { ProfileTeams, TeamCapBody, type TeamSpend, type TeamSpendList } from '../../contracts/budget.js';
import { ComputeName } from '../../contracts/compute.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Auth } from '../auth.js';
import type { makeRoute } from '../route.js';
import { teamSpend } from './team-budget.js';

const TeamParams = z.object({ team: z.string().min(1).max(100) });
const ProfileParams = z.object({ name: ComputeName });

/**
 * A team's spend this month and its cap (shown to its members; set by its owners and instance
 * admins), and which teams may run on a compute profile (instance admins).
 */
export function registerBudgetRoutes(route: ReturnType<typeof makeRoute>, deps: { store: Store }): void {
  const { store } = deps;
  const mine = async (who: Auth | null) => {
    if (!who) throw new ApiFailure('unauthorized', 'log in to see spending');
    return store.budget.teams(who.role === 'admin' ? undefined : who.user.id);
  };

  route(
    { method: 'GET', url: '/api/spend', permission: 'signed-in' },
    async ({ auth }): Promise<TeamSpendList> => {
      const teams = await mine(auth);
      return { teams: await Promise.all(teams.map((t) => teamSpend(store, t))) };
    },
  );

  route(
    {
      method: 'PUT',
      url: '/api/teams/:team/cap',
      permission: 'team:admin',
      params: TeamParams,
      body: TeamCapBody,
    },
    // team:admin: the route builder has refused strangers (404) and non-owners (403).
    async ({ params, body }): Promise<TeamSpend> => {
      const team = (await store.budget.team(params.team))!;
      await store.budget.setCap(team.id, body.monthlyCapUsd);
      return teamSpend(store, { ...team, monthlyCapUsd: body.monthlyCapUsd });
    },
  );

  route(
    {
      method: 'GET',
      url: '/api/compute/profiles/:name/teams',
      permission: 'instance:admin',
      params: ProfileParams,
    },
    async ({ params }): Promise<ProfileTeams> => {
      if (!(await store.compute.getProfile(params.name)))
        throw new ApiFailure('not_found', `no compute profile ${params.name}`);
      const ids = await store.budget.profileTeams(params.name);
      const names = await Promise.all(ids.map(async (id) => (await store.budget.team(id))?.name ?? id));
      return { teams: names };
    },
  );

  route(
    {
      method: 'PUT',
      url: '/api/compute/profiles/:name/teams',
      permission: 'instance:admin',
      params: ProfileParams,
      body: ProfileTeams,
    },
    async ({ params, body }): Promise<ProfileTeams> => {
      if (!(await store.compute.getProfile(params.name)))
        throw new ApiFailure('not_found', `no compute profile ${params.name}`);
      const ids: string[] = [];
      for (const t of body.teams) {
        const team = await store.budget.team(t);
        if (!team)
          throw new ApiFailure('bad_request', `no team ${t}`, 'name teams as `kiln team list` shows them');
        ids.push(team.id);
      }
      await store.budget.setProfileTeams(params.name, ids);
      return { teams: body.teams };
    },
  );
}
