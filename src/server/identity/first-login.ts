import type { SignInUser } from '../../store/kysely-identity.js';
import type { Store } from '../../store/port.js';
import type { InviteService } from './invites.js';
import type { ResolvedProvider } from './sso-providers.js';

/** Who the provider says signed in. */
export interface ExternalPerson {
  subject: string;
  email: string | null;
  /** Only a verified address is matched against invites and allowed domains. */
  emailVerified: boolean;
  groups: string[];
  /** A name to offer when Kiln creates the user (preferred_username, login, e-mail's local part). */
  preferredName: string | null;
}

/** A refusal a person can read on the sign-in page. */
export class SignInRefused extends Error {}

function baseName(p: ExternalPerson): string {
  const raw = p.preferredName ?? p.email?.split('@')[0] ?? 'user';
  const clean = raw
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 50);
  return clean || 'user';
}

async function freeName(store: Store, base: string): Promise<string> {
  for (let i = 1; i < 100; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (!(await store.identity.userByName(name))) return name;
  }
  return `${base}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * The Kiln user for a provider's sign-in: the one already linked to this identity; else the
 * invite the person followed (or a pending invite for their verified e-mail); else a new user
 * when the provider's rules allow their e-mail domain or one of their groups. Everyone else is
 * refused with words saying why.
 */
export async function userForSignIn(
  store: Store,
  invites: InviteService,
  provider: ResolvedProvider,
  person: ExternalPerson,
  inviteToken: string | null,
): Promise<{ user: SignInUser; how: 'known' | 'invite' | 'rule' }> {
  const at = new Date().toISOString();
  const linked = await store.identity.userOfIdentity(provider.id, person.subject);
  if (linked) {
    if (linked.disabledAt) throw new SignInRefused(`the account ${linked.name} is disabled: ask an admin`);
    await store.identity.touchIdentity(provider.id, person.subject, at);
    return { user: linked, how: 'known' };
  }
  const identity = { provider: provider.id, subject: person.subject, email: person.email };
  const verifiedEmail = person.emailVerified ? person.email : null;

  const invite = inviteToken
    ? await invites.open(inviteToken).catch(() => {
        throw new SignInRefused(
          'this invite link is invalid, expired, revoked or already used: ask for a new one',
        );
      })
    : verifiedEmail
      ? await store.identity.pendingInviteByEmail(verifiedEmail, at)
      : null;
  if (invite) return { user: (await invites.accept(invite, { identity })).user, how: 'invite' };

  const domain = verifiedEmail?.split('@')[1]?.toLowerCase();
  const byDomain =
    domain !== undefined && provider.config.allowedDomains.some((d) => d.toLowerCase() === domain);
  const byGroup = person.groups.some((g) => provider.config.allowedGroups.includes(g));
  if (!byDomain && !byGroup) {
    const who = person.email ?? person.preferredName ?? person.subject;
    throw new SignInRefused(
      `${who} may not sign in to Kiln with ${provider.displayName}: ask an admin for an invite` +
        (person.email && !person.emailVerified
          ? ` (the provider did not say ${person.email} is verified)`
          : ''),
    );
  }
  const id = crypto.randomUUID();
  await store.identity.createPerson(
    {
      id,
      name: await freeName(store, baseName(person)),
      email: verifiedEmail,
      passwordHash: null,
      teamId: provider.config.team,
      role: provider.config.role,
      identity,
    },
    at,
  );
  const user = await store.identity.userById(id);
  if (!user) throw new Error('the user just created is gone');
  return { user, how: 'rule' };
}
