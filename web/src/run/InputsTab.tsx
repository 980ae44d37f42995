import { useRef, useState } from 'react';
import { RepoPath } from '../../../src/contracts/api.js';
import { FORM_INPUTS_MAX } from '../../../src/contracts/experiments.js';
import { errorMessage } from '../api-error.js';
import type { RunForm } from '../api-runs.js';
import { formatBytes } from './format.js';
import type { ReplacedFile } from './run-form.js';
import type { UploadProgress, Uploads } from './use-uploads.js';

interface Props {
  inputs: RunForm['inputs'];
  replaced: ReplacedFile[];
  uploads: Uploads;
  onRemove: (path: string) => void;
}

function Progress({ p, onCancel }: { p: UploadProgress; onCancel: () => void }) {
  const pct = p.total > 0 ? Math.round((p.sent / p.total) * 100) : 0;
  if (p.error !== null) {
    return (
      <div className="run-upload-error" role="alert">
        {errorMessage(p.error)}
        <button className="btn btn-sm" onClick={onCancel}>
          Dismiss
        </button>
      </div>
    );
  }
  return (
    <div className="run-upload">
      <div
        className="run-progress"
        role="progressbar"
        aria-valuenow={pct}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <span style={{ width: `${String(pct)}%` }} />
      </div>
      <span className="mono muted">
        {formatBytes(p.sent)} / {formatBytes(p.total)} · {pct}%
      </span>
      <button className="btn btn-sm btn-ghost" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

function PickFile({ label, onFile }: { label: string; onFile: (f: File) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  return (
    <>
      <button className="btn btn-sm" onClick={() => ref.current?.click()}>
        {label}
      </button>
      <input
        ref={ref}
        type="file"
        hidden
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onFile(f);
          e.target.value = '';
        }}
      />
    </>
  );
}

/**
 * A typed path the baseline does not track: refused as it is typed, not after Run. Only a list
 * shorter than the form's cap holds every tracked file; past it the server checks at Run.
 */
export function isUntracked(path: string, inputs: RunForm['inputs'] | undefined): boolean {
  if (inputs === undefined || inputs.length >= FORM_INPUTS_MAX) return false;
  return !inputs.some((i) => i.path === path);
}

export function InputsTab({ inputs, replaced, uploads, onRemove }: Props) {
  const [showAll, setShowAll] = useState(false);
  const [path, setPath] = useState('');
  const listed = (inputs ?? []).filter((i) => showAll || !i.hidden);
  const extra = replaced.filter((r) => !listed.some((i) => i.path === r.path));
  const pathCheck = path.trim() === '' ? null : RepoPath.safeParse(path.trim());
  const untracked = pathCheck?.success === true && isUntracked(pathCheck.data, inputs);

  const row = (p: string, kind: string | undefined) => {
    const done = replaced.find((r) => r.path === p);
    const up = uploads.progress.get(p);
    return (
      <li key={p} className={done ? 'run-input-row changed' : 'run-input-row'}>
        <div className="run-input-path">
          <span className="mono truncate" title={p}>
            {p}
          </span>
          {kind && <span className="run-kind">{kind}</span>}
        </div>
        <div className="run-input-action">
          {up ? (
            <Progress p={up} onCancel={() => uploads.cancel(p)} />
          ) : done ? (
            <>
              <span className="run-replaced">
                ⇄ {done.fileName} <span className="muted">({formatBytes(done.size)})</span>
              </span>
              <button className="btn-icon" title="Keep the original file" onClick={() => onRemove(p)}>
                ↺
              </button>
            </>
          ) : (
            <PickFile label="Replace…" onFile={(f) => uploads.start(p, f)} />
          )}
        </div>
      </li>
    );
  };

  return (
    <div className="run-inputs">
      <div className="run-tab-bar">
        <span className="muted">
          {inputs === undefined
            ? 'Replace any Git- or DVC-tracked file of the baseline by its path.'
            : 'The pipeline’s input files: stage deps that are not code, and DVC-tracked data.'}
        </span>
        {inputs !== undefined && (
          <label className="check">
            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} />
            Show all (including hidden)
          </label>
        )}
      </div>
      <ul className="run-input-list">
        {listed.map((i) => row(i.path, i.kind))}
        {extra.map((r) => row(r.path, undefined))}
        {[...uploads.progress.keys()]
          .filter((p) => !listed.some((i) => i.path === p) && !extra.some((r) => r.path === p))
          .map((p) => row(p, undefined))}
      </ul>
      {inputs !== undefined && listed.length === 0 && (
        <p className="muted run-none">No input files in this pipeline.</p>
      )}
      <div className="run-input-other">
        <input
          className="run-filter mono"
          placeholder="data/train.csv"
          aria-label="Path of a file to replace"
          list="run-tracked-files"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <datalist id="run-tracked-files">
          {listed.map((i) => (
            <option key={i.path} value={i.path} />
          ))}
        </datalist>
        {pathCheck?.success && !untracked ? (
          <PickFile
            label="Upload replacement…"
            onFile={(f) => {
              uploads.start(pathCheck.data, f);
              setPath('');
            }}
          />
        ) : (
          <button className="btn btn-sm" disabled>
            Upload replacement…
          </button>
        )}
        {pathCheck && !pathCheck.success && (
          <span className="run-param-error">not a path inside the repository</span>
        )}
        {untracked && (
          <span className="run-param-error">neither a Git- nor a DVC-tracked file of the baseline</span>
        )}
      </div>
    </div>
  );
}
