import type { Command } from 'commander';
import { TokenScope } from '../../contracts/teams.js';
import { CliError } from '../client.js';
import { openDataDir, registerAdminUser } from './user.js';

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('work directly on the data directory');
  admin
    .command('token')
    .description("print a new access token (for scripts and lost logins): the admin's unless --user")
    .option('--home <dir>', 'data directory (env KILN_HOME, default ./.kiln)')
    .option('--name <name>', 'a name for the token', 'cli')
    .option('--user <name>', 'whose token (default: the admin)')
    .option('--scope <scope>', 'read | run | live | admin', 'admin')
    .action(async (opts: { home?: string; name: string; user?: string; scope: string }) => {
      const scope = TokenScope.safeParse(opts.scope);
      if (!scope.success)
        throw new CliError(`--scope must be read, run, live or admin, not "${opts.scope}"`, 2);
      const { Authenticator } = await import('../../server/auth.js');
      const store = await openDataDir(opts.home);
      try {
        const { user: admin } = await store.ensureAdmin();
        const user = opts.user ? await store.teams.findUser(opts.user) : admin;
        if (!user)
          throw new CliError(`no user named "${opts.user ?? ''}" (kiln admin user ${opts.user ?? ''})`);
        const t = await new Authenticator(store).createToken(user.id, opts.name, { scope: scope.data });
        console.log(t.token);
      } finally {
        await store.close();
      }
    });
  registerAdminUser(admin);
}
