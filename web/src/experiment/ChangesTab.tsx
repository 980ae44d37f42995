import type { Experiment } from '../../../src/contracts/experiments.js';
import { runsApi } from '../api-runs.js';
import { useAsync } from '../use-async.js';
import { EmptyState, ErrorState, Skeleton } from '../ui/States.js';
import { formatParam } from '../run/param-values.js';

/** The change set against the baseline: params old → new, replaced files, the script if custom. */
export function ChangesTab({ exp }: { exp: Experiment }) {
  const base = useAsync(() => runsApi.form(exp.project, exp.baseline), `${exp.project}@${exp.baseline}`);
  if (!base.data && base.error !== null)
    return <ErrorState title="Could not read the baseline" error={base.error} onRetry={base.reload} />;
  if (!base.data) return <Skeleton rows={4} columns={3} />;
  const old = new Map(base.data.params.map((p) => [`${p.file}:${p.key}`, p.value]));
  const cs = exp.changeSet;
  const customScript = cs.script.trim() !== base.data.defaultScript.trim();
  if (cs.params.length === 0 && cs.inputs.length === 0 && !customScript) {
    return (
      <EmptyState title="No changes">
        <p className="muted">This experiment re-runs its baseline as it is.</p>
      </EmptyState>
    );
  }
  return (
    <div className="exp-changes">
      {cs.params.length > 0 && (
        <section>
          <h3 className="run-section">Params</h3>
          <table className="list-table exp-diff">
            <thead>
              <tr>
                <th>File</th>
                <th>Key</th>
                <th>Baseline</th>
                <th>This experiment</th>
              </tr>
            </thead>
            <tbody>
              {cs.params.map((p) => {
                const was = old.get(`${p.file}:${p.key}`);
                return (
                  <tr key={`${p.file}:${p.key}`}>
                    <td className="mono muted">{p.file}</td>
                    <td className="mono">{p.key}</td>
                    <td className="mono diff-old">{was === undefined ? <i>new</i> : formatParam(was)}</td>
                    <td className="mono diff-new">{formatParam(p.value)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
      {cs.inputs.length > 0 && (
        <section>
          <h3 className="run-section">Replaced files</h3>
          <ul className="exp-files">
            {cs.inputs.map((i) => (
              <li key={i.path}>
                <span className="mono">{i.path}</span>{' '}
                <span className="muted">← upload {i.uploadId.slice(0, 8)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h3 className="run-section">
          Script{' '}
          {customScript ? (
            <span className="run-edited">custom</span>
          ) : (
            <span className="muted">(default)</span>
          )}
        </h3>
        <pre className="exp-script mono">{cs.script}</pre>
      </section>
    </div>
  );
}
