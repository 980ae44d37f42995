import { useState, type FormEvent } from 'react';
import type { SsoProviderKind, TeamRole } from '../../../src/contracts/identity.js';
import { ApiFailure } from '../api-error.js';
import { identityApi } from '../api-identity.js';
import { useAsync } from '../use-async.js';
import { ErrorBanner, ErrorState, Skeleton } from '../ui/States.js';

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean);

/**
 * Settings → Sign-in providers (admins): OpenID Connect, GitHub, GitLab. The client secret is
 * write-only: the page says whether one is set, never what it is.
 */
export function SsoProvidersSection() {
  const providers = useAsync(() => identityApi.ssoProviders().then((r) => r.providers), 'sso-providers');
  const [id, setId] = useState('');
  const [kind, setKind] = useState<SsoProviderKind>('oidc');
  const [displayName, setDisplayName] = useState('');
  const [issuer, setIssuer] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [domains, setDomains] = useState('');
  const [groups, setGroups] = useState('');
  const [team, setTeam] = useState('default');
  const [role, setRole] = useState<TeamRole>('member');
  const [error, setError] = useState<unknown>(null);

  // Only admins may see this section: for anyone else the server says 403 and it stays hidden.
  if (providers.error instanceof ApiFailure && providers.error.status === 403) return null;

  const save = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    identityApi
      .putSsoProvider({
        id: id.trim(),
        kind,
        displayName: displayName.trim(),
        ...(issuer.trim() ? { issuer: issuer.trim() } : {}),
        clientId: clientId.trim(),
        ...(clientSecret ? { clientSecret } : {}),
        allowedDomains: list(domains),
        allowedGroups: list(groups),
        groupsClaim: 'groups',
        team: team.trim(),
        role,
      })
      .then(
        () => {
          setClientSecret('');
          providers.reload();
        },
        (err: unknown) => setError(err),
      );
  };
  const edit = (p: NonNullable<typeof providers.data>[number]) => {
    setId(p.id);
    setKind(p.kind);
    setDisplayName(p.displayName);
    setIssuer(p.issuer ?? '');
    setClientId(p.clientId);
    setClientSecret('');
    setDomains(p.allowedDomains.join(', '));
    setGroups(p.allowedGroups.join(', '));
    setTeam(p.team);
    setRole(p.role);
  };
  const remove = (pid: string) => {
    if (
      !window.confirm(`Remove the sign-in provider ${pid}? People who sign in only with it cannot sign in.`)
    )
      return;
    identityApi.deleteSsoProvider(pid).then(
      () => providers.setData((l) => l?.filter((p) => p.id !== pid)),
      (err: unknown) => setError(err),
    );
  };

  return (
    <section className="card" aria-labelledby="sso-title">
      <h2 id="sso-title">Sign-in providers</h2>
      <p className="muted">
        Single sign-on with OpenID Connect, GitHub or GitLab. Register the callback URL shown below at the
        provider. A first sign-in creates the person only if they have a pending invite, or their verified
        e-mail domain or IdP group is allowed here.
      </p>
      {providers.data === undefined && providers.error ? (
        <ErrorState title="Could not load providers" error={providers.error} onRetry={providers.reload} />
      ) : providers.data === undefined ? (
        <Skeleton rows={1} columns={4} />
      ) : providers.data.length === 0 ? (
        <p className="muted">No providers: people sign in with a password.</p>
      ) : (
        <table className="list-table" aria-label="Sign-in providers">
          <thead>
            <tr>
              <th>Provider</th>
              <th>Callback URL</th>
              <th>Lets in</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {providers.data.map((p) => (
              <tr key={p.id}>
                <td>
                  {p.displayName} <span className="muted">({p.kind})</span>
                  {!p.hasSecret && <span className="muted"> no secret</span>}
                </td>
                <td className="mono truncate" title={p.callbackUrl}>
                  {p.callbackUrl}
                </td>
                <td>
                  {[
                    ...p.allowedDomains.map((d) => `@${d}`),
                    ...p.allowedGroups.map((g) => `group ${g}`),
                  ].join(', ') || 'invited people only'}{' '}
                  <span className="muted">
                    → {p.team}, {p.role}
                  </span>
                </td>
                <td className="actions">
                  <button className="btn btn-sm" onClick={() => edit(p)}>
                    Edit
                  </button>
                  <button className="btn btn-danger btn-sm" onClick={() => remove(p.id)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="stack-form" onSubmit={save} aria-label="Add or update a sign-in provider">
        <div className="field-row">
          <label className="field">
            <span>Id</span>
            <input value={id} onChange={(e) => setId(e.target.value)} placeholder="corp" />
          </label>
          <label className="field">
            <span>Kind</span>
            <select value={kind} onChange={(e) => setKind(e.target.value as SsoProviderKind)}>
              <option value="oidc">OpenID Connect</option>
              <option value="github">GitHub</option>
              <option value="gitlab">GitLab</option>
            </select>
          </label>
          <label className="field grow">
            <span>Button text</span>
            <input
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
              placeholder="Corp SSO"
            />
          </label>
        </div>
        <label className="field">
          <span>{kind === 'oidc' ? 'Issuer URL' : 'Base URL (leave empty for github.com / gitlab.com)'}</span>
          <input
            value={issuer}
            onChange={(e) => setIssuer(e.target.value)}
            placeholder="https://login.example.com"
          />
        </label>
        <div className="field-row">
          <label className="field grow">
            <span>Client id</span>
            <input value={clientId} onChange={(e) => setClientId(e.target.value)} />
          </label>
          <label className="field grow">
            <span>Client secret</span>
            <input
              type="password"
              autoComplete="off"
              value={clientSecret}
              onChange={(e) => setClientSecret(e.target.value)}
              placeholder={
                providers.data?.some((p) => p.id === id && p.hasSecret) ? 'set (leave empty to keep)' : ''
              }
            />
          </label>
        </div>
        <div className="field-row">
          <label className="field grow">
            <span>Allowed e-mail domains</span>
            <input value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="example.com" />
          </label>
          <label className="field grow">
            <span>Allowed IdP groups</span>
            <input value={groups} onChange={(e) => setGroups(e.target.value)} placeholder="ml-team" />
          </label>
        </div>
        <div className="field-row">
          <label className="field grow">
            <span>They join team</span>
            <input value={team} onChange={(e) => setTeam(e.target.value)} />
          </label>
          <label className="field">
            <span>As</span>
            <select value={role} onChange={(e) => setRole(e.target.value as TeamRole)}>
              {(['viewer', 'member', 'maintainer', 'owner'] as const).map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorBanner error={error} onClose={() => setError(null)} />
        <button className="btn btn-primary" disabled={!id.trim() || !displayName.trim() || !clientId.trim()}>
          Save provider
        </button>
      </form>
    </section>
  );
}
