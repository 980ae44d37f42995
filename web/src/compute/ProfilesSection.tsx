import { useState, type FormEvent } from 'react';
import { ComputeKind } from '../../../src/contracts/compute.js';
import { insightsApi } from '../api-insights.js';
import { useAsync } from '../use-async.js';
import { ErrorBanner, ErrorState, Skeleton } from '../ui/States.js';
import { CREDENTIAL_KIND, PROFILE_FIELDS, profileSettings, profileSummary } from './profile-fields.js';
import { profileFormErrors, serverFieldError } from './profile-form.js';
import { announceChange, useOnChange } from './settings-changed.js';
import { ApiFailure } from '../api-error.js';
import { ADMIN_ONLY, useIsAdmin } from '../me-context.js';
import './compute.css';

/** Kinds a profile may have: runs on this server are the target local, set above, not a profile. */
const PROFILE_KINDS = ComputeKind.options.filter((k) => k !== 'local');

const money = (n: number | null | undefined) => (n === null || n === undefined ? null : `$${n.toFixed(2)}/h`);

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (text === undefined) return null;
  return (
    <span className="wz-error" id={id}>
      {text}
    </span>
  );
}

/**
 * Runs on this server (the target `local`): how many at once (an admin sets it; it is the one cap
 * of this machine, so there are no local profiles) and whether they run sandboxed.
 */
function LocalRuns({ admin }: { admin: boolean }) {
  const local = useAsync(() => insightsApi.localCompute(), 'compute-local');
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const iso = local.data?.isolation;
  const current = local.data?.concurrency;
  const value = draft ?? (current === undefined ? '' : String(current));
  const n = Number(value);
  const valid = Number.isInteger(n) && n >= 1 && n <= 64;
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    setBusy(true);
    setError(null);
    insightsApi.setLocalConcurrency(n).then(
      () => {
        setBusy(false);
        setDraft(null);
        local.reload();
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };
  return (
    <div className="local-runs" aria-label="Runs on this server" role="group">
      <h3>Runs on this server</h3>
      <form className="compute-row" onSubmit={save} aria-label="Local runs at once">
        <label>
          Runs at once (target local)
          <input
            type="number"
            min={1}
            max={64}
            value={value}
            disabled={!admin || current === undefined || busy}
            title={admin ? undefined : ADMIN_ONLY}
            aria-invalid={!valid && value !== ''}
            onChange={(e) => setDraft(e.target.value)}
          />
        </label>
        {admin && (
          <button className="btn btn-sm" disabled={!valid || draft === null || busy}>
            Save
          </button>
        )}
      </form>
      {!valid && value !== '' && <span className="wz-error">A whole number from 1 to 64.</span>}
      {error !== null && <ErrorBanner error={error} />}
      {iso && (
        <p
          className={iso.sandboxed ? 'muted' : 'isolation-warning'}
          role={iso.sandboxed ? undefined : 'alert'}
        >
          Runs on this server: {iso.detail}.
        </p>
      )}
    </div>
  );
}

export function ProfilesSection() {
  const admin = useIsAdmin();
  const list = useAsync(() => insightsApi.profiles().then((r) => r.profiles), 'compute-profiles');
  // Credentials are an instance admin's to see: nobody else asks (and gets a 403 in the console).
  const creds = useAsync(
    () =>
      admin
        ? insightsApi
            .credentials()
            .then((r) => r.credentials)
            .catch(() => [])
        : Promise.resolve([]),
    `compute-profile-creds:${String(admin)}`,
  );
  const [kind, setKind] = useState<ComputeKind>('aws');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  // Field messages show once the person tried to add; the server's, at its field, until the next try.
  const [tried, setTried] = useState(false);
  const [serverField, setServerField] = useState<{ field: string; message: string } | undefined>();
  // Credentials added or removed in the section above (or elsewhere) show here at once.
  useOnChange('credentials', creds.reload);
  useOnChange('profiles', list.reload);
  const credKind = CREDENTIAL_KIND[kind];
  const usable = (creds.data ?? []).filter((c) => c.kind === credKind);
  const errors = profileFormErrors(
    kind,
    name,
    values,
    usable.map((c) => c.name),
  );
  const fieldError = (key: string): string | undefined =>
    (tried ? errors[key] : undefined) ?? (serverField?.field === key ? serverField.message : undefined);

  const add = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setError(null);
    setServerField(undefined);
    if (Object.keys(errors).length > 0) return;
    insightsApi.createProfile({ name: name.trim(), kind, settings: profileSettings(kind, values) }).then(
      () => {
        setName('');
        setValues({});
        setTried(false);
        announceChange('profiles');
      },
      (err: unknown) => {
        const at = err instanceof ApiFailure ? serverFieldError(kind, err.message) : undefined;
        if (at) setServerField(at);
        else setError(err);
      },
    );
  };
  const remove = (n: string) => {
    if (!window.confirm(`Remove the compute profile "${n}"?`)) return;
    insightsApi.removeProfile(n).then(() => announceChange('profiles'), setError);
  };

  return (
    <section className="card" aria-label="Compute profiles">
      <h2>Compute profiles</h2>
      <p className="muted">
        Named targets with defaults and limits; users pick one in the Run form and override within its limits.
      </p>
      <LocalRuns admin={admin} />
      {list.data === undefined && list.error ? (
        <ErrorState title="Could not load compute profiles" error={list.error} onRetry={list.reload} />
      ) : list.data === undefined ? (
        <Skeleton rows={2} columns={4} />
      ) : list.data.length === 0 ? (
        <p className="muted">No profiles yet: runs use this server.</p>
      ) : (
        <table className="list-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Settings</th>
              <th>Limits</th>
              <th>Resolves to</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((p) => (
              <tr key={p.name}>
                <td>{p.name}</td>
                <td className="mono">{p.kind}</td>
                <td className="truncate">{profileSummary(p.settings)}</td>
                <td className="muted">
                  ≤ {p.limits.maxInstances} at once · {Math.round(p.limits.maxTimeoutSec / 60)} min
                  {p.limits.maxPricePerHour !== undefined && ` · ≤ ${money(p.limits.maxPricePerHour) ?? ''}`}
                </td>
                <td className="mono">
                  {p.resolved ? (
                    <>
                      {p.resolved.type} · {p.resolved.region}
                      {p.resolved.pricePerHour !== null && (
                        <span className="muted"> · {money(p.resolved.pricePerHour)}</span>
                      )}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="actions">
                  <button
                    className="btn btn-danger btn-sm"
                    aria-label={`Remove profile ${p.name}`}
                    disabled={!admin}
                    title={admin ? undefined : ADMIN_ONLY}
                    onClick={() => remove(p.name)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!admin ? (
        <p className="muted">Adding or removing a compute profile: {ADMIN_ONLY}.</p>
      ) : (
        <form className="compute-form" onSubmit={add} aria-label="Add a compute profile">
          <h3>Add a profile</h3>
          <div className="compute-row">
            <label>
              Name
              <input
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder="gpu-spot"
                maxLength={64}
                aria-invalid={fieldError('name') !== undefined}
                aria-describedby={fieldError('name') ? 'profile-error-name' : undefined}
              />
              <FieldError id="profile-error-name" text={fieldError('name')} />
            </label>
            <label>
              Kind
              <select
                value={kind}
                onChange={(e) => {
                  setKind(PROFILE_KINDS.find((k) => k === e.target.value) ?? 'aws');
                  setValues({});
                  setTried(false);
                  setServerField(undefined);
                }}
              >
                {PROFILE_KINDS.map((k) => (
                  <option key={k}>{k}</option>
                ))}
              </select>
            </label>
          </div>
          <div className="compute-fields">
            {PROFILE_FIELDS[kind].map((f) => {
              const value = values[f.key] ?? '';
              const set = (v: string) => {
                setValues((s) => ({ ...s, [f.key]: v }));
                if (serverField?.field === f.key) setServerField(undefined);
              };
              const err = fieldError(f.key);
              const id = `profile-error-${f.key}`;
              const invalid = { 'aria-invalid': err !== undefined, 'aria-describedby': err ? id : undefined };
              return (
                <label key={f.key}>
                  {f.label}
                  {f.type === 'bool' ? (
                    <select value={value} onChange={(e) => set(e.target.value)}>
                      <option value="">default</option>
                      <option value="true">yes</option>
                      <option value="false">no</option>
                    </select>
                  ) : f.type === 'credential' ? (
                    <select value={value} onChange={(e) => set(e.target.value)} {...invalid}>
                      <option value="">choose…</option>
                      {usable.map((c) => (
                        <option key={c.name}>{c.name}</option>
                      ))}
                    </select>
                  ) : (
                    <input
                      value={value}
                      placeholder={f.placeholder}
                      inputMode={f.type === 'number' ? 'decimal' : undefined}
                      onChange={(e) => set(e.target.value)}
                      {...invalid}
                    />
                  )}
                  <FieldError id={id} text={err} />
                </label>
              );
            })}
          </div>
          <button className="btn btn-primary" disabled={!name.trim()}>
            Add profile
          </button>
          <ErrorBanner error={error} onClose={() => setError(null)} />
        </form>
      )}
    </section>
  );
}
