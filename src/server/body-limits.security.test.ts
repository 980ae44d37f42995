import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let s: TestServer;
let cases = 0;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
  console.log(`body limits: ${cases} oversized or anonymous bodies, each answered before it was read`);
});

/**
 * Sends the headers of a `declared`-byte body and only its first KiB, then waits: a server that
 * reads bodies before it authenticates never answers (the rest never comes).
 */
function partialPost(
  url: string,
  declared: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: { error?: string; detail?: string } } | 'no answer'> {
  cases++;
  return new Promise((resolve, reject) => {
    const u = new URL(url, s.url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(declared), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          clearTimeout(timer);
          req.destroy();
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as { error?: string } });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve('no answer');
    }, 3000);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.write('{"name": "' + 'x'.repeat(1000));
  });
}

async function chunkedPost(url: string, bytes: number, headers: Record<string, string> = {}) {
  cases++;
  const res = await fetch(s.url + url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(`{"code": "${'x'.repeat(bytes)}"}`));
        c.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, json: (await res.json()) as { error?: string } };
}

describe('bodies are read only after the caller is known', () => {
  it('an anonymous 30 MB post to a route that needs a login gets 401 before the body is read', async () => {
    // /api/live and /webhook/dvc need a token (permission live): refused before its body is read too.
    for (const url of [
      '/api/projects',
      '/api/tokens',
      '/api/projects/p/experiments',
      '/api/live',
      '/webhook/dvc',
    ]) {
      const r = await partialPost(url, 30 * 1024 * 1024);
      expect(r, url).not.toBe('no answer');
      expect(r !== 'no answer' && r.status, url).toBe(401);
    }
    const bad = await partialPost('/api/projects', 30 * 1024 * 1024, { authorization: 'token kiln_nope' });
    expect(bad !== 'no answer' && bad.status).toBe(401);
  });

  it('an anonymous caller may send a public route 64 KiB at most, told so', async () => {
    for (const url of ['/api/auth/login', '/api/agents/exchange']) {
      const r = await partialPost(url, 1024 * 1024);
      expect(r, url).not.toBe('no answer');
      if (r === 'no answer') continue;
      expect(r.status, url).toBe(413);
      expect(r.json.error).toContain('without a valid token a request may send at most 64 KiB');
    }
    // Without a declared length the body is cut off as it streams.
    const streamed = await chunkedPost('/api/auth/login', 200 * 1024);
    expect(streamed.status).toBe(413);
    expect(streamed.json.error).toContain('at most 64 KiB');
  });

  it('a caller with a valid token still sends large bodies', async () => {
    const r = await chunkedPost('/api/auth/login', 200 * 1024, { authorization: `token ${s.token}` });
    expect(r.status).toBe(400);
    const live = await chunkedPost('/api/live', 200 * 1024, { authorization: `token ${s.token}` });
    expect(live.status).toBe(400);
  });
});
