import { useState, type FormEvent } from 'react';
import { CreateProjectBody, type Project } from '../../../src/contracts/api.js';
import { api } from '../api.js';
import { ErrorBanner } from '../ui/States.js';
import { CredentialsFields, credentialsFromDraft, type CredentialDraft } from './CredentialsFields.js';

export function AddProjectForm({ onCreated }: { onCreated: (p: Project) => void }) {
  const [name, setName] = useState('');
  const [source, setSource] = useState('');
  const [subdir, setSubdir] = useState('');
  const [creds, setCreds] = useState<CredentialDraft>({ kind: 'none' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = CreateProjectBody.safeParse({
      name: name.trim(),
      source: source.trim(),
      subdir: subdir.trim() || undefined,
      credentials: credentialsFromDraft(creds),
    });
    if (!parsed.success) {
      setError(new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      return;
    }
    setBusy(true);
    setError(null);
    api.createProject(parsed.data).then(onCreated, (err: unknown) => {
      setBusy(false);
      setError(err);
    });
  };

  return (
    <form className="card form" onSubmit={submit}>
      <h2>Add a project</h2>
      <div className="field-row">
        <label className="field">
          <span>Name</span>
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="my-model" />
        </label>
        <label className="field grow">
          <span>Git URL or local path</span>
          <input
            className="mono"
            value={source}
            onChange={(e) => setSource(e.target.value)}
            placeholder="https://github.com/org/repo.git · git@host:org/repo.git · /srv/repos/model"
          />
        </label>
        <label className="field">
          <span>Subdirectory (optional)</span>
          <input
            className="mono"
            value={subdir}
            onChange={(e) => setSubdir(e.target.value)}
            placeholder="models/ranker"
          />
        </label>
      </div>
      <CredentialsFields value={creds} onChange={setCreds} />
      <ErrorBanner error={error} />
      <div className="form-actions">
        <button className="btn btn-primary" disabled={busy || !name.trim() || !source.trim()}>
          {busy ? 'Adding… (cloning the repository)' : 'Add project'}
        </button>
      </div>
    </form>
  );
}
