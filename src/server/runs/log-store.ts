import path from 'node:path';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { LogChunk } from '../../contracts/experiments.js';

interface LogState {
  lastSeq: number;
  chain: Promise<unknown>;
}

/**
 * Job logs on disk, one JSON chunk a line under `<home>/logs/<project>/<experiment id>.jsonl`.
 * Chunks are stored in sequence order exactly once: a resent chunk is skipped and a gap waits
 * for the agent to resend, so the acknowledged sequence always means "everything up to here".
 */
export class LogStore {
  private readonly states = new Map<string, LogState>();
  private readonly listeners = new Map<string, Set<(c: LogChunk) => void>>();

  constructor(
    private readonly dir: string,
    private readonly onAppend: (project: string, id: string, chunk: LogChunk) => void = () => undefined,
  ) {}

  file(project: string, id: string): string {
    return path.join(this.dir, project, `${id}.jsonl`);
  }

  private async state(project: string, id: string): Promise<LogState> {
    const known = this.states.get(id);
    if (known) return known;
    const chunks = await this.readAll(project, id);
    const s = this.states.get(id) ?? { lastSeq: chunks.at(-1)?.seq ?? 0, chain: Promise.resolve() };
    this.states.set(id, s);
    return s;
  }

  async lastSeq(project: string, id: string): Promise<number> {
    return (await this.state(project, id)).lastSeq;
  }

  /** Stores the chunks that continue the log; returns the new acknowledged sequence. */
  async append(project: string, id: string, chunks: readonly LogChunk[]): Promise<number> {
    const s = await this.state(project, id);
    const run = s.chain.then(async () => {
      const fresh: LogChunk[] = [];
      let seq = s.lastSeq;
      for (const c of [...chunks].sort((a, b) => a.seq - b.seq)) {
        if (c.seq <= seq) continue;
        if (c.seq !== seq + 1) break;
        fresh.push(c);
        seq = c.seq;
      }
      if (fresh.length === 0) return s.lastSeq;
      await mkdir(path.dirname(this.file(project, id)), { recursive: true });
      await appendFile(this.file(project, id), fresh.map((c) => JSON.stringify(c) + '\n').join(''));
      s.lastSeq = seq;
      for (const c of fresh) {
        this.onAppend(project, id, c);
        for (const l of this.listeners.get(id) ?? []) l(c);
      }
      return seq;
    });
    s.chain = run.catch(() => undefined);
    return run;
  }

  async read(project: string, id: string, after: number, limit = 5000): Promise<LogChunk[]> {
    const all = await this.readAll(project, id);
    return all.filter((c) => c.seq > after).slice(0, limit);
  }

  /** Forgets a deleted project's logs: its files and what is kept in memory of its runs. */
  async removeProject(project: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) this.states.delete(id);
    await rm(path.join(this.dir, project), { recursive: true, force: true });
  }

  /** Calls `l` with every chunk stored from now on; returns the unsubscribe. */
  subscribe(id: string, l: (c: LogChunk) => void): () => void {
    const set = this.listeners.get(id) ?? new Set();
    set.add(l);
    this.listeners.set(id, set);
    return () => {
      set.delete(l);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  private async readAll(project: string, id: string): Promise<LogChunk[]> {
    const file = this.file(project, id);
    if (!existsSync(file)) return [];
    const out: LogChunk[] = [];
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (!line) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        // A line cut short by a crash: the agent resends it, since it was never acknowledged.
        continue;
      }
      const c = LogChunk.safeParse(json);
      if (c.success && c.data.seq === (out.at(-1)?.seq ?? 0) + 1) out.push(c.data);
    }
    return out;
  }
}
