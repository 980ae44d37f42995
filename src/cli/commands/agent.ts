import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../client.js';
import { clientOptions } from '../options.js';

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('run jobs from a Kiln server (uses --url and an agent token from --token / KILN_TOKEN)')
    .option('--work <dir>', 'directory for job workspaces (env KILN_WORK, default ./.kiln/work)')
    .action(async (opts: { work?: string }, cmd: Command) => {
      const { AgentOptions, runAgent } = await import('../../agent/main.js');
      const g = clientOptions(cmd);
      const parsed = AgentOptions.safeParse({
        url: g.url ?? process.env.KILN_URL ?? 'http://127.0.0.1:8080',
        token: g.token ?? process.env.KILN_TOKEN,
        work: path.resolve(opts.work ?? process.env.KILN_WORK ?? path.join('.kiln', 'work')),
      });
      if (!parsed.success) throw new CliError(parsed.error.issues.map((i) => i.message).join('; '), 2);
      await runAgent(parsed.data, process.env);
    });
}
