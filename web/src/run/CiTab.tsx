import { useState } from 'react';
import type { CiCommitResult } from '../../../src/contracts/ci.js';
import { BranchName } from '../../../src/contracts/ci.js';
import { useForge } from '../ci/use-forge.js';
import { ciWizardPath } from '../plots/insight-paths.js';
import { Link } from '../ui/Link.js';
import { ErrorBanner } from '../ui/States.js';
import type { CiDraft } from './run-form.js';

interface Props {
  project: string;
  ci: CiDraft;
  onCi: (ci: CiDraft) => void;
  sweeping: boolean;
  changes: number;
  busy: boolean;
  error: unknown;
  result: CiCommitResult | null;
  onCommit: () => void;
}

function Result({ r }: { r: CiCommitResult }) {
  return (
    <div className="run-ci-result" role="status">
      <div>
        ✓ Pushed <span className="mono">{r.rev.slice(0, 7)}</span> to <span className="mono">{r.branch}</span>
        {r.rebased && <span className="muted"> (rebased onto the moved {r.base})</span>}
      </div>
      {r.inputs.map((i) => (
        <div key={i.path} className="muted">
          <span className="mono">{i.path}</span>:{' '}
          {i.kind === 'git'
            ? 'replaced in the commit'
            : `${i.pushed ? 'pushed to' : 'already on'} the DVC remote; ${i.kind === 'dvc-file' ? `${i.path}.dvc` : 'dvc.lock'} updated`}
        </div>
      ))}
      {r.pullRequest.state === 'opened' && (
        <a href={r.pullRequest.url} target="_blank" rel="noreferrer">
          Pull request #{r.pullRequest.number} →
        </a>
      )}
      {r.pullRequest.state === 'none' && <div className="muted">No pull request: {r.pullRequest.reason}</div>}
      {r.pullRequest.state === 'failed' && (
        <div className="run-param-error">The pull request could not be opened: {r.pullRequest.error}</div>
      )}
    </div>
  );
}

export function CiTab({ project, ci, onCi, sweeping, changes, busy, error, result, onCommit }: Props) {
  const [touched, setTouched] = useState(false);
  const forge = useForge(project);
  const noPr = forge !== null && !forge.pullRequests;
  const set = (p: Partial<CiDraft>) => onCi({ ...ci, ...p });
  const branchError =
    ci.branch === 'new' && ci.newBranch.trim() !== '' && !BranchName.safeParse(ci.newBranch.trim()).success;
  const blocked = sweeping || ci.message.trim() === '' || branchError || changes === 0;
  return (
    <div className="run-ci">
      <p className="muted">
        Commit the params edits and replaced input data to the repository and let its own CI run the
        experiment, instead of Kiln’s compute. DVC-tracked data is pushed to the project’s DVC remote first.
      </p>
      {forge && !forge.kilnWorkflow && (
        <div className="banner run-ci-wizard" role="note">
          <span>
            This repository has no workflow from Kiln’s CI wizard yet, so its CI may not train on these
            commits.
          </span>
          <Link to={ciWizardPath(project)} className="btn btn-sm">
            Set up CI with the wizard →
          </Link>
        </div>
      )}
      {forge?.kilnWorkflow && (
        <p className="muted run-ci-workflow">
          CI trains with <span className="mono">{forge.kilnWorkflow}</span> on the default branch.
        </p>
      )}
      <label className="field">
        <span>Commit message</span>
        <input
          value={ci.message}
          onChange={(e) => set({ message: e.target.value })}
          onBlur={() => setTouched(true)}
        />
      </label>
      {touched && ci.message.trim() === '' && (
        <div className="run-param-error">The commit message is empty.</div>
      )}
      <label className="field">
        <span>Description</span>
        <textarea rows={3} value={ci.description} onChange={(e) => set({ description: e.target.value })} />
      </label>
      <div className="field">
        <span>Branch</span>
        <label className="check">
          <input type="radio" checked={ci.branch === 'new'} onChange={() => set({ branch: 'new' })} />
          {noPr ? 'New branch' : 'New branch and pull request'}
        </label>
        {noPr && ci.branch === 'new' && (
          <div className="muted run-ci-note" role="note">
            No pull request: {forge.note ?? 'this project’s remote does not take pull requests.'}
          </div>
        )}
        {ci.branch === 'new' && (
          <input
            className="mono run-ci-branch"
            aria-label="New branch name"
            value={ci.newBranch}
            onChange={(e) => set({ newBranch: e.target.value })}
          />
        )}
        {branchError && <div className="run-param-error">Not a valid branch name.</div>}
        <label className="check">
          <input type="radio" checked={ci.branch === 'base'} onChange={() => set({ branch: 'base' })} />
          Commit directly to the base branch
        </label>
      </div>
      <label className="field">
        <span>Base branch</span>
        <input
          className="mono"
          placeholder="the repository’s default branch"
          value={ci.base}
          onChange={(e) => set({ base: e.target.value })}
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={ci.skipStudio}
          onChange={(e) => set({ skipStudio: e.target.checked })}
        />
        Add <code>[skip studio]</code> so the commit stays hidden in the table
      </label>
      {sweeping && <div className="banner">A sweep cannot be committed: give each param one value.</div>}
      <ErrorBanner error={error} />
      {result && <Result r={result} />}
      <div className="form-actions">
        <button className="btn btn-primary" disabled={blocked || busy} onClick={onCommit}>
          {busy ? 'Committing…' : 'Commit changes'}
        </button>
        {changes === 0 && <span className="muted">Change a param or replace an input file first.</span>}
      </div>
    </div>
  );
}
