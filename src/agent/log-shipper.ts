import type { LogChunk, LogStream } from '../contracts/experiments.js';

const MAX_CHUNK = 64 * 1024;

/**
 * Numbers a job's output into chunks and keeps every chunk until the server acknowledges it,
 * so chunks are resent after a failed request or a server restart and stored exactly once.
 */
export class LogShipper {
  private seq: number;
  private pending: Array<{ stream: LogStream; text: string }> = [];
  private unacked: LogChunk[] = [];

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

  /** Turns buffered output into numbered chunks. */
  cut(): void {
    for (const p of this.pending) {
      let text = p.text;
      for (const s of this.secrets) if (s) text = text.split(s).join('***');
      this.unacked.push({ seq: ++this.seq, stream: p.stream, text });
    }
    this.pending = [];
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
