import type { Command } from 'commander';
import { Project, ProjectList, ProjectName } from '../../contracts/api.js';
import { ApiClient, CliError } from '../client.js';
import { clientOptions, progress } from '../options.js';

function line(p: Project): string {
  const fetch = p.fetch.state === 'error' ? `error: ${p.fetch.error ?? ''}` : p.fetch.state;
  const last = p.lastCommit
    ? `${p.lastCommit.rev.slice(0, 7)} ${p.lastCommit.message.split('\n')[0] ?? ''}`
    : '-';
  return `${p.name}\t${p.source}${p.subdir ? ` (${p.subdir})` : ''}\t${fetch}\t${last}`;
}

async function waitForFetch(client: ApiClient, name: string, quiet: boolean): Promise<Project> {
  const started = Date.now();
  for (;;) {
    const p = await client.request('GET', `/api/projects/${encodeURIComponent(name)}`, Project);
    if (p.fetch.state === 'ok' || p.fetch.state === 'error') {
      progress(quiet, '');
      return p;
    }
    progress(quiet, `fetching ${name}… ${((Date.now() - started) / 1000).toFixed(0)}s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export function registerProject(program: Command): void {
  const project = program.command('project').description('connect and list projects');
  project
    .command('add')
    .description('connect a Git repository (URL or local path) as a project')
    .argument('<name>', 'project name')
    .argument('<source>', 'Git URL (https, ssh, file) or local path')
    .option('--subdir <dir>', 'the DVC project lives in this subdirectory (monorepo)')
    .option('--team <team>', 'the team that owns the project (default: the default team)')
    .option('--json', 'print the project as JSON')
    .action(
      async (
        name: string,
        source: string,
        opts: { subdir?: string; team?: string; json?: boolean },
        cmd: Command,
      ) => {
        const parsedName = ProjectName.safeParse(name);
        if (!parsedName.success)
          throw new CliError(`invalid project name: ${parsedName.error.issues[0]?.message ?? ''}`, 2);
        const client = new ApiClient(clientOptions(cmd), process.env);
        await client.request('POST', '/api/projects', Project, {
          name,
          source,
          ...(opts.subdir ? { subdir: opts.subdir } : {}),
          ...(opts.team ? { team: opts.team } : {}),
        });
        const p = await waitForFetch(client, name, Boolean(opts.json));
        if (opts.json) console.log(JSON.stringify(p, null, 2));
        else console.log(line(p));
        if (p.fetch.state === 'error')
          throw new CliError(`project added, but fetching failed: ${p.fetch.error ?? ''}`);
      },
    );
  project
    .command('list')
    .description('list projects')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const { projects } = await client.request('GET', '/api/projects', ProjectList);
      if (opts.json) console.log(JSON.stringify(projects, null, 2));
      else if (projects.length === 0) console.log('no projects yet: kiln project add NAME SOURCE');
      else for (const p of projects) console.log(line(p));
    });
  project
    .command('reload')
    .description('fetch the repository and refresh the table')
    .argument('<name>', 'project name')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const client = new ApiClient(clientOptions(cmd), process.env);
      const p = await client.request('POST', `/api/projects/${encodeURIComponent(name)}/reload`, Project);
      console.log(line(p));
    });
}
