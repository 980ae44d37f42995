import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

/**
 * SQLite is the embedded default for one server: a second `kiln serve` on a data dir a live
 * server holds refuses to start and points to PostgreSQL; once the holder is gone (even killed
 * with SIGKILL), a server starts there again. Real `kiln serve` processes.
 */
const home = mkdtempSync(path.join(tmpdir(), 'kiln-holder-'));
const main = path.resolve('src/cli/main.ts');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function serve(): {
  child: ChildProcess;
  listening: Promise<void>;
  exited: Promise<{ code: number | null; err: string }>;
} {
  const env: NodeJS.ProcessEnv = { ...process.env, KILN_NO_DEMO: '1', KILN_FETCH_INTERVAL: '0' };
  delete env.KILN_DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--home', home, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; err: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, err })),
  );
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes(' listening on ')) resolve();
    });
    void exited.then(({ code }) => reject(new Error(`kiln serve exited with ${code}: ${err}`)));
  });
  // A server that is expected to refuse never listens: that rejection is read through `exited`.
  listening.catch(() => undefined);
  return { child, listening, exited };
}

it('a second server on a held SQLite data dir refuses to start, pointing to PostgreSQL', async () => {
  const first = serve();
  await first.listening;
  const second = serve();
  const { code, err } = await second.exited;
  expect(code).not.toBe(0);
  expect(err).toContain(`another Kiln server is running on the data dir ${home}`);
  expect(err).toContain('KILN_DATABASE_URL');
  // The first server is untouched by the attempt.
  expect(first.child.exitCode).toBeNull();
  // Killed without a chance to clean up: the OS drops its lock, and the next server starts.
  first.child.kill('SIGKILL');
  await first.exited;
  const third = serve();
  await third.listening;
  third.child.kill('SIGKILL');
  await third.exited;
}, 120_000);
