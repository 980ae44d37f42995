import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A real Git repository in a temp dir, for tests that need edge-case histories. */
export class TestRepo {
  readonly dir: string;
  private tick = 0;

  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'kiln-repo-'));
    this.git('init', '-q', '-b', 'main');
  }

  git(...args: string[]): string {
    const date = `2026-01-01T00:00:${String(this.tick).padStart(2, '0')}Z`;
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Ünïcode Tester',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 'T',
        GIT_COMMITTER_EMAIL: 't@example.com',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    }).trim();
  }

  write(file: string, text: string): this {
    const p = path.join(this.dir, file);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
    return this;
  }

  remove(file: string): this {
    rmSync(path.join(this.dir, file));
    return this;
  }

  commit(message: string): string {
    this.tick++;
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }
}
