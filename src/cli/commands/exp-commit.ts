import type { Command } from 'commander';
import { z } from 'zod';
import { CiCommitResult, type CiCommitBody } from '../../contracts/ci.js';
import { ApiClient, CliError } from '../client.js';
import { clientOptions } from '../options.js';

const Flags = z.object({
  rev: z.string().min(1),
  set: z.array(z.string()).default([]),
  message: z.string().min(1, '--message is empty'),
  description: z.string().optional(),
  branch: z.string().optional(),
  base: z.string().optional(),
  skipStudio: z.boolean().optional(),
  json: z.boolean().optional(),
});

function describePr(r: CiCommitResult): string {
  switch (r.pullRequest.state) {
    case 'opened':
      return `pull request: ${r.pullRequest.url}`;
    case 'none':
      return `no pull request: ${r.pullRequest.reason}`;
    case 'failed':
      return `pull request failed: ${r.pullRequest.error}`;
  }
}

/** `kiln exp commit`: one commit with the params edits, pushed for the repository's CI to run. */
export function registerExpCommit(exp: Command): void {
  exp
    .command('commit')
    .description("commit param changes and push them so the repository's CI trains (a CI experiment)")
    .argument('<project>', 'project name')
    .requiredOption('--rev <rev>', 'baseline commit, branch or tag')
    .option(
      '-S, --set <[FILE:]KEY=VALUE>',
      'set a param (default file params.yaml)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .requiredOption('-m, --message <message>', 'commit message')
    .option('--description <text>', 'commit and pull request description')
    .option(
      '--branch <name>',
      'push to this new branch and open a pull request (default: commit onto the base branch)',
    )
    .option('--base <branch>', "base branch (default: the repository's default branch)")
    .option('--skip-studio', 'add [skip studio] so the commit stays hidden in the table')
    .option('--json', 'print the result as JSON')
    .action(async (project: string, raw: unknown, cmd: Command) => {
      const flags = Flags.safeParse(raw);
      if (!flags.success) throw new CliError(flags.error.issues[0]?.message ?? 'invalid flags', 2);
      const f = flags.data;
      const body: CiCommitBody = {
        rev: f.rev,
        // The server reads -S, as for `exp run`: one grammar, one place.
        set: f.set,
        message: f.message,
        ...(f.description ? { description: f.description } : {}),
        ...(f.base ? { base: f.base } : {}),
        branch: f.branch ? { kind: 'new', name: f.branch } : { kind: 'base' },
        skipStudio: Boolean(f.skipStudio),
      };
      const client = new ApiClient(clientOptions(cmd), process.env);
      const r = await client.request(
        'POST',
        `/api/projects/${encodeURIComponent(project)}/ci-commits`,
        CiCommitResult,
        body,
      );
      if (f.json) {
        console.log(JSON.stringify(r, null, 2));
        return;
      }
      console.log(
        `commit ${r.rev} pushed to ${r.branch}${r.rebased ? ` (rebased onto the moved ${r.base})` : ''}`,
      );
      console.log(describePr(r));
    });
}
