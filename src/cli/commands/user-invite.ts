import type { Command } from 'commander';
import { CreatedInvite, TeamRole, UserName } from '../../contracts/identity.js';
import { ApiClient, CliError } from '../client.js';
import { clientOptions } from '../options.js';

/** `kiln user invite NAME [--email E] --team TEAM --role ROLE`: prints the one-time invite URL. */
export function registerUserInvite(user: Command): void {
  user
    .command('invite')
    .description('invite a person into a team; prints the one-time invite link (valid 7 days)')
    .argument('<name>', 'the user name they will sign in with')
    .option(
      '--email <email>',
      'their e-mail (an SSO sign-in with this verified address also accepts the invite)',
    )
    .requiredOption('--team <team>', 'the team they join')
    .requiredOption('--role <role>', 'viewer | member | maintainer | owner')
    .option('--json', 'print the invite as JSON')
    .action(
      async (
        name: string,
        opts: { email?: string; team: string; role: string; json?: boolean },
        cmd: Command,
      ) => {
        const n = UserName.safeParse(name);
        if (!n.success) throw new CliError(`invalid user name: ${n.error.issues[0]?.message ?? ''}`, 2);
        const role = TeamRole.safeParse(opts.role);
        if (!role.success) throw new CliError(`--role must be one of ${TeamRole.options.join(', ')}`, 2);
        const client = new ApiClient(clientOptions(cmd), process.env);
        const made = await client.request('POST', '/api/invites', CreatedInvite, {
          name,
          team: opts.team,
          role: role.data,
          ...(opts.email ? { email: opts.email } : {}),
        });
        if (opts.json) console.log(JSON.stringify(made, null, 2));
        else {
          console.log(made.url);
          process.stderr.write(
            `Send this link to ${made.name}: it works once, until ${made.expiresAt}, and joins ${made.teamName} as ${made.role}.\n`,
          );
        }
      },
    );
}
