import type { FastifyRequest } from 'fastify';
import type { Store, UserRecord } from '../store/port.js';
import { randomToken, sha256 } from './secrets.js';

export const SESSION_COOKIE = 'kiln_session';
const SESSION_DAYS = 30;
/**
 * A verified access token is trusted this long without asking the database again (agents send
 * several requests a second). Revoking through the store forgets it at once; the limit only
 * bounds a change made outside this process, and how stale a token's "last used" may be.
 */
const TOKEN_REUSE_MS = 10_000;
const TOKEN_CACHE_MAX = 10_000;

type Verified = { user: UserRecord; scope: string; tokenId: string };

export interface Auth {
  user: UserRecord;
  role: UserRecord['role'];
  /** `user` for sessions and personal tokens; narrower scopes (e.g. a run's token) for agents. */
  scope: string;
  tokenId: string | null;
}

/** Resolves a request's identity from its session cookie or `Authorization: token …` header. */
export class Authenticator {
  /** Verified tokens by hash, with when they were read. */
  private readonly verified = new Map<string, { at: number; who: Verified }>();
  /** Look-ups under way by hash: requests sent together share one. */
  private readonly pending = new Map<string, Promise<Verified | null>>();
  /** Counts revocations' starts and ends: a look-up that one overlapped is not kept. */
  private revocations = 0;

  constructor(private readonly store: Store) {
    // Every revocation (the tokens page, a run's end, a machine's end) goes through the store:
    // wrapping it here makes each one forget the token before anyone can use it again.
    const revoke = store.revokeToken.bind(store);
    store.revokeToken = async (id, userId) => {
      this.revocations++;
      // Requests from now on look the token up afresh, not through a look-up already under way.
      this.pending.clear();
      try {
        return await revoke(id, userId);
      } finally {
        this.revocations++;
        for (const [hash, v] of this.verified) if (v.who.tokenId === id) this.verified.delete(hash);
      }
    };
  }

  /** The token's owner and scope, from memory when verified within TOKEN_REUSE_MS. */
  private async verify(token: string): Promise<Verified | null> {
    const hash = sha256(token);
    const have = this.verified.get(hash);
    if (have && Date.now() - have.at < TOKEN_REUSE_MS) return have.who;
    this.verified.delete(hash);
    const under = this.pending.get(hash);
    if (under) return under;
    const lookup = this.lookUp(hash).finally(() => {
      if (this.pending.get(hash) === lookup) this.pending.delete(hash);
    });
    this.pending.set(hash, lookup);
    return lookup;
  }

  private async lookUp(hash: string): Promise<Verified | null> {
    const before = this.revocations;
    const found = await this.store.findToken(hash);
    if (!found) return null;
    const who = { user: found.user, scope: found.token.scope, tokenId: found.token.id };
    if (before === this.revocations) {
      if (this.verified.size >= TOKEN_CACHE_MAX) this.verified.clear();
      this.verified.set(hash, { at: Date.now(), who });
    }
    return who;
  }

  async authenticate(req: FastifyRequest): Promise<Auth | null> {
    const header = req.headers.authorization;
    if (header) {
      const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
      if (!m?.[1]) return null;
      const who = await this.verify(m[1]);
      return who ? { user: who.user, role: who.user.role, scope: who.scope, tokenId: who.tokenId } : null;
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
