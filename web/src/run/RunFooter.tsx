import { ExperimentName } from '../../../src/contracts/experiments.js';
import type { DraftSummary, RunDraft } from './run-form.js';

interface Props {
  draft: RunDraft;
  summary: DraftSummary;
  onDraft: (p: Partial<RunDraft>) => void;
  busy: boolean;
  uploading: boolean;
  onRun: () => void;
  onClose: () => void;
}

export function RunFooter({ draft, summary, onDraft, busy, uploading, onRun, onClose }: Props) {
  const name = draft.name.trim();
  const nameCheck = name === '' ? null : ExperimentName.safeParse(name);
  const nameError =
    nameCheck && !nameCheck.success ? (nameCheck.error.issues[0]?.message ?? 'invalid name') : null;
  const blocked = summary.errors.length > 0 || nameError !== null || uploading || busy;
  const why = uploading ? 'Wait for the uploads to finish' : (nameError ?? summary.errors[0] ?? undefined);
  return (
    <footer className="run-footer">
      <div className="run-footer-fields">
        <label className="field run-name">
          <span>Name</span>
          <input
            className="mono"
            value={draft.name}
            aria-invalid={nameError !== null}
            placeholder="random adjective-noun"
            onChange={(e) => onDraft({ name: e.target.value })}
          />
        </label>
        <label className="field grow">
          <span>Message</span>
          <input
            value={draft.message}
            placeholder="What this run tries"
            onChange={(e) => onDraft({ message: e.target.value })}
          />
        </label>
      </div>
      {nameError && <div className="run-param-error">{nameError}</div>}
      <div className="run-footer-actions">
        <span
          className={summary.changes > 0 ? 'run-diff-badge active' : 'run-diff-badge'}
          title="Changes against the baseline"
        >
          Δ {summary.changes} change{summary.changes === 1 ? '' : 's'}
        </span>
        <span className={summary.experiments > 1 ? 'run-count sweep' : 'run-count'}>
          {summary.experiments} experiment{summary.experiments === 1 ? '' : 's'}
        </span>
        {draft.target !== 'local' && (
          <span className="run-count" title="Compute target (Compute tab)">
            on <b>{draft.target}</b>
          </span>
        )}
        {summary.errors.length > 0 && (
          <span className="run-param-error" title={summary.errors.join('\n')}>
            {summary.errors.length} invalid value{summary.errors.length === 1 ? '' : 's'}
          </span>
        )}
        <span className="grow" />
        <button className="btn btn-ghost" onClick={onClose}>
          Cancel
        </button>
        <button className="btn btn-primary run-submit" disabled={blocked} title={why} onClick={onRun}>
          {busy
            ? 'Queueing…'
            : summary.experiments > 1
              ? `Run ${String(summary.experiments)} experiments`
              : 'Run'}
        </button>
      </div>
    </footer>
  );
}
