import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  ComputeName,
  ComputeProfileList,
  type MachineOverrides,
  type ResolvedMachine,
} from '../../contracts/compute.js';
import { CreatedExperiments, Experiment, type CreateExperimentBody } from '../../contracts/experiments.js';
import { ApiClient, CliError } from '../client.js';
import { clientOptions } from '../options.js';
import { exitCodeOf, followLog } from './exp-follow.js';

const Options = z.object({
  rev: z.string().min(1),
  set: z.array(z.string()).default([]),
  script: z.string().optional(),
  target: ComputeName.default('local'),
  region: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  gpu: z.string().min(1).optional(),
  disk: z.coerce.number().int().min(8).optional(),
  hdd: z.coerce.number().int().min(8).optional(),
  spot: z.boolean().optional(),
  maxPrice: z.coerce.number().positive().optional(),
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
    .option('--target <target>', 'where to run: local or a compute profile', 'local')
    .option('--region <region>', 'cloud profile: region (us-east, us-west, eu-north, eu-west or native)')
    .option('--type <type>', 'cloud profile: instance type (s, m, l, xl, m+t4, … or native)')
    .option('--gpu <gpu>', 'cloud profile: GPU (t4, k80, v100, a native accelerator, or none)')
    .option('--disk <GB>', 'cloud profile: disk size in GB')
    .option('--hdd <GB>', 'same as --disk (the ci workflow spelling)')
    .option('--spot', 'cloud profile: a spot instance')
    .option('--no-spot', 'cloud profile: an on-demand instance')
    .option('--max-price <USD>', 'cloud profile: highest spot price per hour')
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
      const disk = o.disk ?? o.hdd;
      const machine: MachineOverrides = {
        ...(o.region ? { region: o.region } : {}),
        ...(o.type ? { type: o.type } : {}),
        ...(o.gpu ? { gpu: o.gpu } : {}),
        ...(disk !== undefined ? { diskGb: disk } : {}),
        ...(o.spot !== undefined ? { spot: o.spot } : {}),
        ...(o.maxPrice !== undefined ? { maxPrice: o.maxPrice } : {}),
      };
      const timeout = o.timeout ?? (await profileTimeout(client, o.target));
      const body: CreateExperimentBody = {
        rev: o.rev,
        set: o.set,
        target: o.target,
        ...(Object.keys(machine).length ? { machine } : {}),
        ...(o.name ? { name: o.name } : {}),
        ...(o.message ? { message: o.message } : {}),
        ...(timeout ? { timeoutSec: timeout } : {}),
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
        for (const e of created.experiments) {
          const on = e.target === 'local' ? '' : ` on ${e.target}`;
          process.stderr.write(`kiln: queued ${e.name} from ${e.baseline.slice(0, 7)}${on}\n`);
          if (e.machine) process.stderr.write(`kiln: machine ${describeMachine(e.machine)}\n`);
        }
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

/** Without --timeout, a profile's run gets the default (a day) or the profile's limit if shorter. */
async function profileTimeout(client: ApiClient, target: string): Promise<number | undefined> {
  if (target === 'local') return undefined;
  const { profiles } = await client.request('GET', '/api/compute/profiles', ComputeProfileList);
  const max = profiles.find((p) => p.name === target)?.limits.maxTimeoutSec;
  return max !== undefined && max < 86400 ? max : undefined;
}

function hours(sec: number): string {
  return sec % 3600 === 0 ? `${sec / 3600}h` : `${Math.round(sec / 60)}min`;
}

/** `aws p2.8xlarge in us-west-1, 200 GB disk, spot; $7.2/h on demand, about $14.4 for the 2h timeout`. */
export function describeMachine(m: ResolvedMachine): string {
  const gpu = m.accelerator ? ` with ${m.accelerator.count}× ${m.accelerator.type}` : '';
  const where = m.zone ?? m.region;
  const spot = m.spot ? `, spot${m.maxPrice !== null ? ` up to $${m.maxPrice}/h` : ''}` : ', on demand';
  const price =
    m.pricePerHour === null
      ? '; no published price'
      : `; $${m.pricePerHour}/h on demand, about $${m.estimate} for the ${hours(m.timeoutSec)} timeout`;
  return `${m.cloud} ${m.type}${gpu} in ${where}, ${m.diskGb} GB disk${spot}${price}`;
}
