import type { Command } from 'commander';
import { ExperimentList } from '../../contracts/experiments.js';
import { ApiClient } from '../client.js';
import { clientOptions } from '../options.js';

export function registerExpList(exp: Command): void {
  exp
    .command('list')
    .description("list a project's experiments, newest first")
    .argument('<project>', 'project name')
    .option('--json', 'print the experiments as JSON')
    .action(async (project: string, opts: { json?: boolean }, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const { experiments } = await client.request(
        'GET',
        `/api/projects/${encodeURIComponent(project)}/experiments`,
        ExperimentList,
      );
      if (opts.json) {
        console.log(JSON.stringify(experiments));
        return;
      }
      const lines = ['name\tstatus\tbaseline\tparams\tresult'];
      for (const e of experiments) {
        const params = e.changeSet.params
          .map((p) => `${p.file === 'params.yaml' ? '' : `${p.file}:`}${p.key}=${JSON.stringify(p.value)}`)
          .join(' ');
        lines.push(
          [e.name, e.status, e.baseline.slice(0, 7), params || '-', e.resultCommit?.slice(0, 7) ?? '-'].join(
            '\t',
          ),
        );
      }
      console.log(lines.join('\n'));
    });
}
