import type { CreateInviteBody, CreatedInvite, Invite, InviteInfo } from '../../contracts/identity.js';
import type { InviteRecord, SignInUser } from '../../store/kysely-identity.js';
import type { Store } from '../../store/port.js';
import { ApiFailure } from '../api-error.js';
import type { Auth } from '../auth.js';
import { randomToken, sha256 } from '../secrets.js';
import { hashPassword, passwordProblem } from './passwords.js';

/** How long an invite link works. */
export const INVITE_DAYS = 7;

const GONE = 'this invite link is invalid, expired, revoked or already used: ask for a new one';

export function toInvite(r: InviteRecord): Invite {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    team: r.teamId,
    teamName: r.teamName,
    role: r.role,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  };
}

function signedIn(a: Auth | null): Auth {
  if (!a) throw new ApiFailure('unauthorized', 'not logged in');
  return a;
}

/** Invites: made by an admin or the team's owner, the link shown once, only its hash kept. */
export class InviteService {
  constructor(private readonly store: Store) {}

  /** The caller may invite into (and see, revoke invites of) this team. */
  private async mayManage(a: Auth, teamId: string): Promise<boolean> {
    if (a.role === 'admin') return true;
    return (await this.store.identity.roleInTeam(teamId, a.user.id)) === 'owner';
  }

  async create(caller: Auth | null, body: CreateInviteBody, baseUrl: string): Promise<CreatedInvite> {
    const a = signedIn(caller);
    const team = await this.store.identity.teamByIdOrName(body.team);
    if (!team) throw new ApiFailure('not_found', `no team named ${body.team}`);
    if (!(await this.mayManage(a, team.id)))
      throw new ApiFailure('forbidden', `inviting into team ${team.name} needs an admin or the team's owner`);
    if (await this.store.identity.userByName(body.name))
      throw new ApiFailure(
        'conflict',
        `a user named ${body.name} already exists`,
        'add them to the team with `kiln member set TEAM USER ROLE` instead',
      );
    const token = randomToken('');
    const rec = await this.store.identity.createInvite({
      id: crypto.randomUUID(),
      tokenHash: sha256(token),
      name: body.name,
      email: body.email ?? null,
      teamId: team.id,
      role: body.role,
      createdBy: a.user.id,
      expiresAt: new Date(Date.now() + INVITE_DAYS * 86400_000).toISOString(),
    });
    return { ...toInvite(rec), url: `${baseUrl}/invite/${token}` };
  }

  /** Pending invites the caller manages: all for an admin, their teams' for a team owner. */
  async pending(caller: Auth | null): Promise<Invite[]> {
    const a = signedIn(caller);
    const at = new Date().toISOString();
    const all = await this.store.identity.pendingInvites(at);
    if (a.role === 'admin') return all.map(toInvite);
    const mine: Invite[] = [];
    for (const i of all) if (await this.mayManage(a, i.teamId)) mine.push(toInvite(i));
    return mine;
  }

  async revoke(caller: Auth | null, id: string): Promise<InviteRecord> {
    const a = signedIn(caller);
    const rec = await this.store.identity.inviteById(id);
    if (!rec || !(await this.mayManage(a, rec.teamId))) throw new ApiFailure('not_found', `no invite ${id}`);
    if (!(await this.store.identity.revokeInvite(id, new Date().toISOString())))
      throw new ApiFailure('conflict', `the invite for ${rec.name} was already accepted or revoked`);
    return rec;
  }

  /** The pending invite of a link, or a 404 that says what to do. */
  async open(token: string): Promise<InviteRecord> {
    const rec = await this.store.identity.inviteByTokenHash(sha256(token));
    const now = new Date().toISOString();
    if (!rec || rec.acceptedAt || rec.revokedAt || rec.expiresAt <= now)
      throw new ApiFailure('not_found', GONE);
    return rec;
  }

  info(rec: InviteRecord, providers: InviteInfo['providers']): InviteInfo {
    return {
      name: rec.name,
      email: rec.email,
      teamName: rec.teamName,
      role: rec.role,
      expiresAt: rec.expiresAt,
      providers,
    };
  }

  /** Sets the invitee's password and creates them in the invite's team; the link is then used up. */
  async acceptWithPassword(
    token: string,
    password: string,
  ): Promise<{ user: SignInUser; invite: InviteRecord }> {
    const rec = await this.open(token);
    const problem = passwordProblem(password, rec.name);
    if (problem) throw new ApiFailure('bad_request', problem);
    return this.accept(rec, { passwordHash: await hashPassword(password) });
  }

  /** Creates the invite's person (with a password or an SSO identity); refuses a used link. */
  async accept(
    rec: InviteRecord,
    how: { passwordHash?: string; identity?: { provider: string; subject: string; email: string | null } },
  ): Promise<{ user: SignInUser; invite: InviteRecord }> {
    if (await this.store.identity.userByName(rec.name))
      throw new ApiFailure(
        'conflict',
        `a user named ${rec.name} was created meanwhile; ask for a new invite`,
      );
    const id = crypto.randomUUID();
    const ok = await this.store.identity.acceptInvite(
      rec.id,
      {
        id,
        name: rec.name,
        email: rec.email ?? how.identity?.email ?? null,
        passwordHash: how.passwordHash ?? null,
        teamId: rec.teamId,
        role: rec.role,
        ...(how.identity ? { identity: how.identity } : {}),
      },
      new Date().toISOString(),
    );
    if (!ok) throw new ApiFailure('not_found', GONE);
    const user = await this.store.identity.userById(id);
    if (!user) throw new Error('the user just created is gone');
    return { user, invite: rec };
  }
}
