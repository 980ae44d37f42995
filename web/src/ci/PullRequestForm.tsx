import { useEffect, useState } from 'react';
import type { ExperimentPullRequest, ProjectForge } from '../../../src/contracts/ci.js';
import { BranchName } from '../../../src/contracts/ci.js';
import type { Experiment } from '../../../src/contracts/experiments.js';
import { errorMessage } from '../api-error.js';
import { ciApi } from './ci-api.js';

/** "Create pull request" on a finished experiment: its result commit → a branch → a PR through the forge. */
export function PullRequestForm({
  exp,
  onDone,
}: {
  exp: Experiment;
  onDone: (pr: ExperimentPullRequest) => void;
}) {
  const [forge, setForge] = useState<ProjectForge | null>(null);
  const [branch, setBranch] = useState(`exp-${exp.name}`);
  const [base, setBase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    ciApi.forge(exp.project).then(
      (f) => live && setForge(f),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [exp.project]);

  const branchOk = BranchName.safeParse(branch.trim()).success;
  const baseOk = base.trim() === '' || BranchName.safeParse(base.trim()).success;
  const submit = () => {
    setBusy(true);
    setError(null);
    ciApi
      .experimentPullRequest(exp.project, exp.name, {
        branch: branch.trim(),
        ...(base.trim() ? { base: base.trim() } : {}),
      })
      .then(
        (pr) => {
          setBusy(false);
          onDone(pr);
        },
        (err: unknown) => {
          setBusy(false);
          setError(err);
        },
      );
  };

  if (forge && !forge.pullRequests)
    return (
      <div className="exp-branch-form" role="note">
        <p className="muted">
          No pull request: {forge.note ?? 'this project’s remote does not take pull requests.'} Use “Create
          branch” to push the result instead.
        </p>
      </div>
    );
  return (
    <div className="exp-branch-form">
      <label className="field">
        <span>Branch name</span>
        <input
          className="mono"
          value={branch}
          aria-invalid={!branchOk}
          onChange={(e) => setBranch(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Base branch</span>
        <input
          className="mono"
          placeholder="the repository’s default branch"
          value={base}
          aria-invalid={!baseOk}
          onChange={(e) => setBase(e.target.value)}
        />
      </label>
      <p className="muted">The description links back to this experiment in Kiln.</p>
      {error !== null && <div className="run-param-error">{errorMessage(error)}</div>}
      <div className="form-actions">
        <button
          className="btn btn-primary btn-sm"
          disabled={!forge || !branchOk || !baseOk || busy}
          onClick={submit}
        >
          {busy ? 'Opening…' : 'Open pull request'}
        </button>
      </div>
    </div>
  );
}

/** What came of it, for the actions bar. */
export function PullRequestResult({ pr }: { pr: ExperimentPullRequest }) {
  const o = pr.pullRequest;
  if (o.state === 'opened')
    return (
      <span className="ok-text" role="status">
        ✓{' '}
        <a href={o.url} target="_blank" rel="noreferrer noopener">
          Pull request #{o.number}
        </a>
      </span>
    );
  if (o.state === 'none')
    return (
      <span className="muted" role="status">
        {pr.branch} pushed; no pull request: {o.reason}
      </span>
    );
  return (
    <span className="run-param-error" role="status">
      {pr.branch} pushed, but the pull request failed: {o.error}
    </span>
  );
}
