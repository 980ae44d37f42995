import type { Command } from 'commander';
import { z } from 'zod';
import { Team, TeamMember, TeamName, TeamRole } from '../../contracts/teams.js';
import { ApiClient, CliError } from '../client.js';
import { clientOptions } from '../options.js';

const TeamList = z.object({ teams: z.array(Team) });

/** `kiln team add|list|delete` and `kiln member set` (DESIGN.md "Interfaces we keep stable"). */
export function registerTeam(program: Command): void {
  const team = program.command('team').description('teams own projects; people have a role in each');
  team
    .command('add')
    .description('create a team (instance admins); you become its owner')
    .argument('<team>', 'team name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const parsed = TeamName.safeParse(name);
      if (!parsed.success)
        throw new CliError(`invalid team name: ${parsed.error.issues[0]?.message ?? ''}`, 2);
      const client = new ApiClient(clientOptions(cmd), process.env);
      const t = await client.request('POST', '/api/teams', Team, { name });
      console.log(`team ${t.name} created; you are its owner`);
    });
  team
    .command('list')
    .description('the teams you belong to (every team for an instance admin)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const { teams } = await client.request('GET', '/api/teams', TeamList);
      if (opts.json) console.log(JSON.stringify(teams, null, 2));
      else if (teams.length === 0) console.log('no teams');
      else for (const t of teams) console.log(`${t.name}\t${t.role ?? '-'}`);
    });
  team
    .command('delete')
    .description('delete a team that holds no projects (its owners and instance admins)')
    .argument('<team>', 'team name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      await client.request('DELETE', `/api/teams/${encodeURIComponent(name)}`, z.unknown());
      console.log(`team ${name} deleted`);
    });

  const member = program.command('member').description("team members' roles");
  member
    .command('set')
    .description('add a person to a team or change their role (team owners and instance admins)')
    .argument('<team>', 'team name')
    .argument('<user>', 'user name or e-mail')
    .argument('<role>', 'viewer | member | maintainer | owner')
    .action(async (teamName: string, user: string, role: string, _opts: unknown, cmd: Command) => {
      const r = TeamRole.safeParse(role);
      if (!r.success)
        throw new CliError(`role must be one of viewer, member, maintainer, owner, not "${role}"`, 2);
      const client = new ApiClient(clientOptions(cmd), process.env);
      const m = await client.request(
        'PUT',
        `/api/teams/${encodeURIComponent(teamName)}/members/${encodeURIComponent(user)}`,
        TeamMember,
        { role: r.data },
      );
      console.log(`${m.name} is ${m.role} of team ${teamName}`);
    });
}
