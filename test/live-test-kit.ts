import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Project } from '../src/contracts/api.js';
import type { TestServer } from './test-server.js';

// The requests DVCLive's client sends, kept in the repository's test/fixtures.
export const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/live-protocol');
const FixtureRequest = z.object({
  method: z.string(),
  path: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.record(z.string(), z.unknown()),
});
export type FixtureRequest = z.infer<typeof FixtureRequest>;

/** The recorded DVCLive requests, by file name without `.json`. */
export function loadFixtures(dir = FIXTURES): Map<string, FixtureRequest> {
  const out = new Map<string, FixtureRequest>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')))
    out.set(
      f.replace(/\.json$/, ''),
      FixtureRequest.parse(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))),
    );
  return out;
}

export async function post(
  s: TestServer,
  urlPath: string,
  body: unknown,
  token: string | null = s.token,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(s.url + urlPath, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `token ${token}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

export async function waitFetched(s: TestServer, name: string): Promise<Project> {
  for (let i = 0; i < 200; i++) {
    const p = Project.parse((await s.api('GET', `/api/projects/${name}`)).json);
    if (p.fetch.state === 'ok' || p.fetch.state === 'error') return p;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`project ${name} never fetched`);
}
