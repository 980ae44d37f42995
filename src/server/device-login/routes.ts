import { randomInt } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  DeviceLoginStart,
  DeviceTokenRequest,
  UserCodeBody,
  type DeviceLoginRequest,
  type DeviceLoginStarted,
  type DeviceToken,
} from '../../contracts/device-login.js';
import type { Store } from '../../store/port.js';
import type { DeviceCodeRecord } from '../../store/kysely-device-codes.js';
import { ApiFailure } from '../api-error.js';
import type { Auth, Authenticator } from '../auth.js';
import { recordAudit } from '../audit/index.js';
import type { makeRoute } from '../route.js';
import { randomToken, sha256 } from '../secrets.js';
import { kilnScopeFor, type KilnScope } from './scopes.js';
import { z } from 'zod';

/** How long a person has to approve (DVC's own clients wait as long as the server says). */
export const DEVICE_CODE_TTL_SEC = 15 * 60;
/** DVC's client polls every 5 s; faster than this is refused with `slow_down`. */
export const MIN_POLL_INTERVAL_MS = 2_000;
/** Letters that cannot be mistaken for one another or spell much: no vowels, no 0/O, 1/I. */
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

export interface DeviceLoginDeps {
  store: Store;
  auth: Authenticator;
  /** The address clients reach this server at, when configured; else the request's own host. */
  publicUrl?: string;
}

function newUserCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** As a person types it: any case, with or without the dash or spaces. */
export function normalizeUserCode(typed: string): string {
  const s = typed.toUpperCase().replace(/[^A-Z]/g, '');
  return s.length === 8 ? `${s.slice(0, 4)}-${s.slice(4)}` : s;
}

function baseUrl(req: FastifyRequest, deps: DeviceLoginDeps): string {
  return (deps.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
}

/** The errors DVC's client reads: a 400 whose `detail` names what happened. */
function pollFailure(detail: string, message: string): ApiFailure {
  return new ApiFailure('bad_request', message, detail);
}

function scopeOf(r: DeviceCodeRecord): KilnScope {
  const s = kilnScopeFor(r.scopes);
  return typeof s === 'string' ? s : 'live';
}

/** Only a person acting fully as themselves may approve: not a live, read or machine token. */
function mustApprove(who: Auth | null): Auth {
  if (!who) throw new ApiFailure('unauthorized', 'sign in to approve a device login');
  if (who.scope !== 'user' && who.scope !== 'admin')
    throw new ApiFailure(
      'forbidden',
      `a ${who.scope} token cannot approve a device login; sign in in the browser`,
    );
  return who;
}

const LookupQuery = z.object({ code: z.string().trim().min(1).max(40) });

export function registerDeviceLogin(route: ReturnType<typeof makeRoute>, deps: DeviceLoginDeps): void {
  const { store, auth } = deps;

  route(
    { method: 'POST', url: '/api/device-login', permission: 'public', body: DeviceLoginStart },
    async ({ body, req }): Promise<DeviceLoginStarted> => {
      const asked = body.scopes ?? [];
      const scope = kilnScopeFor(asked);
      if (typeof scope !== 'string')
        throw new ApiFailure(
          'bad_request',
          `unknown scopes: ${scope.unknown.join(', ')}`,
          'ask for EXPERIMENTS (live metrics), DATASETS or MODELS, or one of read, run, live, admin',
        );
      const now = Date.now();
      // Codes that ran out are deleted as new ones are made.
      await store.deviceCodes.sweep(new Date(now).toISOString());
      const deviceCode = randomToken('');
      const tokenName =
        body.token_name ??
        `${body.client_name}-${new Date(now).toISOString().slice(0, 10)}-${randomInt(1e4)}`;
      let userCode = newUserCode();
      for (let tries = 0; ; tries++) {
        try {
          await store.deviceCodes.create({
            deviceCodeHash: sha256(deviceCode),
            userCode,
            clientName: body.client_name,
            tokenName,
            scopes: asked,
            createdAt: new Date(now).toISOString(),
            expiresAt: new Date(now + DEVICE_CODE_TTL_SEC * 1000).toISOString(),
          });
          break;
        } catch (err) {
          // A user code still pending elsewhere (one in 25 billion): draw another.
          if (tries >= 3) throw err;
          userCode = newUserCode();
        }
      }
      const base = baseUrl(req, deps);
      return {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: `${base}/device-login`,
        token_uri: `${base}/api/device-login/token`,
        token_name: tokenName,
        expires_in: DEVICE_CODE_TTL_SEC,
        interval: 5,
      };
    },
  );

  route(
    { method: 'POST', url: '/api/device-login/token', permission: 'public', body: DeviceTokenRequest },
    async ({ body, req, reply }): Promise<DeviceToken> => {
      const hash = sha256(body.code);
      const at = new Date();
      const rec = await store.deviceCodes.poll(hash, at.toISOString());
      if (!rec)
        throw pollFailure('authorization_expired', 'unknown or expired device code: start the login again');
      if (rec.expiresAt <= at.toISOString()) {
        await store.deviceCodes.remove(hash);
        throw pollFailure('authorization_expired', 'the device code expired before anyone approved it');
      }
      if (rec.deniedAt) {
        await store.deviceCodes.remove(hash);
        throw pollFailure('authorization_denied', 'the login was denied in the browser');
      }
      if (!rec.approvedAt) {
        if (rec.lastPollAt && at.getTime() - Date.parse(rec.lastPollAt) < MIN_POLL_INTERVAL_MS) {
          // RFC 8628's slow_down, with 429 so a client that ignores `detail` still backs off.
          await reply.code(429).send({
            error: 'polling too fast: wait 5 seconds between polls',
            code: 'bad_request',
            detail: 'slow_down',
            requestId: req.id,
          });
          return reply as unknown as DeviceToken;
        }
        throw pollFailure('authorization_pending', 'waiting for a person to approve this login');
      }
      const taken = await store.deviceCodes.takeApproved(hash);
      if (!taken?.approvedBy)
        throw pollFailure(
          'authorization_expired',
          'this device code was already used: start the login again',
        );
      const scope = scopeOf(taken);
      const t = await auth.createToken(taken.approvedBy, taken.tokenName, scope);
      const approver = await store.getUser(taken.approvedBy);
      await recordAudit(store, {
        action: 'token.created',
        req,
        actor: { id: taken.approvedBy, name: approver?.name ?? null, kind: 'session' },
        target: t.id,
        detail: { via: 'device-login', client: taken.clientName, name: taken.tokenName, scope },
      });
      return { access_token: t.token, token_name: taken.tokenName, scope };
    },
  );

  const pending = async (typed: string): Promise<DeviceCodeRecord> => {
    const rec = await store.deviceCodes.byUserCode(normalizeUserCode(typed));
    if (!rec || rec.expiresAt <= new Date().toISOString() || rec.approvedAt || rec.deniedAt)
      throw new ApiFailure(
        'not_found',
        `no pending device login with code ${typed}`,
        'codes expire after 15 minutes and work once: start the login again on the device',
      );
    return rec;
  };

  route(
    { method: 'GET', url: '/api/device-login/request', permission: 'signed-in', query: LookupQuery },
    async ({ query, auth: who }): Promise<DeviceLoginRequest> => {
      mustApprove(who);
      const rec = await pending(query.code);
      return {
        user_code: rec.userCode,
        client_name: rec.clientName,
        token_name: rec.tokenName,
        scopes: rec.scopes,
        scope: scopeOf(rec),
        expires_at: rec.expiresAt,
      };
    },
  );

  for (const [verb, action] of [
    ['approve', 'device.approved'],
    ['deny', 'device.denied'],
  ] as const) {
    route(
      { method: 'POST', url: `/api/device-login/${verb}`, permission: 'signed-in', body: UserCodeBody },
      async ({ body, auth: who, req }) => {
        const me = mustApprove(who);
        const rec = await pending(body.user_code);
        const at = new Date().toISOString();
        const done =
          verb === 'approve'
            ? await store.deviceCodes.approve(rec.userCode, me.user.id, at)
            : await store.deviceCodes.deny(rec.userCode, at);
        if (!done) throw new ApiFailure('not_found', `no pending device login with code ${body.user_code}`);
        await recordAudit(store, {
          action,
          req,
          target: rec.userCode,
          detail: { client: rec.clientName, name: rec.tokenName, scope: scopeOf(rec) },
        });
        return { ok: true, token_name: rec.tokenName, scope: scopeOf(rec) };
      },
    );
  }
}
