import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { experimentRef } from '../../contracts/experiments.js';
import { parsePushHead, refusalReport } from '../../git/push-commands.js';
import { ensureCheckpoint, keepPushedRefs } from './pushed-refs.js';
import type { Store } from '../../store/port.js';
import type { Auth, Authenticator } from '../auth.js';
import { can, projectAccess, projectNotFound } from '../authz/index.js';
import { setCaller } from '../caller.js';

export interface GitHttpDeps {
  store: Store;
  auth: Authenticator;
  /** The project's bare mirror on this machine. */
  mirror: (project: string) => Promise<string>;
}

const Params = z.object({ project: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/), '*': z.string() });
const SERVICES = new Set(['git-upload-pack', 'git-receive-pack']);
const PATHS = /^(info\/refs|git-upload-pack|git-receive-pack)$/;

/** What a caller may do: read the project, or also push the refs of its one run. */
type Access =
  | { kind: 'read' }
  | { kind: 'write'; refs: ReadonlySet<string>; run: string; project: string; experimentId: string };

/** The caller from HTTP Basic auth, whose password is a token (Git sends no other header). */
async function caller(auth: Authenticator, header: string | undefined): Promise<Auth | null> {
  const m = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  return auth.byToken(decoded.slice(decoded.indexOf(':') + 1));
}

/**
 * What `who` may do with `project`'s mirror: an agent reads any project (it runs their jobs);
 * a run token reads and pushes its own run's refs; a person reads the projects they may see.
 * Null: the project does not exist for this caller.
 */
async function allowed(store: Store, who: Auth, project: string): Promise<Access | null> {
  if (who.scope === 'agent') return { kind: 'read' };
  const run = /^run:(.+)$/.exec(who.scope);
  if (run?.[1]) {
    const exp = await store.experiments.getById(run[1]);
    if (exp?.project !== project) return null;
    // A run writes its result and its checkpoint, nothing else: not the branches, tags or other
    // runs' refs that the table and the Run form trust.
    const refs = new Set([experimentRef(exp.baseline, exp.name), `refs/kiln/checkpoints/${exp.id}`]);
    return { kind: 'write', refs, run: `${exp.project}/${exp.name}`, project, experimentId: exp.id };
  }
  const access = await projectAccess(store, who, project);
  return access && can(who, 'project:read', access.role) ? { kind: 'read' } : null;
}

/**
 * Git's smart HTTP for the project mirrors, so agents on other machines clone the baseline and
 * push their result ref: `git http-backend` runs as a CGI child per request. Callers authenticate
 * with HTTP Basic, the password being a token; only run tokens may push, and only their own
 * run's refs. People clone the projects they may read with an access token.
 */
export function registerGitHttp(app: FastifyInstance, deps: GitHttpDeps): void {
  for (const type of ['application/x-git-upload-pack-request', 'application/x-git-receive-pack-request'])
    app.addContentTypeParser(type, (_req, _payload, done) => done(null));
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = Params.safeParse(req.params);
    const query = new URL(req.url, 'http://x').searchParams;
    const service = query.get('service') ?? '';
    // Authenticate before anything else, so an anonymous caller learns nothing about paths.
    const who = await caller(deps.auth, req.headers.authorization);
    setCaller(req, who);
    if (!who)
      return reply.code(401).header('www-authenticate', 'Basic realm="kiln"').send({
        error: 'a token is needed (a run token, or an access token as the password)',
        code: 'unauthorized',
      });
    if (!p.success) return reply.code(404).send({ error: 'no such git path', code: 'not_found' });
    const access = await allowed(deps.store, who, p.data.project);
    // A project the caller may not see answers as one that does not exist.
    if (!access) return reply.code(404).send({ error: projectNotFound(p.data.project), code: 'not_found' });
    if (!PATHS.test(p.data['*']) || (service && !SERVICES.has(service)))
      return reply.code(404).send({ error: 'no such git path', code: 'not_found' });
    const pushing = p.data['*'] === 'git-receive-pack' || service === 'git-receive-pack';
    if (pushing && access.kind !== 'write')
      return reply.code(403).send({ error: 'only a run token may push', code: 'forbidden' });
    const root = await deps.mirror(p.data.project);
    // A run's clone asks for its refs first: a checkpoint another server received is put back now.
    if (access.kind === 'write' && !pushing && p.data['*'] === 'info/refs')
      await ensureCheckpoint(deps.store, access.project, root, access.experimentId);
    const cgi = { root, pathInfo: `/${p.data['*']}`, query: query.toString() };
    if (req.method !== 'POST' || p.data['*'] !== 'git-receive-pack' || access.kind !== 'write')
      return backend(req, reply, cgi, req.method === 'POST' ? req.raw : null);
    return guardedPush(req, reply, cgi, access, deps.store);
  };
  // Declared in the route table like every route: reading needs project:read (a person who may
  // see the project, an agent, or the project's run token); pushing a run token of the project.
  app.route({
    method: ['GET', 'POST'],
    url: '/api/git/:project/*',
    config: { permission: 'project:read' },
    handler,
  });
}

interface Cgi {
  root: string;
  pathInfo: string;
  query: string;
}

/**
 * Reads a push's ref updates before `git receive-pack` runs, and lets it through only when every
 * ref is one of the run's own; otherwise answers with Git's report of each ref refused.
 */
function guardedPush(
  req: FastifyRequest,
  reply: FastifyReply,
  cgi: Cgi,
  access: Extract<Access, { kind: 'write' }>,
  store: Store,
): Promise<void> {
  const gzip = /gzip/i.test(String(req.headers['content-encoding'] ?? ''));
  const source: Readable = gzip ? req.raw.pipe(createGunzip()) : req.raw;
  return new Promise<void>((resolve) => {
    let buf = Buffer.alloc(0);
    const finish = (answer: () => Promise<unknown>) => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onEnd);
      void answer().finally(resolve);
    };
    const refuse = (status: number, error: string) =>
      finish(() => drained(source).then(() => reply.code(status).send({ error, code: 'forbidden' })));
    const onEnd = () => refuse(400, 'the push ended before its ref updates');
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const head = parsePushHead(buf);
      if (head.state === 'more') return;
      source.pause();
      if (head.state === 'bad') return refuse(400, head.reason);
      const foreign = head.commands.filter((c) => !access.refs.has(c.ref));
      if (foreign.length === 0)
        return finish(async () => {
          source.unshift(buf);
          // The agent hears "ok" only once its refs are in the shared store too (pushed-refs.ts).
          await backend(req, reply, cgi, source, gzip, () =>
            keepPushedRefs(store, cgi.root, access, head.commands),
          );
        });
      const reason = `the token of run ${access.run} may push only ${[...access.refs].join(' and ')}, not ${foreign[0]?.ref ?? ''}`;
      if (!head.capabilities.includes('report-status') && !head.capabilities.includes('report-status-v2'))
        return refuse(403, reason);
      finish(() =>
        drained(source).then(() =>
          reply
            .code(200)
            .header('content-type', 'application/x-git-receive-pack-result')
            .header('cache-control', 'no-cache')
            .send(refusalReport(head.commands, head.capabilities, reason)),
        ),
      );
    };
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onEnd);
  });
}

/** Reads and drops the rest of a refused request (a pack), so the client gets the answer. */
function drained(source: Readable): Promise<void> {
  return new Promise((resolve) => {
    source.on('data', () => undefined);
    source.once('end', resolve);
    source.once('error', () => resolve());
    source.once('close', () => resolve());
    source.resume();
  });
}

/** Runs `git http-backend` for the request, its body from `input` (null for a GET). */
async function backend(
  req: FastifyRequest,
  reply: FastifyReply,
  cgi: Cgi,
  input: Readable | null,
  inflated = false,
  /** Runs once git is done, before its answer is sent; a failure answers 500 instead. */
  before?: () => Promise<void>,
): Promise<void> {
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: cgi.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: cgi.pathInfo,
      REQUEST_METHOD: req.method,
      QUERY_STRING: cgi.query,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: inflated ? '' : String(req.headers['content-encoding'] ?? ''),
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
  child.stdin.on('error', () => undefined);
  if (input) {
    input.pipe(child.stdin);
    input.resume();
  } else child.stdin.end();
  reply.hijack();
  const res = reply.raw;
  let head = Buffer.alloc(0);
  let headersDone = false;
  const held: Buffer[] = [];
  const write = (b: Buffer) => (before ? held.push(b) : res.write(b));
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      write(chunk);
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
    write(head.subarray(end + 4));
  });
  await new Promise<void>((resolve) => {
    child.on('close', () => {
      if (!headersDone) res.statusCode = 500;
      const kept = before && headersDone ? before() : Promise.resolve();
      void kept.then(
        () => {
          for (const b of held) res.write(b);
          res.end();
          resolve();
        },
        () => {
          // Not durable beyond this server: the agent's push fails and it pushes again.
          res.removeHeader('content-type');
          res.statusCode = 500;
          res.end();
          resolve();
        },
      );
    });
    child.on('error', () => {
      res.destroy();
      resolve();
    });
  });
}

/** The URL an agent on another machine clones from and pushes to, with its run token as password. */
export function gitHttpUrl(serverUrl: string, project: string, token: string): string {
  const u = new URL(`/api/git/${encodeURIComponent(project)}/`, serverUrl);
  u.username = 'kiln';
  u.password = token;
  return u.toString();
}
