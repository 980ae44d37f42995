import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ProjectTable } from '../src/server/table/project-table.js';
import { TableCache } from '../src/server/table/table-cache.js';
import { startTestServer } from '../test/test-server.js';
import { median, round, type BenchResult } from './result.js';
import { MAKE_DVC_PROJECT } from '../test/fixtures.js';

const FIXTURE = MAKE_DVC_PROJECT;
const CACHE = path.resolve(import.meta.dirname, '.cache');
const FILES = ['params.yaml', 'dvc.yaml', 'eval/metrics.json', 'dvclive/metrics.json'];

function fixture(commits: number): string {
  const dir = path.join(CACHE, `repo-${commits}`);
  if (!existsSync(path.join(dir, '.git'))) {
    mkdirSync(CACHE, { recursive: true });
    execFileSync('python3', [FIXTURE, dir, '--commits', String(commits)], { stdio: 'ignore' });
  }
  return dir;
}

/** The floor: list every commit, then cat-file every table file of every commit in one batch process. */
async function floor(gitDir: string): Promise<number> {
  const t0 = performance.now();
  const revs = execFileSync('git', ['rev-list', '--all'], {
    cwd: gitDir,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  })
    .split('\n')
    .filter(Boolean);
  const input = revs.flatMap((r) => FILES.map((f) => `${r}:${f}`)).join('\n') + '\n';
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: gitDir, stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.on('data', () => undefined);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cat-file exit ${code}`))));
    child.stdin.end(input);
  });
  return performance.now() - t0;
}

export async function benchTable(commits = 10_000): Promise<BenchResult[]> {
  const repo = fixture(commits);
  const gitDir = path.join(repo, '.git');
  const floors: number[] = [];
  const colds: number[] = [];
  // first, while this process holds no other table (as a restarted server would not)
  const r = await restart(gitDir);
  for (let i = 0; i < 3; i++) {
    floors.push(await floor(gitDir));
    const t0 = performance.now();
    const table = new ProjectTable(gitDir, { subdir: null, paramsFiles: [], metricsFiles: [] }, null);
    await table.refresh();
    colds.push(performance.now() - t0);
    if (i < 2) table.close();
    else {
      // Reload after one new commit (on a throwaway branch so the cached fixture stays as made).
      const reloads: number[] = [];
      for (let k = 0; k < 5; k++) {
        writeFileSync(path.join(repo, 'bench-note.txt'), `note ${Date.now()} ${k}\n`);
        const blob = execFileSync('git', ['hash-object', '-w', 'bench-note.txt'], {
          cwd: repo,
          encoding: 'utf8',
        }).trim();
        const tree = execFileSync('git', ['mktree'], {
          cwd: repo,
          input: `100644 blob ${blob}\tbench-note.txt\n`,
          encoding: 'utf8',
        }).trim();
        const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
        const commit = execFileSync('git', ['commit-tree', tree, '-p', head, '-m', 'bench commit'], {
          cwd: repo,
          encoding: 'utf8',
          env: {
            ...process.env,
            GIT_AUTHOR_NAME: 'b',
            GIT_AUTHOR_EMAIL: 'b@b',
            GIT_COMMITTER_NAME: 'b',
            GIT_COMMITTER_EMAIL: 'b@b',
          },
        }).trim();
        execFileSync('git', ['update-ref', 'refs/heads/bench-reload', commit], { cwd: repo });
        const r0 = performance.now();
        await table.refresh();
        reloads.push(performance.now() - r0);
        execFileSync('git', ['update-ref', '-d', 'refs/heads/bench-reload'], { cwd: repo });
        await table.refresh();
      }
      table.close();
      colds.push(...[]);
      const f = median(floors);
      const c = median(colds);
      const results: BenchResult[] = [
        { name: 'table.floor', value: round(f), unit: 'ms' },
        { name: 'table.cold', value: round(c), unit: 'ms', baseline: round(f), ratio: round(c / f, 3) },
        {
          name: 'table.reload',
          value: round(median(reloads)),
          unit: 'ms',
          baseline: round(f),
          ratio: round(median(reloads) / f, 4),
        },
      ];
      results.push({
        name: 'table.restart',
        value: round(r),
        unit: 'ms',
        baseline: round(c),
        ratio: round(r / c, 3),
      });
      results.push(...(await firstPage(repo, f)));
      return results;
    }
  }
  return [];
}

/**
 * The first table after a server restart on an unchanged repo: built from the rows the previous
 * run persisted (ratio against the cold build).
 */
async function restart(gitDir: string): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-bench-cache-'));
  const settings = { subdir: null, paramsFiles: [], metricsFiles: [] };
  const open = () => new ProjectTable(gitDir, settings, null, null, new TableCache(dir, 'bench', settings));
  try {
    const first = open();
    await first.refresh();
    first.close();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const table = open();
      await table.refresh();
      times.push(performance.now() - t0);
      if (table.stats.historyReads !== 0) throw new Error('table.restart read the history again');
      table.close();
    }
    return median(times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function firstPage(repo: string, floorMs: number): Promise<BenchResult[]> {
  const server = await startTestServer();
  try {
    await server.api('POST', '/api/projects', { name: 'bench', source: repo });
    for (let i = 0; i < 600; i++) {
      const r = await server.api('GET', '/api/projects/bench');
      const state = (r.json as { fetch: { state: string } }).fetch.state;
      if (state === 'ok') break;
      if (state === 'error') throw new Error('bench project fetch failed');
      await new Promise((res) => setTimeout(res, 100));
    }
    await server.api('GET', '/api/projects/bench/table?limit=100');
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const r = await fetch(`${server.url}/api/projects/bench/table?limit=100`, {
        headers: { authorization: `token ${server.token}` },
      });
      await r.text();
      times.push(performance.now() - t0);
    }
    const v = median(times);
    // The whole table as the web reads it (columns, paged) against the rows every other client gets.
    const bytes = async (format: string) => {
      let total = 0;
      for (let offset = 0; ; offset += 2000) {
        const r = await fetch(
          `${server.url}/api/projects/bench/table?format=${format}&offset=${String(offset)}&limit=2000`,
          { headers: { authorization: `token ${server.token}` } },
        );
        const text = await r.text();
        total += Buffer.byteLength(text);
        if (!text.includes('"rev"') || offset + 2000 >= (JSON.parse(text) as { total: number }).total) break;
      }
      return total / 1e6;
    };
    const rowsMb = await bytes('rows');
    const columnsMb = await bytes('columns');
    // The server runs in this process: its resident memory once it holds the table and has sent
    // it whole (this process's own tables are closed and dropped by then). Target < 300 MB.
    const rssMb = process.memoryUsage().rss / 1e6;
    return [
      {
        name: 'table.first_page',
        value: round(v),
        unit: 'ms',
        baseline: round(floorMs),
        ratio: round(v / floorMs, 4),
      },
      {
        name: 'table.payload_columns',
        value: round(columnsMb),
        unit: 'MB',
        baseline: round(rowsMb),
        ratio: round(columnsMb / rowsMb, 3),
      },
      { name: 'table.rss_mb', value: round(rssMb), unit: 'MB' },
    ];
  } finally {
    await server.close();
  }
}
