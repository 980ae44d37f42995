import type { Command } from 'commander';
import { Experiment, LogPage } from '../../contracts/experiments.js';
import { ApiClient } from '../client.js';
import { clientOptions } from '../options.js';
import { exitCodeOf, followLog } from './exp-follow.js';

export function registerExpLogs(exp: Command): void {
  exp
    .command('logs')
    .description("print an experiment's output log")
    .argument('<project>', 'project name')
    .argument('<name>', 'experiment name')
    .option('--follow', 'keep printing until the run ends, then exit with its status')
    .action(async (project: string, name: string, opts: { follow?: boolean }, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const url = `/api/projects/${encodeURIComponent(project)}/experiments/${encodeURIComponent(name)}`;
      if (opts.follow) {
        await followLog(client, project, name);
        process.exitCode = exitCodeOf(await client.request('GET', url, Experiment));
        return;
      }
      let after = 0;
      for (;;) {
        const page = await client.request('GET', `${url}/logs?after=${after}`, LogPage);
        for (const c of page.chunks) (c.stream === 'stderr' ? process.stderr : process.stdout).write(c.text);
        if (page.chunks.length === 0) break;
        after = page.next;
      }
    });
}
