import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, InvitesTable, SsoProvidersTable, TeamRole, UsersTable } from './schema.js';

/** A person as sign-in sees them (the password hash never leaves the server). */
export interface SignInUser {
  id: string;
  name: string;
  role: 'admin' | 'user';
  email: string | null;
  passwordHash: string | null;
  disabledAt: string | null;
}

export interface InviteRecord {
  id: string;
  name: string;
  email: string | null;
  teamId: string;
  teamName: string;
  role: TeamRole;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
}

export interface SsoProviderRecord {
  id: string;
  kind: 'oidc' | 'github' | 'gitlab';
  displayName: string;
  configJson: string;
  secretEnc: string;
  createdAt: string;
  updatedAt: string;
}

/** Who a first sign-in creates, and where they join. */
export interface NewPerson {
  id: string;
  name: string;
  email: string | null;
  passwordHash: string | null;
  teamId: string;
  role: TeamRole;
  identity?: { provider: string; subject: string; email: string | null };
}

export interface IdentityStore {
  userByName(name: string): Promise<SignInUser | null>;
  userById(id: string): Promise<SignInUser | null>;
  setPassword(userId: string, hash: string): Promise<void>;
  teamByIdOrName(ref: string): Promise<{ id: string; name: string } | null>;
  roleInTeam(teamId: string, userId: string): Promise<TeamRole | null>;

  createInvite(i: {
    id: string;
    tokenHash: string;
    name: string;
    email: string | null;
    teamId: string;
    role: TeamRole;
    createdBy: string;
    expiresAt: string;
  }): Promise<InviteRecord>;
  /** Pending (not accepted, revoked or expired) invites, of the given teams or all. */
  pendingInvites(at: string, teamIds?: readonly string[]): Promise<InviteRecord[]>;
  inviteById(id: string): Promise<InviteRecord | null>;
  inviteByTokenHash(tokenHash: string): Promise<InviteRecord | null>;
  /** A pending invite for this e-mail (case-insensitive), newest first. */
  pendingInviteByEmail(email: string, at: string): Promise<InviteRecord | null>;
  revokeInvite(id: string, at: string): Promise<boolean>;
  /**
   * Accepts a pending invite by creating its person (and identity) in one transaction; false
   * when the invite was used, revoked or expired meanwhile (a second accept of the same link).
   */
  acceptInvite(inviteId: string, person: NewPerson, at: string): Promise<boolean>;
  /** Creates a person allowed by an SSO rule (domain or group): user, membership, identity. */
  createPerson(person: NewPerson, at: string): Promise<void>;
  userOfIdentity(provider: string, subject: string): Promise<SignInUser | null>;
  touchIdentity(provider: string, subject: string, at: string): Promise<void>;

  listProviders(): Promise<SsoProviderRecord[]>;
  getProvider(id: string): Promise<SsoProviderRecord | null>;
  putProvider(p: Omit<SsoProviderRecord, 'createdAt' | 'updatedAt'>, at: string): Promise<void>;
  deleteProvider(id: string): Promise<boolean>;
}

function toUser(r: Selectable<UsersTable>): SignInUser {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    email: r.email,
    passwordHash: r.password_hash,
    disabledAt: r.disabled_at,
  };
}

function toInvite(r: Selectable<InvitesTable> & { team_name: string }): InviteRecord {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    teamId: r.team_id,
    teamName: r.team_name,
    role: r.role,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    acceptedAt: r.accepted_at,
    revokedAt: r.revoked_at,
  };
}

function toProvider(r: Selectable<SsoProvidersTable>): SsoProviderRecord {
  return {
    id: r.id,
    kind: r.kind,
    displayName: r.display_name,
    configJson: r.config_json,
    secretEnc: r.secret_enc,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Invites, passwords, SSO identities and providers, over the tables of migration 007. */
export class KyselyIdentityStore implements IdentityStore {
  constructor(private readonly db: Kysely<Database>) {}

  private invites(db: Kysely<Database> | Transaction<Database> = this.db) {
    return db
      .selectFrom('invites')
      .innerJoin('teams', 'teams.id', 'invites.team_id')
      .selectAll('invites')
      .select('teams.name as team_name');
  }

  async userByName(name: string): Promise<SignInUser | null> {
    const r = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async userById(id: string): Promise<SignInUser | null> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async setPassword(userId: string, hash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
  }

  async teamByIdOrName(ref: string): Promise<{ id: string; name: string } | null> {
    const r = await this.db
      .selectFrom('teams')
      .select(['id', 'name'])
      .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
      .executeTakeFirst();
    return r ?? null;
  }

  async roleInTeam(teamId: string, userId: string): Promise<TeamRole | null> {
    const r = await this.db
      .selectFrom('team_members')
      .select('role')
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r?.role ?? null;
  }

  async createInvite(i: Parameters<IdentityStore['createInvite']>[0]): Promise<InviteRecord> {
    await this.db
      .insertInto('invites')
      .values({
        id: i.id,
        token_hash: i.tokenHash,
        name: i.name,
        email: i.email,
        team_id: i.teamId,
        role: i.role,
        created_by: i.createdBy,
        created_at: new Date().toISOString(),
        expires_at: i.expiresAt,
        accepted_at: null,
        accepted_by: null,
        revoked_at: null,
      })
      .execute();
    const made = await this.inviteById(i.id);
    if (!made) throw new Error('the invite just made is gone');
    return made;
  }

  async pendingInvites(at: string, teamIds?: readonly string[]): Promise<InviteRecord[]> {
    if (teamIds && teamIds.length === 0) return [];
    let q = this.invites()
      .where('invites.accepted_at', 'is', null)
      .where('invites.revoked_at', 'is', null)
      .where('invites.expires_at', '>', at);
    if (teamIds) q = q.where('invites.team_id', 'in', teamIds);
    const rows = await q.orderBy('invites.created_at', 'desc').execute();
    return rows.map(toInvite);
  }

  async inviteById(id: string): Promise<InviteRecord | null> {
    const r = await this.invites().where('invites.id', '=', id).executeTakeFirst();
    return r ? toInvite(r) : null;
  }

  async inviteByTokenHash(tokenHash: string): Promise<InviteRecord | null> {
    const r = await this.invites().where('invites.token_hash', '=', tokenHash).executeTakeFirst();
    return r ? toInvite(r) : null;
  }

  async pendingInviteByEmail(email: string, at: string): Promise<InviteRecord | null> {
    const r = await this.invites()
      .where((eb) => eb(eb.fn('lower', ['invites.email']), '=', email.toLowerCase()))
      .where('invites.accepted_at', 'is', null)
      .where('invites.revoked_at', 'is', null)
      .where('invites.expires_at', '>', at)
      .orderBy('invites.created_at', 'desc')
      .executeTakeFirst();
    return r ? toInvite(r) : null;
  }

  async revokeInvite(id: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('invites')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async acceptInvite(inviteId: string, person: NewPerson, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      // The conditional update is the claim: of two accepts of one link, one updates a row.
      const claimed = await tx
        .updateTable('invites')
        .set({ accepted_at: at, accepted_by: person.id })
        .where('id', '=', inviteId)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return false;
      await insertPerson(tx, person, at);
      return true;
    });
  }

  async createPerson(person: NewPerson, at: string): Promise<void> {
    await this.db.transaction().execute((tx) => insertPerson(tx, person, at));
  }

  async userOfIdentity(provider: string, subject: string): Promise<SignInUser | null> {
    const r = await this.db
      .selectFrom('identities')
      .innerJoin('users', 'users.id', 'identities.user_id')
      .selectAll('users')
      .where('identities.provider', '=', provider)
      .where('identities.subject', '=', subject)
      .executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async touchIdentity(provider: string, subject: string, at: string): Promise<void> {
    await this.db
      .updateTable('identities')
      .set({ last_login_at: at })
      .where('provider', '=', provider)
      .where('subject', '=', subject)
      .execute();
  }

  async listProviders(): Promise<SsoProviderRecord[]> {
    const rows = await this.db.selectFrom('sso_providers').selectAll().orderBy('created_at').execute();
    return rows.map(toProvider);
  }

  async getProvider(id: string): Promise<SsoProviderRecord | null> {
    const r = await this.db.selectFrom('sso_providers').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toProvider(r) : null;
  }

  async putProvider(p: Omit<SsoProviderRecord, 'createdAt' | 'updatedAt'>, at: string): Promise<void> {
    const values = {
      kind: p.kind,
      display_name: p.displayName,
      config_json: p.configJson,
      secret_enc: p.secretEnc,
      updated_at: at,
    };
    await this.db
      .insertInto('sso_providers')
      .values({ id: p.id, ...values, created_at: at })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  async deleteProvider(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('sso_providers').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

async function insertPerson(tx: Transaction<Database>, p: NewPerson, at: string): Promise<void> {
  await tx
    .insertInto('users')
    .values({
      id: p.id,
      name: p.name,
      role: 'user',
      created_at: at,
      email: p.email,
      password_hash: p.passwordHash,
      disabled_at: null,
    })
    .execute();
  await tx
    .insertInto('team_members')
    .values({ team_id: p.teamId, user_id: p.id, role: p.role, created_at: at })
    .execute();
  if (p.identity)
    await tx
      .insertInto('identities')
      .values({
        provider: p.identity.provider,
        subject: p.identity.subject,
        user_id: p.id,
        email: p.identity.email,
        created_at: at,
        last_login_at: at,
      })
      .execute();
}
