import { useState, type FormEvent } from 'react';
import type { CreatedInvite, TeamRole } from '../../../src/contracts/identity.js';
import { identityApi } from '../api-identity.js';
import { useAsync } from '../use-async.js';
import { ErrorBanner, ErrorState, Skeleton } from '../ui/States.js';
import { relativeTime } from '../ui/time.js';
import { teamsApi } from '../api-teams.js';
import { useIsAdmin } from '../me-context.js';

const ROLES: TeamRole[] = ['viewer', 'member', 'maintainer', 'owner'];

/** Settings → Invites: invite a person (the link shown once to copy), pending invites, revoke. */
export function InvitesSection() {
  const invites = useAsync(() => identityApi.invites().then((r) => r.invites), 'invites');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const admin = useIsAdmin();
  // The teams the caller may invite into: every team for an instance admin, else those they own.
  const teams = useAsync(() => teamsApi.teams().then((r) => r.teams), 'invite-teams');
  const invitable = (teams.data ?? []).filter((t) => admin || t.role === 'owner').map((t) => t.name);
  const [chosen, setTeam] = useState<string | null>(null);
  const team =
    chosen !== null && invitable.includes(chosen)
      ? chosen
      : invitable.includes('default')
        ? 'default'
        : (invitable[0] ?? '');
  const cannot =
    teams.data !== undefined && invitable.length === 0
      ? 'only owners of a team can invite people into it — you own no team'
      : undefined;
  const [role, setRole] = useState<TeamRole>('member');
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const create = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    identityApi
      .createInvite({
        name: name.trim(),
        team,
        role,
        ...(email.trim() ? { email: email.trim() } : {}),
      })
      .then(
        (inv) => {
          setCreated(inv);
          setCopied(false);
          setName('');
          setEmail('');
          invites.reload();
        },
        (err: unknown) => setError(err),
      );
  };
  const revoke = (id: string, who: string) => {
    if (!window.confirm(`Revoke the invite for ${who}? The link stops working.`)) return;
    identityApi.revokeInvite(id).then(
      () => invites.setData((l) => l?.filter((i) => i.id !== id)),
      (err: unknown) => setError(err),
    );
  };

  return (
    <section className="card" aria-labelledby="invites-title">
      <h2 id="invites-title">Invites</h2>
      <p className="muted">Invite a person into a team: they get a one-time link, valid 7 days.</p>
      <form className="inline-form" onSubmit={create}>
        <input
          aria-label="User name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="User name"
          maxLength={64}
        />
        <input
          aria-label="E-mail (optional)"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="E-mail (optional)"
        />
        <select
          aria-label="Team"
          value={team}
          onChange={(e) => setTeam(e.target.value)}
          disabled={invitable.length === 0}
          title={cannot}
        >
          {invitable.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value as TeamRole)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button className="btn btn-primary" disabled={!name.trim() || !team} title={cannot}>
          Create invite
        </button>
      </form>
      {cannot && (
        <p className="muted" role="note">
          {cannot}.
        </p>
      )}
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {created && (
        <div className="secret" role="status">
          <div>
            Invite link for <b>{created.name}</b> ({created.teamName}, {created.role}): copy it now — it is
            shown only once.
          </div>
          <div className="secret-row">
            <code className="secret-value" aria-label="Invite link">
              {created.url}
            </code>
            <button
              className="btn btn-sm"
              onClick={() => void navigator.clipboard?.writeText(created.url).then(() => setCopied(true))}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button className="btn btn-ghost btn-sm" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {invites.data === undefined && invites.error ? (
        <ErrorState title="Could not load invites" error={invites.error} onRetry={invites.reload} />
      ) : invites.data === undefined ? (
        <Skeleton rows={2} columns={4} />
      ) : invites.data.length === 0 ? (
        <p className="muted">No pending invites.</p>
      ) : (
        <table className="list-table" aria-label="Pending invites">
          <thead>
            <tr>
              <th>Name</th>
              <th>Team</th>
              <th>Role</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {invites.data.map((i) => (
              <tr key={i.id}>
                <td>
                  {i.name}
                  {i.email && <span className="muted"> {i.email}</span>}
                </td>
                <td>{i.teamName}</td>
                <td>{i.role}</td>
                <td title={i.expiresAt}>{relativeTime(i.expiresAt)}</td>
                <td className="actions">
                  <button className="btn btn-danger btn-sm" onClick={() => revoke(i.id, i.name)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
