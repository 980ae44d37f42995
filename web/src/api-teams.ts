import { z } from 'zod';
import { Team, TeamDetail, TeamMember, type TeamRole } from '../../src/contracts/teams.js';
import { request } from './api.js';

const TeamList = z.object({ teams: z.array(Team) });

/** Teams, their members and roles. */
export const teamsApi = {
  teams: () => request('GET', '/api/teams', TeamList),
  team: (team: string) => request('GET', `/api/teams/${encodeURIComponent(team)}`, TeamDetail),
  createTeam: (name: string) => request('POST', '/api/teams', Team, { name }),
  setMember: (team: string, user: string, role: TeamRole) =>
    request('PUT', `/api/teams/${encodeURIComponent(team)}/members/${encodeURIComponent(user)}`, TeamMember, {
      role,
    }),
  deleteTeam: (team: string) => request('DELETE', `/api/teams/${encodeURIComponent(team)}`, z.unknown()),
};
