import type { Command } from 'commander';
import { z } from 'zod';
import { AccessToken, CreatedToken } from '../../contracts/api.js';
import { TokenScope } from '../../contracts/teams.js';
import { ApiClient, CliError } from '../client.js';
import { clientOptions } from '../options.js';

const TokenList = z.object({ tokens: z.array(AccessToken) });

/** `kiln token create|list|revoke`: the caller's own personal access tokens. */
export function registerToken(program: Command): void {
  const token = program.command('token').description('your personal access tokens');
  token
    .command('create')
    .description('make a token and print it once (it is stored hashed)')
    .requiredOption('--scope <scope>', 'read | run | live | admin')
    .option(
      '--project <name>',
      'limit the token to this project (repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--expires <days>', 'the token stops working after this many days')
    .option('--name <name>', 'a name to recognise it by', 'cli')
    .action(
      async (opts: { scope: string; project: string[]; expires?: string; name: string }, cmd: Command) => {
        const scope = TokenScope.safeParse(opts.scope);
        if (!scope.success)
          throw new CliError(`--scope must be read, run, live or admin, not "${opts.scope}"`, 2);
        const days = opts.expires === undefined ? undefined : Number(opts.expires);
        if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 3650))
          throw new CliError(
            `--expires must be a whole number of days from 1 to 3650, not "${opts.expires}"`,
            2,
          );
        const client = new ApiClient(clientOptions(cmd), process.env);
        const t = await client.request('POST', '/api/tokens', CreatedToken, {
          name: opts.name,
          scope: scope.data,
          ...(opts.project.length ? { projects: opts.project } : {}),
          ...(days ? { expiresInDays: days } : {}),
        });
        console.log(t.token);
      },
    );
  token
    .command('list')
    .description('your tokens (never their secret)')
    .option('--json', 'print JSON: [{id, name, scope, createdAt, lastUsedAt}]')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const { tokens } = await client.request('GET', '/api/tokens', TokenList);
      if (opts.json)
        console.log(
          JSON.stringify(
            tokens.map((t) => ({
              id: t.id,
              name: t.name,
              scope: t.scope,
              createdAt: t.createdAt,
              lastUsedAt: t.lastUsedAt,
              projects: t.projects ?? null,
              expiresAt: t.expiresAt ?? null,
            })),
            null,
            2,
          ),
        );
      else
        for (const t of tokens)
          console.log(
            `${t.id}\t${t.name}\t${t.scope}${t.projects ? ` (${t.projects.join(', ')})` : ''}\tlast used ${t.lastUsedAt ?? 'never'}${t.expiresAt ? `\texpires ${t.expiresAt}` : ''}`,
          );
    });
  token
    .command('revoke')
    .description('stop a token working, at once')
    .argument('<id>', 'the token id from `kiln token list`')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      await client.request('DELETE', `/api/tokens/${encodeURIComponent(id)}`, z.unknown());
      console.log(`token ${id} revoked`);
    });
}
