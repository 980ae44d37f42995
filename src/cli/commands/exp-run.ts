import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { CreatedExperiments, Experiment, type CreateExperimentBody } from '../../contracts/experiments.js';
import { ApiClient, CliError } from '../client.js';
import { clientOptions } from '../options.js';
import { exitCodeOf, followLog } from './exp-follow.js';

const Options = z.object({
  rev: z.string().min(1),
  set: z.array(z.string()).default([]),
  script: z.string().optional(),
  target: z.enum(['local']).default('local'),
  name: z.string().optional(),
  message: z.string().optional(),
  timeout: z.coerce.number().int().min(1).optional(),
  priority: z.coerce.number().int().optional(),
  follow: z.boolean().default(false),
  json: z.boolean().default(false),
});

export function registerExpRun(exp: Command): void {
  exp
    .command('run')
    .description('queue an experiment (one per sweep combination) on Kiln compute')
    .argument('<project>', 'project name')
    .requiredOption('--rev <rev>', 'baseline commit, branch or tag')
    .option(
      '-S, --set <FILE:KEY=VALUE>',
      'override a param, DVC style; VALUE may be choice(…), range(a,b,step) or a,b,c',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--script <file>', 'job script to run instead of the default one')
    .option('--target <target>', 'where to run', 'local')
    .option('--name <name>', 'experiment name (default: random adjective-noun)')
    .option('-m, --message <text>', 'experiment message')
    .option('--timeout <seconds>', 'stop the run after this long')
    .option('--priority <n>', 'queue priority; higher runs first')
    .option('--follow', 'print the log live and exit with the run status')
    .option('--json', 'print the created experiments as JSON')
    .action(async (project: string, raw: unknown, cmd: Command) => {
      const parsed = Options.safeParse(raw);
      if (!parsed.success)
        throw new CliError(
          parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '),
          2,
        );
      const o = parsed.data;
      const client = new ApiClient(clientOptions(cmd), process.env);
      const body: CreateExperimentBody = {
        rev: o.rev,
        set: o.set,
        target: o.target,
        ...(o.name ? { name: o.name } : {}),
        ...(o.message ? { message: o.message } : {}),
        ...(o.timeout ? { timeoutSec: o.timeout } : {}),
        ...(o.priority !== undefined ? { priority: o.priority } : {}),
        ...(o.script ? { script: await readFile(o.script, 'utf8') } : {}),
      };
      const created = await client.request(
        'POST',
        `/api/projects/${encodeURIComponent(project)}/experiments`,
        CreatedExperiments,
        body,
      );
      if (o.json && !o.follow) {
        console.log(JSON.stringify(created.experiments));
        return;
      }
      if (!o.json)
        for (const e of created.experiments)
          process.stderr.write(`kiln: queued ${e.name} from ${e.baseline.slice(0, 7)}\n`);
      if (!o.follow) return;
      let code = 0;
      const finished: Experiment[] = [];
      for (const e of created.experiments) {
        if (created.experiments.length > 1) process.stderr.write(`kiln: --- ${e.name} ---\n`);
        await followLog(client, project, e.name);
        const end = await client.request(
          'GET',
          `/api/projects/${encodeURIComponent(project)}/experiments/${encodeURIComponent(e.name)}`,
          Experiment,
        );
        finished.push(end);
        process.stderr.write(
          `kiln: ${end.name} ${end.status}${end.exitCode !== null ? ` (exit ${end.exitCode})` : ''}${end.error ? `: ${end.error}` : ''}\n`,
        );
        code = code || exitCodeOf(end);
      }
      if (o.json) console.log(JSON.stringify(finished));
      process.exitCode = code;
    });
}
