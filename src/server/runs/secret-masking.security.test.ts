import type { KyselyStore } from '../../store/kysely-store.js';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LogPage } from '../../contracts/experiments.js';
import { startRunServer } from '../../../test/test-harness.js';

let h: Awaited<ReturnType<typeof startRunServer>>;

// The job hands the test the token it saw through a file in the data dir, which the sandbox hides
// from jobs: masking is the log's business, not the sandbox's, so this server's jobs run bare.
beforeAll(async () => {
  process.env.KILN_SANDBOX = 'off';
  h = await startRunServer();
});
afterAll(async () => {
  delete process.env.KILN_SANDBOX;
  await h?.close();
});

it('a job printing its run token in pieces and base64 leaves no trace of it in the stored log', async () => {
  const out = path.join(h.home, 'token-seen-by-job');
  const script = [
    `printf %s "$DVC_STUDIO_TOKEN" > '${out}'`,
    't="$DVC_STUDIO_TOKEN"',
    // Two writes half a second apart: two chunks on the wire.
    'printf "half=%s" "${t:0:12}"; sleep 0.5; printf "%s|\\n" "${t:12}"',
    'printf "b64=%s\\n" "$(printf "x%s" "$t" | base64 -w0)"',
    'printf "b64b=%s\\n" "$(printf "xy%s" "$t" | base64 -w0)"',
    'printf "url=%s\\n" "$(printf "%s" "$t" | od -An -tx1 | tr -d " \\n" | sed "s/../%&/g")"',
  ].join('\n');
  const r = await h.api('POST', '/api/projects/demo/experiments', { rev: 'main', name: 'leaky', script });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  const done = await h.waitFor('leaky');
  const page = LogPage.parse((await h.api('GET', '/api/projects/demo/experiments/leaky/logs')).json);
  const text = page.chunks.map((c) => c.text).join('');
  expect(done.status, text).toBe('succeeded');
  const token = readFileSync(out, 'utf8');
  expect(token).toMatch(/^kiln_/);
  expect(text).toContain('half=***|');
  // Run logs live in the store (run_logs): read every stored chunk of every run.
  const db = (h.server.store as unknown as KyselyStore).db;
  const stored = (await db.selectFrom('run_logs').select('text').execute()).map((r) => r.text).join('');
  expect(stored).toContain('half=***|');
  const forms = [
    token,
    token.slice(0, 12),
    token.slice(12),
    Buffer.from(`x${token}`).toString('base64').slice(4, 40),
    Buffer.from(`xy${token}`).toString('base64').slice(4, 40),
  ];
  let seen = 0;
  for (const f of forms) if (stored.includes(f) || text.includes(f)) seen++;
  console.log(`secret masking end to end: ${forms.length} forms of the run token looked for, ${seen} found`);
  expect(seen, text).toBe(0);
  // The stored log and the job workspaces are private to the server's user too.
  for (const p of [path.join(h.home, 'work')]) expect(statSync(p).mode & 0o077, p).toBe(0);
}, 240_000);
