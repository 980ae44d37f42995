import type { FastifyRequest } from 'fastify';
import type { Store, UserRecord } from '../store/port.js';
import { randomToken, sha256 } from './secrets.js';

export const SESSION_COOKIE = 'kiln_session';
const SESSION_DAYS = 30;

export interface Auth {
  user: UserRecord;
  role: UserRecord['role'];
  /**
   * `user` for sessions and pre-teams personal tokens; `read | run | live | admin` for scoped
   * personal tokens; narrower machine scopes (`agent`, `run:<id>`) for agents and runs.
   */
  scope: string;
  tokenId: string | null;
  /** The projects a token is limited to; null = every project of its owner. */
  projects: string[] | null;
}

export interface TokenOptions {
  scope?: string;
  projects?: string[] | null;
  expiresAt?: string | null;
}

/**
 * Resolves a request's identity from its session cookie or `Authorization: token …` header.
 * Every request reads the token from the database: a revocation, an expiry or a role change
 * made through any server sharing the database holds on the next request (nothing is cached).
 */
export class Authenticator {
  constructor(private readonly store: Store) {}

  async authenticate(req: FastifyRequest): Promise<Auth | null> {
    const header = req.headers.authorization;
    if (header) {
      const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
      if (!m?.[1]) return null;
      return this.byToken(m[1]);
    }
    const cookie = req.cookies[SESSION_COOKIE];
    if (!cookie) return null;
    const user = await this.store.findSession(sha256(cookie), new Date().toISOString());
    return user ? { user, role: user.role, scope: 'user', tokenId: null, projects: null } : null;
  }

  /** The caller a raw access token stands for; null when unknown, revoked or expired. */
  async byToken(token: string): Promise<Auth | null> {
    const found = await this.store.teams.findToken(sha256(token));
    if (!found) return null;
    const { token: t, user } = found;
    if (t.expiresAt && Date.parse(t.expiresAt) <= Date.now()) return null;
    return { user, role: user.role, scope: t.scope, tokenId: t.id, projects: t.projects };
  }

  async createSession(userId: string): Promise<{ id: string; maxAgeSec: number }> {
    const id = randomToken('');
    const maxAgeSec = SESSION_DAYS * 86400;
    await this.store.createSession(sha256(id), userId, new Date(Date.now() + maxAgeSec * 1000).toISOString());
    return { id, maxAgeSec };
  }

  async createLoginCode(userId: string, ttlMinutes = 24 * 60): Promise<string> {
    const code = randomToken('');
    await this.store.createLoginCode(
      sha256(code),
      userId,
      new Date(Date.now() + ttlMinutes * 60_000).toISOString(),
    );
    return code;
  }

  /**
   * A new token, returned once in clear. `scope` (or `opts.scope`) defaults to `user` (a
   * person's full access); personal tokens may name projects and an expiry.
   */
  async createToken(userId: string, name: string, scopeOrOpts: string | TokenOptions = 'user') {
    const opts = typeof scopeOrOpts === 'string' ? { scope: scopeOrOpts } : scopeOrOpts;
    const token = randomToken('kiln_');
    const rec = await this.store.teams.createToken({
      id: crypto.randomUUID(),
      userId,
      name,
      tokenHash: sha256(token),
      scope: opts.scope ?? 'user',
      projects: opts.projects ?? null,
      expiresAt: opts.expiresAt ?? null,
    });
    return { ...rec, token };
  }
}
