import { useState } from 'react';
import type { CreatedBranch, Experiment } from '../../../src/contracts/experiments.js';
import { isFinished } from '../../../src/contracts/experiments.js';
import { BranchName, type ExperimentPullRequest } from '../../../src/contracts/ci.js';
import { errorMessage } from '../api-error.js';
import { runsApi } from '../api-runs.js';
import { PullRequestForm, PullRequestResult } from '../ci/PullRequestForm.js';
import { experimentPath, navigate } from '../router.js';
import { Popover } from '../ui/Popover.js';
import { PriorityField } from './PriorityField.js';
import { useForge } from '../ci/use-forge.js';

interface Props {
  exp: Experiment;
  onChange: (e: Experiment) => void;
  onError: (err: unknown) => void;
}

function BranchForm({ exp, onDone }: { exp: Experiment; onDone: (b: CreatedBranch) => void }) {
  const [branch, setBranch] = useState(`exp-${exp.name}`);
  const [push, setPush] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const valid = BranchName.safeParse(branch.trim()).success;
  const submit = () => {
    setBusy(true);
    setError(null);
    runsApi.branch(exp.project, exp.name, { branch: branch.trim(), push }).then(
      (b) => {
        setBusy(false);
        onDone(b);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };
  return (
    <div className="exp-branch-form">
      <label className="field">
        <span>Branch name</span>
        <input
          className="mono"
          value={branch}
          aria-invalid={!valid}
          onChange={(e) => setBranch(e.target.value)}
        />
      </label>
      <label className="check">
        <input type="checkbox" checked={push} onChange={(e) => setPush(e.target.checked)} />
        Push it to the project’s remote
      </label>
      {error !== null && <div className="run-param-error">{errorMessage(error)}</div>}
      <div className="form-actions">
        <button className="btn btn-primary btn-sm" disabled={!valid || busy} onClick={submit}>
          {busy ? 'Creating…' : 'Create branch'}
        </button>
      </div>
    </div>
  );
}

export function ExperimentActions({ exp, onChange, onError }: Props) {
  const [busy, setBusy] = useState<string | null>(null);
  const [branch, setBranch] = useState<CreatedBranch | null>(null);
  const [pr, setPr] = useState<ExperimentPullRequest | null>(null);
  const finished = isFinished(exp.status);
  const forge = useForge(exp.project);
  // No forge (plain Git, no token): a pull request cannot be opened; say why instead of offering it.
  const noPr =
    forge && !forge.pullRequests
      ? `No pull requests: ${forge.note ?? 'this project’s remote does not take pull requests'}.`.replace(
          /\.\.$/,
          '.',
        )
      : undefined;

  const act = (what: string, p: () => Promise<void>) => {
    setBusy(what);
    p().then(
      () => setBusy(null),
      (err: unknown) => {
        setBusy(null);
        onError(err);
      },
    );
  };
  const cancel = () => act('cancel', async () => onChange(await runsApi.cancel(exp.project, exp.name)));
  const again = () =>
    act('again', async () => {
      const created = await runsApi.runAgain(exp.project, exp.name);
      const first = created.experiments[0];
      if (first) navigate(experimentPath(exp.project, first.name));
    });

  return (
    <div className="exp-actions">
      {branch && (
        <span className="ok-text" role="status">
          ✓ {branch.branch} {branch.pushed ? 'pushed' : 'created'}
        </span>
      )}
      {pr && <PullRequestResult pr={pr} />}
      {exp.status === 'queued' && <PriorityField exp={exp} onChange={onChange} onError={onError} />}
      {!finished && (
        <button className="btn btn-danger" onClick={cancel} disabled={busy !== null}>
          {busy === 'cancel' ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
      <button
        className="btn"
        onClick={again}
        disabled={busy !== null}
        title="Queue the same change set again"
      >
        {busy === 'again' ? 'Queueing…' : '↻ Run again'}
      </button>
      {exp.resultCommit && (
        <Popover label="Create branch" align="right">
          {(close) => (
            <BranchForm
              exp={exp}
              onDone={(b) => {
                setBranch(b);
                close();
              }}
            />
          )}
        </Popover>
      )}
      {exp.resultCommit && finished && (
        <Popover label="Create pull request" align="right" disabled={noPr}>
          <PullRequestForm exp={exp} onDone={setPr} />
        </Popover>
      )}
      {exp.resultCommit && finished && noPr && (
        <span className="muted exp-no-pr" id="exp-no-pr">
          {noPr}
        </span>
      )}
    </div>
  );
}
