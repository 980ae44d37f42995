import { useEffect, useRef, useState, type MouseEvent } from 'react';
import type { TableColumn } from '../../../src/contracts/api.js';
import { OPERATORS, TEXT_FILTERABLE, conditionLabel, type Condition, type Operator } from './filter.js';
import { leafName } from './columns.js';

interface Props {
  columnId: string;
  /** The leaf column; absent for the fixed commit/author columns, which filter by text. */
  column: TableColumn | undefined;
  conditions: Condition[];
  onConditions: (c: Condition[]) => void;
}

const numeric = (col: TableColumn | undefined): boolean => col?.types.includes('number') ?? false;

/** The funnel in a column header: a popover that adds a condition on this column to the filter chips. */
export function HeaderFilter({ columnId, column, conditions, onConditions }: Props) {
  const [at, setAt] = useState<{ left: number; top: number } | null>(null);
  const mine = conditions.filter((c) => c.columnId === columnId);
  const name = column ? leafName(column) : (TEXT_FILTERABLE[columnId]?.label ?? columnId);
  const open = (e: MouseEvent<HTMLButtonElement>) => {
    e.stopPropagation();
    const r = e.currentTarget.getBoundingClientRect();
    setAt(
      at ? null : { left: Math.max(8, Math.min(r.right - 260, window.innerWidth - 270)), top: r.bottom + 4 },
    );
  };
  return (
    <>
      <button
        className={mine.length ? 'head-filter active' : 'head-filter'}
        aria-label={`Filter ${name}`}
        title={mine.length ? mine.map((c) => conditionLabel(c, column)).join('\n') : `Filter ${name}`}
        onClick={open}
        onMouseDown={(e) => e.stopPropagation()}
        draggable={false}
      >
        <svg width="9" height="9" viewBox="0 0 10 10" aria-hidden="true">
          <path d="M0 1h10L6 5.5V9.5L4 8.5V5.5z" fill="currentColor" />
        </svg>
        {mine.length > 1 ? <sub>{mine.length}</sub> : null}
      </button>
      {at && (
        <FilterPopover
          at={at}
          name={name}
          columnId={columnId}
          column={column}
          conditions={conditions}
          onConditions={onConditions}
          onClose={() => setAt(null)}
        />
      )}
    </>
  );
}

function FilterPopover({
  at,
  name,
  columnId,
  column,
  conditions,
  onConditions,
  onClose,
}: Props & { at: { left: number; top: number }; name: string; onClose: () => void }) {
  const isNumeric = numeric(column);
  const [op, setOp] = useState<Operator | 'contains'>(isNumeric ? '>' : 'contains');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    const away = (e: globalThis.MouseEvent) => {
      if (ref.current && e.target instanceof Node && !ref.current.contains(e.target)) onClose();
    };
    window.addEventListener('mousedown', away);
    return () => window.removeEventListener('mousedown', away);
  }, [onClose]);

  const apply = () => {
    const v = value.trim();
    if (!v) return setError(op === 'contains' ? 'Type some text' : 'Type a number');
    let cond: Condition;
    if (op === 'contains') cond = { columnId, op, text: v };
    else {
      const n = Number(v);
      if (!Number.isFinite(n)) return setError(`"${v}" is not a number`);
      cond = { columnId, op, value: n };
    }
    onConditions([...conditions, cond]);
    onClose();
  };
  const mine = conditions.flatMap((c, i) => (c.columnId === columnId ? [{ c, i }] : []));

  return (
    <div
      className="header-filter-pop"
      ref={ref}
      role="dialog"
      aria-label={`Filter ${name}`}
      style={{ left: at.left, top: at.top }}
      onClick={(e) => e.stopPropagation()}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
        e.stopPropagation();
      }}
    >
      <div className="hf-title">
        Filter <b>{column ? `${column.file} ${column.path.join('.')}` : name}</b>
      </div>
      {mine.map(({ c, i }) => (
        <div key={`${String(i)}`} className="hf-active">
          <span>{conditionLabel(c, column)}</span>
          <button
            aria-label="Remove filter"
            onClick={() => onConditions(conditions.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <form
        className="hf-form"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <select
          aria-label="Condition"
          value={op}
          onChange={(e) => {
            const next = [...OPERATORS, 'contains' as const].find((o) => o === e.target.value);
            if (next) setOp(next);
          }}
        >
          {isNumeric && OPERATORS.map((o) => <option key={o}>{o}</option>)}
          <option value="contains">contains</option>
        </select>
        <input
          ref={input}
          aria-label="Value"
          inputMode={op === 'contains' ? 'text' : 'decimal'}
          placeholder={op === 'contains' ? 'text' : column?.min !== undefined ? String(column.min) : '0'}
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            setError(null);
          }}
        />
        <button className="btn btn-sm btn-primary" type="submit">
          Apply
        </button>
      </form>
      {error && <div className="filter-error">{error}</div>}
      {column?.min !== undefined && (
        <div className="muted hf-range">
          min {String(column.min)} · max {String(column.max)}
        </div>
      )}
    </div>
  );
}
