import type { FormParam } from '../../../src/contracts/experiments.js';
import { formatParam, kindOf } from './param-values.js';
import type { ParamState } from './run-form.js';

interface Props {
  state: ParamState;
  text: string | undefined;
  onText: (text: string | undefined) => void;
}

const label = (p: FormParam): string => `${p.file} ${p.key}`;

/** One typed input; the value keeps its type, a sweep shows how many values it makes. */
export function ParamInput({ state, text, onText }: Props) {
  const { param, edit, changed } = state;
  const kind = kindOf(param.value);
  const original = formatParam(param.value);
  const value = text ?? original;
  const invalid = edit?.kind === 'error';

  let input;
  if (kind === 'boolean' && edit?.kind !== 'sweep') {
    const on = value.trim() === 'true';
    input = (
      <label className="run-bool">
        <input
          type="checkbox"
          checked={on}
          aria-label={label(param)}
          onChange={(e) => onText(String(e.target.checked))}
        />
        <span className="mono">{on ? 'true' : 'false'}</span>
      </label>
    );
  } else if (kind === 'dict' || value.includes('\n')) {
    input = (
      <textarea
        className="run-input mono"
        aria-label={label(param)}
        aria-invalid={invalid}
        rows={Math.min(8, value.split('\n').length + 1)}
        value={value}
        spellCheck={false}
        onChange={(e) => onText(e.target.value)}
      />
    );
  } else {
    input = (
      <input
        className={kind === 'number' ? 'run-input mono num' : 'run-input mono'}
        aria-label={label(param)}
        aria-invalid={invalid}
        value={value}
        spellCheck={false}
        onChange={(e) => onText(e.target.value)}
      />
    );
  }

  return (
    <div className={`run-param${changed ? ' changed' : ''}${invalid ? ' invalid' : ''}`} data-key={param.key}>
      <div className="run-param-key">
        <span className="mono truncate" title={`${param.file} ▸ ${param.key}`}>
          {param.key}
        </span>
        <span className="run-kind">{kind}</span>
      </div>
      <div className="run-param-value">
        {input}
        {edit?.kind === 'error' && <div className="run-param-error">{edit.message}</div>}
      </div>
      <div className="run-param-orig">
        {changed ? (
          <>
            <span className="mono truncate run-was" title={original}>
              {original}
            </span>
            {edit?.kind === 'sweep' && <span className="run-sweep">×{edit.count}</span>}
            <button className="btn-icon" title="Back to the original value" onClick={() => onText(undefined)}>
              ↺
            </button>
          </>
        ) : (
          <span className="muted mono truncate" title={original}>
            {kind === 'dict' ? '' : original}
          </span>
        )}
      </div>
    </div>
  );
}
