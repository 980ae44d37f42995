import type { Command } from 'commander';
import { Experiment } from '../../contracts/experiments.js';
import { ApiClient } from '../client.js';
import { clientOptions } from '../options.js';

export function registerExpCancel(exp: Command): void {
  exp
    .command('cancel')
    .description('cancel a queued or running experiment (stops its whole process tree)')
    .argument('<project>', 'project name')
    .argument('<name>', 'experiment name')
    .action(async (project: string, name: string, _opts: unknown, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const e = await client.request(
        'POST',
        `/api/projects/${encodeURIComponent(project)}/experiments/${encodeURIComponent(name)}/cancel`,
        Experiment,
      );
      console.log(`${e.name}: ${e.status}`);
    });
}
