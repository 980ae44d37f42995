import type { FastifyRequest } from 'fastify';
import type { Store, UserRecord } from '../store/port.js';
import { randomToken, sha256 } from './secrets.js';

export const SESSION_COOKIE = 'kiln_session';
const SESSION_DAYS = 30;

export interface Auth {
  user: UserRecord;
  role: UserRecord['role'];
  /** `user` for sessions and personal tokens; narrower scopes (e.g. a run's token) for agents. */
  scope: string;
  tokenId: string | null;
}

/** Resolves a request's identity from its session cookie or `Authorization: token …` header. */
export class Authenticator {
  constructor(private readonly store: Store) {}

  async authenticate(req: FastifyRequest): Promise<Auth | null> {
    const header = req.headers.authorization;
    if (header) {
      const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
      if (!m?.[1]) return null;
      const found = await this.store.findToken(sha256(m[1]));
      return found
        ? { user: found.user, role: found.user.role, scope: found.token.scope, tokenId: found.token.id }
        : null;
    }
    const cookie = req.cookies[SESSION_COOKIE];
    if (!cookie) return null;
    const user = await this.store.findSession(sha256(cookie), new Date().toISOString());
    return user ? { user, role: user.role, scope: 'user', tokenId: null } : null;
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

  async createToken(userId: string, name: string, scope = 'user') {
    const token = randomToken('kiln_');
    const rec = await this.store.createToken({
      id: crypto.randomUUID(),
      userId,
      name,
      tokenHash: sha256(token),
      scope,
    });
    return { ...rec, token };
  }
}
