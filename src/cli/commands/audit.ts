import type { Command } from 'commander';
import { AuditPage, type AuditEvent } from '../../contracts/audit.js';
import { ApiClient, CliError } from '../client.js';
import { clientOptions } from '../options.js';

interface AuditOpts {
  json?: boolean;
  project?: string;
  person?: string;
  action?: string;
  since?: string;
  until?: string;
  limit: string;
  all?: boolean;
}

/** `kiln audit`: the audit trail, newest first, following the server's pages. */
export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description(
      'who did what, when and from where (instance admins: everything; team owners: their projects)',
    )
    .option('--json', 'print the events as a JSON array')
    .option('--project <project>', 'only this project')
    .option('--person <name>', "only this person's actions")
    .option('--action <action>', 'only this action (run.queued) or family (run.)')
    .option('--since <time>', 'from this date or ISO time')
    .option('--until <time>', 'before this date or ISO time')
    .option('--limit <n>', 'at most this many events', '100')
    .option('--all', 'every matching event (ignores --limit)')
    .action(async (opts: AuditOpts, cmd: Command) => {
      const limit = opts.all ? Infinity : Number(opts.limit);
      if (!Number.isInteger(limit) && limit !== Infinity)
        throw new CliError('--limit must be a whole number', 2);
      const client = new ApiClient(clientOptions(cmd), process.env);
      const events: AuditEvent[] = [];
      let cursor: string | null = null;
      do {
        const q = new URLSearchParams();
        for (const k of ['project', 'person', 'action', 'since', 'until'] as const) {
          const v = opts[k];
          if (v) q.set(k, v);
        }
        q.set('limit', String(Math.min(500, limit - events.length)));
        if (cursor) q.set('cursor', cursor);
        const page: AuditPage = await client.request('GET', `/api/audit?${q.toString()}`, AuditPage);
        events.push(...page.events);
        cursor = page.next;
      } while (cursor && events.length < limit);
      if (opts.json) {
        console.log(JSON.stringify(events));
        return;
      }
      const lines = ['time\tperson\tfrom\taction\tproject\ttarget\toutcome'];
      for (const e of events)
        lines.push(
          [
            e.at.replace('T', ' ').slice(0, 19),
            e.actorName ?? `(${e.actorKind})`,
            e.ip ?? '-',
            e.action,
            e.project ?? '-',
            e.target ?? '-',
            e.outcome,
          ].join('\t'),
        );
      console.log(lines.join('\n'));
    });
}
