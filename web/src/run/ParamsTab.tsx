import { useMemo, useState } from 'react';
import type { FormParam } from '../../../src/contracts/experiments.js';
import { EmptyState } from '../ui/States.js';
import { ParamInput } from './ParamInput.js';
import { paramId, paramStates, type RunDraft } from './run-form.js';

interface Props {
  params: FormParam[];
  draft: RunDraft;
  onParam: (id: string, text: string | undefined) => void;
}

export function ParamsTab({ params, draft, onParam }: Props) {
  const [filter, setFilter] = useState('');
  const [changedOnly, setChangedOnly] = useState(false);
  const states = useMemo(() => paramStates(params, draft), [params, draft]);
  const q = filter.trim().toLowerCase();
  const shown = states.filter(
    (s) => (!changedOnly || s.changed) && (q === '' || s.param.key.toLowerCase().includes(q)),
  );
  const files = [...new Set(shown.map((s) => s.param.file))];

  if (params.length === 0) {
    return (
      <EmptyState title="This commit has no params">
        <p className="muted">
          Add a params.yaml (or list params files in dvc.yaml) to change values per run.
        </p>
      </EmptyState>
    );
  }
  return (
    <div className="run-params">
      <div className="run-tab-bar">
        <input
          className="run-filter"
          placeholder="Filter params…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <label className="check">
          <input type="checkbox" checked={changedOnly} onChange={(e) => setChangedOnly(e.target.checked)} />
          Changed only
        </label>
        <span className="hint run-sweep-hint">
          Sweep: <code>choice(a,b)</code> · <code>range(1,10,2)</code> · <code>a,b,c</code>
        </span>
      </div>
      {files.length === 0 && <p className="muted run-none">No params match.</p>}
      {files.map((file) => (
        <section key={file} className="run-file">
          <h3 className="run-file-name mono">{file}</h3>
          <div className="run-param run-param-head">
            <span>Key</span>
            <span>Value</span>
            <span>Original</span>
          </div>
          {shown
            .filter((s) => s.param.file === file)
            .map((s) => {
              const id = paramId(s.param);
              return <ParamInput key={id} state={s} text={draft.params[id]} onText={(t) => onParam(id, t)} />;
            })}
        </section>
      ))}
    </div>
  );
}
