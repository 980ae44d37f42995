import { useState, type FormEvent } from 'react';
import { UpdateProjectBody, type Project } from '../../../src/contracts/api.js';
import { api } from '../api.js';
import { navigate } from '../router.js';
import { ErrorBanner } from '../ui/States.js';
import { WebhookSection } from './WebhookSection.js';
import { CredentialsFields, credentialsFromDraft, type CredentialDraft } from './CredentialsFields.js';

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function ProjectSettingsForm({
  project,
  onSaved,
}: {
  project: Project;
  onSaved: (p: Project) => void;
}) {
  const [subdir, setSubdir] = useState(project.subdir ?? '');
  const [paramsFiles, setParamsFiles] = useState(project.settings.paramsFiles.join('\n'));
  const [metricsFiles, setMetricsFiles] = useState(project.settings.metricsFiles.join('\n'));
  const [dvcCredential, setDvcCredential] = useState(project.settings.dvcCredential ?? '');
  const [creds, setCreds] = useState<CredentialDraft>({ kind: 'none' });
  const [clearCreds, setClearCreds] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  // What the caller's role in the project does not allow, with the reason, from the project's answer.
  const access = project.access;
  const maintainDenied =
    access && !access.permissions['project:maintain'] ? access.reasons['project:maintain'] : undefined;
  const ownDenied = access && !access.permissions['project:own'] ? access.reasons['project:own'] : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const credentials = clearCreds ? null : credentialsFromDraft(creds);
    const parsed = UpdateProjectBody.safeParse({
      subdir: subdir.trim() || null,
      credentials,
      settings: {
        paramsFiles: lines(paramsFiles),
        metricsFiles: lines(metricsFiles),
        dvcCredential: dvcCredential.trim() || null,
      },
    });
    if (!parsed.success) {
      setError(new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      return;
    }
    setBusy(true);
    setError(null);
    setSaved(false);
    api.updateProject(project.name, parsed.data).then(
      (p) => {
        setBusy(false);
        setSaved(true);
        setCreds({ kind: 'none' });
        setClearCreds(false);
        onSaved(p);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };

  const remove = () => {
    if (
      !window.confirm(`Remove the project "${project.name}" from Kiln? The repository itself is not touched.`)
    )
      return;
    api.deleteProject(project.name).then(
      () => navigate('/'),
      (err: unknown) => setError(err),
    );
  };

  return (
    <>
      <form className="card form" onSubmit={submit} aria-label="Project settings">
        {maintainDenied && (
          <p className="muted" role="note">
            Read only: {maintainDenied}.
          </p>
        )}
        <fieldset className="plain-fieldset" disabled={maintainDenied !== undefined}>
          <h2>Repository</h2>
          <div className="field">
            <span>Source</span>
            <div className="mono readonly">{project.source}</div>
          </div>
          <label className="field">
            <span>Subdirectory (monorepo)</span>
            <input
              className="mono"
              value={subdir}
              onChange={(e) => setSubdir(e.target.value)}
              placeholder="(repository root)"
            />
          </label>
          <h2>Files for repositories without dvc.yaml</h2>
          <div className="field-row">
            <label className="field grow">
              <span>Params files, one a line</span>
              <textarea
                className="mono"
                rows={3}
                value={paramsFiles}
                onChange={(e) => setParamsFiles(e.target.value)}
                placeholder="params.yaml"
              />
            </label>
            <label className="field grow">
              <span>Metrics files, one a line</span>
              <textarea
                className="mono"
                rows={3}
                value={metricsFiles}
                onChange={(e) => setMetricsFiles(e.target.value)}
                placeholder="eval/metrics.json"
              />
            </label>
          </div>
          <label className="field">
            <span>S3 DVC remote credential</span>
            <input
              className="mono"
              value={dvcCredential}
              onChange={(e) => setDvcCredential(e.target.value)}
              placeholder="an AWS credential from Settings → Credentials"
            />
            <small className="muted">
              Kiln reads the DVC remote with it, and runs get it as AWS_* variables (masked in logs). Empty:
              .dvc/config or the usual AWS environment.
            </small>
          </label>
          <h2>Credentials</h2>
          <p className="muted">
            {project.hasCredentials ? 'Credentials are stored for this project.' : 'No credentials stored.'}
          </p>
          {project.hasCredentials && (
            <label className="check">
              <input type="checkbox" checked={clearCreds} onChange={(e) => setClearCreds(e.target.checked)} />{' '}
              Remove stored credentials
            </label>
          )}
          {!clearCreds && <CredentialsFields value={creds} onChange={setCreds} />}
          <ErrorBanner error={error} />
          <div className="form-actions">
            <button
              className="btn btn-primary"
              disabled={busy || maintainDenied !== undefined}
              title={maintainDenied}
            >
              {busy ? 'Saving…' : 'Save'}
            </button>
            {saved && <span className="ok-text">Saved</span>}
          </div>
        </fieldset>
      </form>
      {maintainDenied ? (
        <section className="card" aria-label="Webhook">
          <h2>Webhook</h2>
          <p className="muted" role="note">
            {maintainDenied}.
          </p>
        </section>
      ) : (
        <WebhookSection project={project.name} />
      )}
      <section className="card danger-zone">
        <h2>Remove project</h2>
        <p className="muted">Deletes Kiln's mirror and cached table; your repository is not touched.</p>
        <button
          className="btn btn-danger"
          onClick={remove}
          disabled={ownDenied !== undefined}
          title={ownDenied}
        >
          Remove {project.name}
        </button>
        {ownDenied && (
          <p className="muted" role="note">
            {ownDenied}.
          </p>
        )}
      </section>
    </>
  );
}
