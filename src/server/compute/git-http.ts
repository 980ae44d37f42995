import { spawn } from 'node:child_process';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../store/port.js';
import { sha256 } from '../secrets.js';

export interface GitHttpDeps {
  store: Store;
  /** The project's bare mirror on this machine. */
  mirror: (project: string) => Promise<string>;
}

const Params = z.object({ project: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/), '*': z.string() });
const SERVICES = new Set(['git-upload-pack', 'git-receive-pack']);
const PATHS = /^(info\/refs|git-upload-pack|git-receive-pack)$/;

/** The run token of an experiment of `project` (or an agent token) from HTTP Basic auth's password. */
async function allowed(
  store: Store,
  project: string,
  header: string | undefined,
): Promise<'read' | 'write' | null> {
  const m = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  const found = await store.findToken(sha256(password));
  if (!found) return null;
  if (found.token.scope === 'agent') return 'read';
  const run = /^run:(.+)$/.exec(found.token.scope);
  if (!run?.[1]) return null;
  const exp = await store.experiments.getById(run[1]);
  return exp?.project === project ? 'write' : null;
}

/**
 * Git's smart HTTP for the project mirrors, so agents on other machines clone the baseline and
 * push their result ref: `git http-backend` runs as a CGI child per request. Agents authenticate
 * with HTTP Basic, the password being their run token; only run tokens may push.
 */
export function registerGitHttp(app: FastifyInstance, deps: GitHttpDeps): void {
  for (const type of ['application/x-git-upload-pack-request', 'application/x-git-receive-pack-request'])
    app.addContentTypeParser(type, (_req, _payload, done) => done(null));
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = Params.safeParse(req.params);
    const query = new URL(req.url, 'http://x').searchParams;
    const service = query.get('service') ?? '';
    // Authenticate before anything else, so an anonymous caller learns nothing about paths.
    const access = p.success ? await allowed(deps.store, p.data.project, req.headers.authorization) : null;
    if (!access)
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="kiln"')
        .send({ error: 'a run token is needed', code: 'unauthorized' });
    if (!p.success || !PATHS.test(p.data['*']) || (service && !SERVICES.has(service)))
      return reply.code(404).send({ error: 'no such git path', code: 'not_found' });
    const pushing = p.data['*'] === 'git-receive-pack' || service === 'git-receive-pack';
    if (pushing && access !== 'write')
      return reply.code(403).send({ error: 'only a run token may push', code: 'forbidden' });
    const root = await deps.mirror(p.data.project);
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: `/${p.data['*']}`,
        REQUEST_METHOD: req.method,
        QUERY_STRING: query.toString(),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        REMOTE_USER: 'kiln-agent',
        REMOTE_ADDR: req.ip,
        GIT_CONFIG_COUNT: '2',
        GIT_CONFIG_KEY_0: 'http.receivepack',
        GIT_CONFIG_VALUE_0: 'true',
        GIT_CONFIG_KEY_1: 'safe.directory',
        GIT_CONFIG_VALUE_1: '*',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    if (req.method === 'POST') req.raw.pipe(child.stdin);
    else child.stdin.end();
    reply.hijack();
    const res = reply.raw;
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]) || 500;
        else res.setHeader(name, value);
      }
      res.statusCode = status;
      res.write(head.subarray(end + 4));
    });
    child.on('close', () => {
      if (!headersDone) res.statusCode = 500;
      res.end();
    });
    child.on('error', () => res.destroy());
  };
  app.route({ method: ['GET', 'POST'], url: '/api/git/:project/*', handler });
}

/** The URL an agent on another machine clones from and pushes to, with its run token as password. */
export function gitHttpUrl(serverUrl: string, project: string, token: string): string {
  const u = new URL(`/api/git/${encodeURIComponent(project)}/`, serverUrl);
  u.username = 'kiln';
  u.password = token;
  return u.toString();
}
