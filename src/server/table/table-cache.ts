import { createHash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { TableRow } from '../../contracts/api.js';
import type { RefRecord } from '../../git/history.js';

/**
 * Bumped whenever what a row holds or how it is derived changes: a cache written by another
 * format is ignored (and replaced), never read.
 */
export const TABLE_CACHE_FORMAT = 1;
/** A project's cache above this is rewritten with only the rows it still needs, or given up. */
export const TABLE_CACHE_MAX_BYTES = 256 * 1024 * 1024;

/** What building the table has cost so far: how a restart from the persisted cache is seen. */
export interface TableStats {
  /** `git log` reads of history */
  historyReads: number;
  /** commits whose row was derived from their files (not taken from the persisted cache) */
  rowsDerived: number;
  /** commits whose row came from the persisted cache */
  rowsFromCache: number;
}

export interface PersistedTable {
  refs: RefRecord[];
  /** every commit of the table, newest first */
  order: string[];
  /** derived rows by commit id (branches and tags left empty; the refs give them) */
  rows: Map<string, TableRow>;
}

interface Header {
  format: number;
  key: string;
}

/**
 * The table's per-commit results, persisted in the data dir so a restarted server builds its first
 * table without reading history again. A row is derived from its commit alone (a commit id fixes
 * its tree and so every blob) and from the table settings, which are part of the key: a cached
 * row can never be stale. The files are an append-only log of rows (one new commit costs one
 * line) and a small state file: the refs and commit order they were read at.
 */
export class TableCache {
  private readonly rowsFile: string;
  private readonly stateFile: string;
  private readonly key: string;
  private readonly prefix: string;
  /** rows in the log file (including ones no longer in the table) */
  private logged = new Set<string>();
  private disabled = false;

  constructor(
    private readonly dir: string,
    project: string,
    settings: unknown,
    private readonly maxBytes = TABLE_CACHE_MAX_BYTES,
  ) {
    this.key = hash(JSON.stringify(settings));
    this.prefix = hash(project).slice(0, 24) + '-';
    const base = path.join(dir, `${this.prefix}${this.key.slice(0, 16)}.v${TABLE_CACHE_FORMAT}`);
    this.rowsFile = base + '.rows';
    this.stateFile = base + '.state';
  }

  /** The persisted table, or null when there is none of this format and settings. */
  load(): PersistedTable | null {
    try {
      if (!existsSync(this.stateFile) || !existsSync(this.rowsFile)) return null;
      const rows = new Map<string, TableRow>();
      const text = readFileSync(this.rowsFile, 'utf8');
      const nl = text.indexOf('\n');
      if (nl < 0 || !this.headerOk(text.slice(0, nl))) return null;
      const body = text.slice(nl + 1).replace(/\n+$/, '');
      for (const line of body.split('\n')) {
        // a line cut short by a crash is skipped; its commit is read again
        try {
          const row = JSON.parse(line) as TableRow;
          rows.set(row.rev, row);
        } catch {
          continue;
        }
      }
      const state = readFileSync(this.stateFile, 'utf8').split('\n');
      if (!this.headerOk(state[0])) return null;
      const { refs, order } = JSON.parse(state[1] ?? '') as { refs: RefRecord[]; order: string[] };
      if (!Array.isArray(refs) || !Array.isArray(order)) return null;
      this.logged = new Set(rows.keys());
      return { refs, order, rows };
    } catch {
      return null;
    }
  }

  /**
   * Appends the rows not persisted yet and records the refs and order they make up. `rowOf`
   * answers null for a row that must not be kept (e.g. its DVC remote could not be read).
   */
  save(refs: RefRecord[], order: string[], rowOf: (sha: string) => TableRow | null): void {
    if (this.disabled) return;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      if (!existsSync(this.rowsFile) || !this.headerOk(firstLine(this.rowsFile))) {
        this.removeOthers();
        this.logged.clear();
        writeFileSync(this.rowsFile, this.header() + '\n', { mode: 0o600 });
      } else if (statSync(this.rowsFile).size > this.maxBytes) {
        this.logged.clear();
        writeFileSync(this.rowsFile + '.tmp', this.header() + '\n', { mode: 0o600 });
        renameSync(this.rowsFile + '.tmp', this.rowsFile);
      }
      const lines: string[] = [];
      const kept: string[] = [];
      for (const sha of order) {
        if (this.logged.has(sha)) {
          kept.push(sha);
          continue;
        }
        const row = rowOf(sha);
        if (!row) continue;
        lines.push(JSON.stringify({ ...row, branches: [], tags: [] }));
        this.logged.add(sha);
        kept.push(sha);
      }
      if (lines.length) appendFileSync(this.rowsFile, lines.join('\n') + '\n', { mode: 0o600 });
      if (statSync(this.rowsFile).size > this.maxBytes) {
        // even the rows the table needs exceed the bound: keep nothing rather than grow
        this.disabled = true;
        this.clear();
        return;
      }
      // A commit whose row was not kept is left out of the order: the next start reads it again.
      const complete = kept.length === order.length;
      const state = JSON.stringify({ refs: complete ? refs : [], order: complete ? order : [] });
      writeFileSync(this.stateFile + '.tmp', this.header() + '\n' + state + '\n', { mode: 0o600 });
      renameSync(this.stateFile + '.tmp', this.stateFile);
    } catch {
      // a cache that cannot be written only costs the next start its speed
    }
  }

  /** Removes this project's cache files (every format and settings). */
  clear(): void {
    this.logged.clear();
    this.removeOthers(true);
  }

  private removeOthers(all = false): void {
    if (!existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      const p = path.join(this.dir, name);
      if (!name.startsWith(this.prefix)) continue;
      if (!all && (p === this.rowsFile || p === this.stateFile)) continue;
      rmSync(p, { force: true });
    }
  }

  private header(): string {
    const h: Header = { format: TABLE_CACHE_FORMAT, key: this.key };
    return JSON.stringify(h);
  }

  private headerOk(line: string | undefined): boolean {
    try {
      const h = JSON.parse(line ?? '') as Header;
      return h.format === TABLE_CACHE_FORMAT && h.key === this.key;
    } catch {
      return false;
    }
  }
}

function firstLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8').split('\n')[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
