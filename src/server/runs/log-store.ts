import path from 'node:path';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { LogChunk } from '../../contracts/experiments.js';
import type { Store } from '../../store/port.js';

/**
 * Job logs in the Store (`run_logs`, one row per chunk), so every server of a cluster appends to
 * and reads the same log, and a server's death loses no acknowledged line. Chunks are stored in
 * sequence order exactly once — checked by the database, not in memory: a resent chunk is
 * skipped and a gap waits for the agent to resend, so the acknowledged sequence always means
 * "everything up to here". Logs written by an older Kiln to `<home>/logs/<project>/<id>.jsonl`
 * move into the Store the first time their run is read.
 */
export class LogStore {
  private readonly listeners = new Map<string, Set<(c: LogChunk) => void>>();
  /** Runs whose old log file was looked for (only a cache of that look). */
  private readonly imported = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly legacyDir: string,
    private readonly onAppend: (project: string, id: string, chunk: LogChunk) => void = () => undefined,
  ) {}

  async lastSeq(project: string, id: string): Promise<number> {
    await this.importLegacy(project, id);
    return this.store.logs.lastSeq(id);
  }

  /** Stores the chunks that continue the log; returns the new acknowledged sequence. */
  async append(project: string, id: string, chunks: readonly LogChunk[]): Promise<number> {
    await this.importLegacy(project, id);
    const { stored, lastSeq } = await this.store.logs.append(id, chunks);
    // Only what this call stored is announced: a chunk two servers received is announced once.
    for (const c of stored) {
      this.onAppend(project, id, c);
      for (const l of this.listeners.get(id) ?? []) l(c);
    }
    return lastSeq;
  }

  async read(project: string, id: string, after: number, limit = 5000): Promise<LogChunk[]> {
    await this.importLegacy(project, id);
    return this.store.logs.read(id, after, limit);
  }

  /** Forgets a deleted project's logs (its rows go with its experiments) and any old files. */
  async removeProject(project: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) this.imported.delete(id);
    await rm(path.join(this.legacyDir, project), { recursive: true, force: true });
  }

  /** Calls `l` with every chunk this server stores from now on; returns the unsubscribe. */
  subscribe(id: string, l: (c: LogChunk) => void): () => void {
    const set = this.listeners.get(id) ?? new Set();
    set.add(l);
    this.listeners.set(id, set);
    return () => {
      set.delete(l);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  private async importLegacy(project: string, id: string): Promise<void> {
    if (this.imported.has(id)) return;
    const file = path.join(this.legacyDir, project, `${id}.jsonl`);
    if (existsSync(file) && !(await this.store.logs.has(id))) {
      const chunks = await readLegacy(file);
      for (let i = 0; i < chunks.length; i += 500) await this.store.logs.append(id, chunks.slice(i, i + 500));
      await rm(file, { force: true });
    }
    this.imported.add(id);
  }
}

async function readLegacy(file: string): Promise<LogChunk[]> {
  const out: LogChunk[] = [];
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      // A line cut short by a crash: the agent resent it, since it was never acknowledged.
      continue;
    }
    const c = LogChunk.safeParse(json);
    if (c.success && c.data.seq === (out.at(-1)?.seq ?? 0) + 1) out.push(c.data);
  }
  return out;
}
