import { useState, type RefObject } from 'react';
import type { TableColumn } from '../../../src/contracts/api.js';
import { conditionLabel, looksLikeCondition, parseCondition, type Condition } from './filter.js';
import { columnLabel } from './values.js';

interface Props {
  text: string;
  onText: (t: string) => void;
  conditions: Condition[];
  onConditions: (c: Condition[]) => void;
  columns: TableColumn[];
  columnsById: ReadonlyMap<string, TableColumn>;
  inputRef: RefObject<HTMLInputElement | null>;
}

export function FilterBar({ text, onText, conditions, onConditions, columns, columnsById, inputRef }: Props) {
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    if (!looksLikeCondition(text)) return;
    const parsed = parseCondition(text, columns);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    onConditions([...conditions, parsed.condition]);
    onText('');
    setError(null);
  };
  const pending = looksLikeCondition(text);
  return (
    <div className="filter">
      <div className={error ? 'filter-box invalid' : 'filter-box'}>
        <span className="filter-icon">⌕</span>
        {conditions.map((c, i) => {
          const col = columnsById.get(c.columnId);
          return (
            <span
              key={`${c.columnId}${c.op}${c.op === 'contains' ? c.text : String(c.value)}${String(i)}`}
              className="filter-chip"
              title={col ? columnLabel(col) : c.columnId}
            >
              {conditionLabel(c, col)}
              <button
                aria-label="Remove filter"
                onClick={() => onConditions(conditions.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </span>
          );
        })}
        <input
          ref={inputRef}
          value={text}
          placeholder={conditions.length ? 'More filters…' : 'Filter rows · acc > 0.8 ⏎'}
          title="Filter by message, branch, tag or author; or add a condition like accuracy > 0.8 with Enter (/ to focus)"
          onChange={(e) => {
            onText(e.target.value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') submit();
            if (e.key === 'Escape') {
              onText('');
              setError(null);
              e.currentTarget.blur();
            }
            if (e.key === 'Backspace' && text === '' && conditions.length > 0)
              onConditions(conditions.slice(0, -1));
          }}
          aria-label="Filter rows"
        />
        {pending && !error && <span className="filter-hint">⏎ add condition</span>}
        {!text && conditions.length === 0 && (
          <kbd className="filter-key" title="Press / to filter">
            /
          </kbd>
        )}
        {(text || conditions.length > 0) && (
          <button
            className="btn-icon"
            aria-label="Clear filters"
            title="Clear filters"
            onClick={() => {
              onText('');
              onConditions([]);
              setError(null);
            }}
          >
            ×
          </button>
        )}
      </div>
      {error && <div className="filter-error">{error}</div>}
    </div>
  );
}
