import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { GitError } from './run-git.js';

export interface ObjectInfo {
  oid: string;
  type: string;
  size: number;
}

interface Pending {
  kind: 'info' | 'contents';
  resolve: (value: { info: ObjectInfo; data: Buffer | null } | null) => void;
  reject: (err: Error) => void;
}

/**
 * One long-lived `git cat-file --batch-command` per repository: many object reads, one process.
 * Requests are answered in order, so a FIFO of pending promises matches replies to requests.
 */
export class CatFile {
  private child: ChildProcessWithoutNullStreams | null = null;
  private pending: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private stderr = '';

  constructor(private readonly gitDir: string) {}

  info(object: string): Promise<ObjectInfo | null> {
    return this.request('info', object).then((r) => r?.info ?? null);
  }

  async contents(object: string): Promise<Buffer | null> {
    const r = await this.request('contents', object);
    return r?.data ?? null;
  }

  close(): void {
    this.child?.stdin.end();
    this.child = null;
  }

  private request(kind: Pending['kind'], object: string) {
    if (object.includes('\n')) return Promise.reject(new Error('object name may not contain a newline'));
    const child = this.ensure();
    return new Promise<{ info: ObjectInfo; data: Buffer | null } | null>((resolve, reject) => {
      this.pending.push({ kind, resolve, reject });
      child.stdin.write(`${kind} ${object}\n`);
    });
  }

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn('git', ['cat-file', '--batch-command'], {
      cwd: this.gitDir,
      env: { ...process.env, LC_ALL: 'C' },
    });
    child.stdout.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.drain();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    const fail = (err: Error) => {
      const waiting = this.pending;
      this.pending = [];
      this.child = null;
      this.buf = Buffer.alloc(0);
      for (const p of waiting) p.reject(err);
    };
    child.on('error', fail);
    child.on('close', (code) => {
      if (this.pending.length > 0) fail(new GitError(['cat-file'], code, this.stderr));
      if (this.child === child) this.child = null;
    });
    child.stdin.on('error', () => undefined);
    this.child = child;
    return child;
  }

  private drain(): void {
    for (;;) {
      const head = this.pending[0];
      if (!head) return;
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const header = this.buf.toString('utf8', 0, nl);
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.buf = this.buf.subarray(nl + 1);
        this.pending.shift();
        head.resolve(null);
        continue;
      }
      const [oid, type, sizeText] = header.split(' ');
      const size = Number(sizeText);
      if (!oid || !type || !Number.isFinite(size)) {
        this.pending.shift();
        head.reject(new GitError(['cat-file'], null, `unexpected reply: ${header}`));
        this.buf = this.buf.subarray(nl + 1);
        continue;
      }
      const info = { oid, type, size };
      if (head.kind === 'info') {
        this.buf = this.buf.subarray(nl + 1);
        this.pending.shift();
        head.resolve({ info, data: null });
        continue;
      }
      const end = nl + 1 + size;
      if (this.buf.length < end + 1) return;
      const data = Buffer.from(this.buf.subarray(nl + 1, end));
      this.buf = this.buf.subarray(end + 1);
      this.pending.shift();
      head.resolve({ info, data });
    }
  }
}
