import { useMemo, useState } from 'react';
import type { VisibilityState } from '@tanstack/react-table';
import type { TableColumn } from '../../../src/contracts/api.js';
import { buildColumnTree, type ColumnNode } from './columns.js';
import { columnLabel } from './values.js';
import { Popover } from '../ui/Popover.js';

function NodeView({
  node,
  hidden,
  toggle,
}: {
  node: ColumnNode;
  hidden: VisibilityState;
  toggle: (ids: string[], show: boolean) => void;
}) {
  const shown = node.leafIds.filter((id) => hidden[id] !== false).length;
  const all = shown === node.leafIds.length;
  return (
    <li>
      <label className="check">
        <input
          type="checkbox"
          checked={shown > 0}
          ref={(el) => {
            if (el) el.indeterminate = shown > 0 && !all;
          }}
          onChange={() => toggle(node.leafIds, !all)}
        />
        <span className={node.column ? 'mono' : 'tree-group'}>{node.label}</span>
        {!node.column && (
          <span className="muted count">{`${String(shown)}/${String(node.leafIds.length)}`}</span>
        )}
      </label>
      {node.children.length > 0 && (
        <ul>
          {node.children.map((c) => (
            <NodeView key={c.key} node={c} hidden={hidden} toggle={toggle} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function ColumnsMenu({
  columns,
  hidden,
  onChange,
  onResetOrder,
}: {
  columns: TableColumn[];
  hidden: VisibilityState;
  onChange: (h: VisibilityState) => void;
  onResetOrder: () => void;
}) {
  const [query, setQuery] = useState('');
  const matching = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? columns.filter((c) => columnLabel(c).toLowerCase().includes(q)) : columns;
  }, [columns, query]);
  const tree = useMemo(() => buildColumnTree(matching), [matching]);
  const hiddenCount = columns.filter((c) => hidden[c.id] === false).length;
  const toggle = (ids: string[], show: boolean) => {
    const next = { ...hidden };
    for (const id of ids) {
      if (show) delete next[id];
      else next[id] = false;
    }
    onChange(next);
  };
  return (
    <Popover
      label={
        hiddenCount > 0
          ? `Columns (${String(columns.length - hiddenCount)}/${String(columns.length)})`
          : 'Columns'
      }
    >
      <div className="columns-menu">
        <input
          autoFocus
          placeholder="Find a column"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <div className="columns-actions">
          <button
            className="btn btn-ghost btn-sm"
            onClick={() =>
              toggle(
                matching.map((c) => c.id),
                true,
              )
            }
          >
            Show all
          </button>
          <button
            className="btn btn-ghost btn-sm"
            onClick={() =>
              toggle(
                matching.map((c) => c.id),
                false,
              )
            }
          >
            Hide all
          </button>
          <button className="btn btn-ghost btn-sm" onClick={onResetOrder}>
            Reset order
          </button>
        </div>
        <ul className="tree">
          {tree.map((n) => (
            <NodeView key={n.key} node={n} hidden={hidden} toggle={toggle} />
          ))}
        </ul>
        {matching.length === 0 && <p className="muted">No column matches.</p>}
      </div>
    </Popover>
  );
}
