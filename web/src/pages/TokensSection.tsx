import { useState, type FormEvent } from 'react';
import type { CreatedToken } from '../../../src/contracts/api.js';
import type { TokenScope } from '../../../src/contracts/teams.js';
import { api } from '../api.js';
import { useAsync } from '../use-async.js';
import { ErrorBanner, ErrorState, Skeleton } from '../ui/States.js';
import { relativeTime } from '../ui/time.js';

export function TokensSection() {
  const tokens = useAsync(() => api.tokens().then((r) => r.tokens), 'tokens');
  const [name, setName] = useState('');
  const [scope, setScope] = useState<TokenScope>('read');
  const [projects, setProjects] = useState('');
  const [days, setDays] = useState('');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState(false);

  const create = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const only = projects
      .split(/[\s,]+/)
      .map((p) => p.trim())
      .filter(Boolean);
    api
      .createToken({
        name: name.trim(),
        scope,
        ...(only.length ? { projects: only } : {}),
        ...(Number(days) > 0 ? { expiresInDays: Math.round(Number(days)) } : {}),
      })
      .then(
        (t) => {
          setCreated(t);
          setCopied(false);
          setName('');
          tokens.reload();
        },
        (err: unknown) => setError(err),
      );
  };
  const revoke = (id: string, tokenName: string) => {
    if (!window.confirm(`Revoke the token "${tokenName}"? Scripts using it stop working.`)) return;
    api.revokeToken(id).then(
      () => tokens.setData((l) => l?.filter((t) => t.id !== id)),
      (err: unknown) => setError(err),
    );
  };
  const copy = (secret: string) => {
    void navigator.clipboard?.writeText(secret).then(() => setCopied(true));
  };

  return (
    <section className="card">
      <h2>Access tokens</h2>
      <p className="muted">
        For scripts and the CLI: <code>Authorization: token …</code> or <code>KILN_TOKEN</code>.
      </p>
      <form className="inline-form" onSubmit={create}>
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Token name, e.g. ci-runner"
          maxLength={100}
        />
        <select aria-label="Scope" value={scope} onChange={(e) => setScope(e.target.value as TokenScope)}>
          <option value="read">read — see projects</option>
          <option value="run">run — also run experiments</option>
          <option value="live">live — post live metrics only (DVC_STUDIO_TOKEN)</option>
          <option value="admin">admin — all you may do</option>
        </select>
        <input
          value={projects}
          onChange={(e) => setProjects(e.target.value)}
          placeholder="Only these projects (optional)"
          aria-label="Projects"
        />
        <input
          value={days}
          onChange={(e) => setDays(e.target.value)}
          placeholder="Expires in days (optional)"
          aria-label="Expires in days"
          inputMode="numeric"
        />
        <button className="btn btn-primary" disabled={!name.trim()}>
          Create token
        </button>
      </form>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {created && (
        <div className="secret" role="status">
          <div>
            <b>{created.name}</b>: copy it now — it is shown only once.
          </div>
          <div className="secret-row">
            <code className="secret-value">{created.token}</code>
            <button className="btn btn-sm" onClick={() => copy(created.token)}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button className="btn btn-ghost btn-sm" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {tokens.data === undefined && tokens.error ? (
        <ErrorState title="Could not load tokens" error={tokens.error} onRetry={tokens.reload} />
      ) : tokens.data === undefined ? (
        <Skeleton rows={2} columns={4} />
      ) : tokens.data.length === 0 ? (
        <p className="muted">No tokens yet.</p>
      ) : (
        <table className="list-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Scope</th>
              <th>Projects</th>
              <th>Expires</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td className="mono">{t.scope}</td>
                <td>{t.projects?.join(', ') ?? <span className="muted">all yours</span>}</td>
                <td title={t.expiresAt ?? ''}>
                  {t.expiresAt ? (
                    new Date(t.expiresAt).toLocaleDateString()
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td title={t.createdAt}>{relativeTime(t.createdAt)}</td>
                <td title={t.lastUsedAt ?? ''}>
                  {t.lastUsedAt ? relativeTime(t.lastUsedAt) : <span className="muted">never</span>}
                </td>
                <td className="actions">
                  <button className="btn btn-danger btn-sm" onClick={() => revoke(t.id, t.name)}>
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
