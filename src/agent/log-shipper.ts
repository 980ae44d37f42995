import type { LogChunk, LogStream } from '../contracts/experiments.js';
import { SecretMasker } from '../core/run/secret-mask.js';

const MAX_CHUNK = 64 * 1024;

/**
 * Numbers a job's output into chunks and keeps every chunk until the server acknowledges it,
 * so chunks are resent after a failed request or a server restart and stored exactly once.
 * Secrets are masked per stream across writes, so one printed in two pieces is masked too.
 */
export class LogShipper {
  private seq: number;
  private pending: Array<{ stream: LogStream; text: string }> = [];
  private unacked: LogChunk[] = [];
  private readonly maskers = new Map<LogStream, SecretMasker>();

  constructor(
    ackedSeq: number,
    private readonly secrets: readonly string[],
  ) {
    this.seq = ackedSeq;
  }

  write(stream: LogStream, text: string): void {
    const last = this.pending.at(-1);
    if (last && last.stream === stream && last.text.length < MAX_CHUNK) last.text += text;
    else this.pending.push({ stream, text });
  }

  /** Turns buffered output into numbered chunks (a possible secret's beginning stays held). */
  cut(): void {
    for (const p of this.pending) {
      let masker = this.maskers.get(p.stream);
      if (!masker) this.maskers.set(p.stream, (masker = new SecretMasker(this.secrets)));
      const text = masker.push(p.text);
      if (text) this.unacked.push({ seq: ++this.seq, stream: p.stream, text });
    }
    this.pending = [];
  }

  /** The job's output has ended: what was held back is shipped too. */
  end(): void {
    this.cut();
    for (const [stream, masker] of this.maskers) {
      const text = masker.end();
      if (text) this.unacked.push({ seq: ++this.seq, stream, text });
    }
  }

  batch(max = 200): LogChunk[] {
    return this.unacked.slice(0, max);
  }

  ack(seq: number): void {
    this.unacked = this.unacked.filter((c) => c.seq > seq);
  }

  get idle(): boolean {
    return this.pending.length === 0 && this.unacked.length === 0;
  }
}
