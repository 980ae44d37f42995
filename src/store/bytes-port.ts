/** The Store port's part for bytes that must outlive the server that received them. */
import type { LogChunk } from '../contracts/experiments.js';

/** A run's log, one row per chunk: every server appends to and reads the same log. */
export interface RunLogStore {
  /**
   * Stores the chunks that continue the log (seq = last stored + 1, …) exactly once; a resent
   * chunk is skipped, a gap waits for the resend. Two servers appending the same chunks at
   * once store them once: `stored` holds what this call added, `lastSeq` the log's end after it.
   */
  append(experimentId: string, chunks: readonly LogChunk[]): Promise<{ stored: LogChunk[]; lastSeq: number }>;
  /** Chunks after `after`, in order, at most `limit`. */
  read(experimentId: string, after: number, limit: number): Promise<LogChunk[]>;
  /** The acknowledged end of the log: every chunk up to it is stored (0 for none). */
  lastSeq(experimentId: string): Promise<number>;
  /** Whether any chunk of the run is stored. */
  has(experimentId: string): Promise<boolean>;
}

/** Files by key (uploads), stored in parts so none is held in memory whole. */
export interface FileStore {
  /** Stores a file from its parts (each at most a few MiB), replacing one under the key. */
  put(key: string, parts: AsyncIterable<Uint8Array>): Promise<number>;
  /** The file's parts in order; null when no file has the key. */
  get(key: string): Promise<AsyncIterable<Uint8Array> | null>;
  exists(key: string): Promise<boolean>;
  /** Removes every file whose key starts with `prefix`. */
  removePrefix(prefix: string): Promise<void>;
}

/** A ref an agent pushed (a result or a checkpoint) with a git bundle holding its commits. */
export interface StoredRefRecord {
  project: string;
  ref: string;
  sha: string;
  bundle: Uint8Array;
  updatedAt: string;
}

/** Result and checkpoint refs kept beyond any one server's git mirror. */
export interface GitRefStore {
  put(r: Omit<StoredRefRecord, 'updatedAt'>): Promise<void>;
  list(project: string): Promise<StoredRefRecord[]>;
  removeProject(project: string): Promise<void>;
}
