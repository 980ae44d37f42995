import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { GeneratedWorkflow, WizardInput, type WizardConfig } from '../../contracts/ci.js';
import { ApiClient, CliError } from '../client.js';
import { clientOptions } from '../options.js';

const int = (what: string) =>
  z
    .string()
    .regex(/^-?\d+$/, `${what} must be a whole number`)
    .transform(Number)
    .optional();

/** The flags as commander hands them over; validated here, then by the server against WizardInput. */
const Flags = z.object({
  ci: z.string(),
  cloud: z.string(),
  region: z.string().optional(),
  type: z.string().optional(),
  gpu: z.string().optional(),
  hdd: int('--hdd'),
  spot: z.boolean().optional(),
  reuse: z.boolean().optional(),
  reuseIdle: z.boolean().optional(),
  labels: z.string().optional(),
  idleTimeout: int('--idle-timeout'),
  script: z.string().optional(),
  pipeline: z.string().optional(),
  json: z.boolean().optional(),
});

async function toInput(f: z.infer<typeof Flags>): Promise<WizardConfig> {
  if (f.reuse && f.reuseIdle) throw new CliError('pass --reuse or --reuse-idle, not both', 2);
  const input = {
    ci: f.ci,
    cloud: f.cloud,
    ...(f.region ? { region: f.region } : {}),
    ...(f.type ? { type: f.type } : {}),
    ...(f.gpu ? { gpu: f.gpu } : {}),
    ...(f.hdd !== undefined ? { hdd: f.hdd } : {}),
    spot: Boolean(f.spot),
    reuse: f.reuse ? 'reuse' : f.reuseIdle ? 'reuse-idle' : 'none',
    ...(f.labels
      ? {
          labels: f.labels
            .split(',')
            .map((l) => l.trim())
            .filter(Boolean),
        }
      : {}),
    ...(f.idleTimeout !== undefined ? { idleTimeout: f.idleTimeout } : {}),
    ...(f.script ? { script: await readFile(f.script, 'utf8') } : {}),
    ...(f.pipeline ? { pipeline: f.pipeline } : {}),
  };
  const r = WizardInput.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new CliError(`invalid ${i?.path.join('.') ?? 'input'}: ${i?.message ?? ''}`, 2);
  }
  return r.data;
}

/** `kiln ci workflow …`: prints the workflow the CI wizard generates; warnings go to stderr. */
export function registerCiWorkflow(program: Command): void {
  const ci =
    program.commands.find((c) => c.name() === 'ci') ?? program.command('ci').description('CI experiments');
  ci.command('workflow')
    .description('print a CI workflow that launches a CML cloud runner and trains on it')
    .requiredOption('--ci <system>', 'github | gitlab | bitbucket')
    .requiredOption('--cloud <cloud>', 'aws | azure | gcp | kubernetes')
    .option(
      '--region <region>',
      'us-east | us-west | eu-north | eu-west, or a native region (default us-west)',
    )
    .option('--type <type>', 's | m | l | xl, optionally +t4/+k80/+v100, or a native type (default m)')
    .option('--gpu <gpu>', 'GPU type: nogpu | k80 | v100 | tesla | t4, or a native one')
    .option('--hdd <gb>', 'disk size in GB (100 or more recommended)')
    .option('--spot', 'request a spot (preemptible) instance')
    .option('--reuse', "don't launch a runner if one with overlapping labels exists")
    .option('--reuse-idle', 'launch a runner only if none with these labels is idle')
    .option('--labels <labels>', 'comma-separated runner labels (default cml)')
    .option('--idle-timeout <seconds>', 'seconds an idle runner waits before it stops; -1 never')
    .option(
      '--script <file>',
      'training job script (default: install, dvc pull, dvc exp run, dvc push, CML report)',
    )
    .option('--pipeline <how>', 'what the default script runs: exp-run | repro')
    .option('--json', 'print {workflow, path, warnings, secrets} as JSON')
    .action(async (raw: unknown, cmd: Command) => {
      const flags = Flags.safeParse(raw);
      if (!flags.success) throw new CliError(flags.error.issues[0]?.message ?? 'invalid flags', 2);
      const input = await toInput(flags.data);
      const client = new ApiClient(clientOptions(cmd), process.env);
      const w = await client.request('POST', '/api/ci/workflow', GeneratedWorkflow, input);
      if (flags.data.json) {
        console.log(JSON.stringify(w, null, 2));
        return;
      }
      process.stderr.write(`# ${w.path}\n`);
      for (const warning of w.warnings) process.stderr.write(`warning: ${warning}\n`);
      process.stdout.write(w.workflow);
    });
}
