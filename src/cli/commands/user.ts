import path from 'node:path';
import type { Command } from 'commander';
import { TeamRole, UserName } from '../../contracts/teams.js';
import type { Store } from '../../store/port.js';
import { CliError } from '../client.js';

/** Opens the store of the data dir (`--home`, KILN_HOME, KILN_DATABASE_URL) for `kiln admin …`. */
export async function openDataDir(home: string | undefined): Promise<Store> {
  const [{ openStore }, { configFromEnv }] = await Promise.all([
    import('../../store/open-store.js'),
    import('../../server/config.js'),
  ]);
  const config = configFromEnv(process.env, { home });
  return openStore(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'sqlite', file: path.join(config.home, 'kiln.db') },
  );
}

/**
 * `kiln admin user NAME [--home DIR] [--team TEAM --role ROLE] [--admin]`: creates or updates a
 * person directly on the data dir, for operators and scripts.
 */
export function registerAdminUser(admin: Command): void {
  admin
    .command('user')
    .description('create a user or change their team role, directly on the data directory')
    .argument('<name>', 'user name')
    .option('--home <dir>', 'data directory (env KILN_HOME, default ./.kiln)')
    .option('--email <email>', "the person's e-mail address")
    .option('--team <team>', 'a team to put them in (with --role)')
    .option('--role <role>', 'viewer | member | maintainer | owner')
    .option('--admin', 'make them an instance admin')
    .action(
      async (
        name: string,
        opts: { home?: string; email?: string; team?: string; role?: string; admin?: boolean },
      ) => {
        if (!UserName.safeParse(name).success) throw new CliError(`invalid user name "${name}"`, 2);
        if (Boolean(opts.team) !== Boolean(opts.role)) throw new CliError('--team and --role go together', 2);
        const role = opts.role === undefined ? undefined : TeamRole.safeParse(opts.role);
        if (role && !role.success)
          throw new CliError(`--role must be viewer, member, maintainer or owner, not "${opts.role}"`, 2);
        const store = await openDataDir(opts.home);
        try {
          await store.ensureAdmin();
          let user = await store.teams.findUser(name);
          if (!user) {
            user = await store.teams.createUser({
              name,
              email: opts.email ?? null,
              ...(opts.admin ? { role: 'admin' } : {}),
            });
            console.log(`created user ${name}`);
          } else if (opts.admin && user.role !== 'admin') await store.teams.setUserRole(user.id, 'admin');
          if (opts.team && role?.success) {
            const team = await store.teams.getTeam(opts.team);
            if (!team) throw new CliError(`no team named "${opts.team}" (kiln team add ${opts.team})`);
            await store.teams.setMember(team.id, user.id, role.data);
            console.log(`${name} is ${role.data} of team ${team.name}`);
          }
        } finally {
          await store.close();
        }
      },
    );
}
