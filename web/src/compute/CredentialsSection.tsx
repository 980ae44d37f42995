import { useState, type FormEvent } from 'react';
import { type CredentialKind, type CredentialTest } from '../../../src/contracts/compute.js';
import { insightsApi } from '../api-insights.js';
import { ApiFailure } from '../api-error.js';
import { useAsync } from '../use-async.js';
import { ErrorBanner, ErrorState, Skeleton } from '../ui/States.js';
import { relativeTime } from '../ui/time.js';
import { KIND_NAMES, SECRET_FIELDS, toSecret } from './secret-fields.js';
import { announceChange, useOnChange } from './settings-changed.js';
import './compute.css';

const KINDS: CredentialKind[] = ['aws', 'gcp', 'azure', 'kubernetes', 'ssh'];
type TestState = { state: 'running' } | ({ state: 'done' } & CredentialTest);

export function CredentialsSection() {
  const list = useAsync(() => insightsApi.credentials().then((r) => r.credentials), 'compute-credentials');
  const [kind, setKind] = useState<CredentialKind>('aws');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [tried, setTried] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const { secret, errors } = toSecret(kind, values);
  useOnChange('credentials', list.reload);

  const add = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!secret || !name.trim()) return;
    setError(null);
    insightsApi.putCredential({ name: name.trim(), secret }).then((c) => {
      setSaved(c.name);
      setValues({});
      setName('');
      setTried(false);
      announceChange('credentials');
    }, setError);
  };
  const test = (n: string) => {
    setTests((t) => ({ ...t, [n]: { state: 'running' } }));
    insightsApi.testCredential(n).then(
      (r) => setTests((t) => ({ ...t, [n]: { state: 'done', ...r } })),
      (err: unknown) =>
        setTests((t) => ({
          ...t,
          [n]: {
            state: 'done',
            ok: false,
            call: '',
            detail: String(err instanceof Error ? err.message : err),
          },
        })),
    );
  };
  const remove = (n: string) => {
    if (!window.confirm(`Remove the credential "${n}"?`)) return;
    insightsApi.removeCredential(n).then(() => announceChange('credentials'), setError);
  };

  const forbidden = list.error instanceof ApiFailure && list.error.status === 403;
  return (
    <section className="card" aria-label="Credentials">
      <h2>Credentials</h2>
      <p className="muted">
        Cloud, cluster and SSH secrets for compute profiles. Encrypted at rest and never shown again.
      </p>
      {forbidden ? (
        <p className="muted">Only admins can see and manage credentials.</p>
      ) : list.data === undefined && list.error ? (
        <ErrorState title="Could not load credentials" error={list.error} onRetry={list.reload} />
      ) : list.data === undefined ? (
        <Skeleton rows={2} columns={4} />
      ) : list.data.length === 0 ? (
        <p className="muted">No credentials yet.</p>
      ) : (
        <table className="list-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Identifies as</th>
              <th>Updated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((c) => {
              const t = tests[c.name];
              return (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{KIND_NAMES[c.kind]}</td>
                  <td className="mono truncate">
                    {c.summary}
                    {t?.state === 'done' && (
                      <div className={t.ok ? 'cred-ok' : 'cred-fail'} title={t.call}>
                        {t.ok ? '✓ ' : '✗ '}
                        {t.detail}
                      </div>
                    )}
                  </td>
                  <td title={c.updatedAt}>{relativeTime(c.updatedAt)}</td>
                  <td className="actions">
                    <button
                      className="btn btn-sm"
                      disabled={t?.state === 'running'}
                      onClick={() => test(c.name)}
                    >
                      {t?.state === 'running' ? 'Testing…' : 'Test'}
                    </button>
                    <button
                      className="btn btn-danger btn-sm"
                      aria-label={`Remove credential ${c.name}`}
                      onClick={() => remove(c.name)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {!forbidden && (
        <form className="compute-form" onSubmit={add} aria-label="Add a credential">
          <h3>Add a credential</h3>
          <div className="compute-row">
            <label>
              Name
              <input
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder="aws-prod"
                maxLength={64}
              />
            </label>
            <label>
              Kind
              <select
                value={kind}
                onChange={(e) => setKind(KINDS.find((k) => k === e.target.value) ?? 'aws')}
              >
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_NAMES[k]}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="compute-fields">
            {SECRET_FIELDS[kind].map((f) => {
              const err = tried ? errors[f.key] : undefined;
              const props = {
                value: values[f.key] ?? '',
                onChange: (e: { target: { value: string } }) =>
                  setValues((v) => ({ ...v, [f.key]: e.target.value })),
                autoComplete: 'off',
                spellCheck: false,
              };
              return (
                <label key={f.key} className={f.multiline ? 'compute-wide' : undefined}>
                  {f.label}
                  {f.optional && <span className="muted"> (optional)</span>}
                  {f.multiline ? (
                    <textarea rows={5} {...props} />
                  ) : (
                    <input type={f.password ? 'password' : 'text'} {...props} />
                  )}
                  {err && <span className="wz-error">{err}</span>}
                </label>
              );
            })}
          </div>
          <button className="btn btn-primary" disabled={!name.trim()}>
            Save credential
          </button>
          {saved && (
            <span className="muted compute-saved">Saved “{saved}”. The secret will not be shown again.</span>
          )}
          <ErrorBanner error={error} onClose={() => setError(null)} />
        </form>
      )}
    </section>
  );
}
