import type { FastifyRequest } from 'fastify';
import type { SignInUser } from '../../store/kysely-identity.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import { audit } from './audit.js';
import { verifyPassword } from './passwords.js';
import { SignInLimiter } from './rate-limit.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sign-in with a user name and password, slowed and then refused after repeated failures. */
export class PasswordLogin {
  readonly limiter: SignInLimiter;

  constructor(private readonly store: Store) {
    this.limiter = new SignInLimiter(store.signIns);
  }

  async signIn(name: string, password: string, req: FastifyRequest): Promise<SignInUser> {
    const ip = req.ip;
    const wait = await this.limiter.lockedFor(name, ip);
    if (wait > 0) {
      await audit(this.store, {
        action: 'signin.failed',
        outcome: 'denied',
        actor: null,
        req,
        target: name,
        detail: { method: 'password', reason: 'locked' },
      });
      throw new ApiFailure(
        'too_many_requests',
        `too many failed sign-ins for ${name} from this address: try again in ${Math.ceil(wait / 60_000)} minutes`,
        'or ask an admin for a new invite link',
      );
    }
    const user = await this.store.identity.userByName(name);
    const ok = (await verifyPassword(password, user?.passwordHash ?? null)) && !user?.disabledAt;
    if (!ok || !user) {
      const delay = await this.limiter.failed(name, ip);
      await audit(this.store, {
        action: 'signin.failed',
        outcome: 'denied',
        actor: null,
        req,
        target: name,
        detail: { method: 'password' },
      });
      // A slower "no" makes guessing slower still; the answer is the same for every cause.
      await sleep(delay);
      throw new ApiFailure('unauthorized', 'wrong user name or password');
    }
    await this.limiter.succeeded(name, ip);
    await audit(this.store, {
      action: 'signin.ok',
      actor: { id: user.id, name: user.name, kind: 'session' },
      req,
      detail: { method: 'password' },
    });
    return user;
  }
}
