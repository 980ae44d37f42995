import { useEffect, useRef } from 'react';
import type { Row } from '@tanstack/react-table';
import type { TableRow } from '../../../src/contracts/api.js';
import type { Pinned } from '../plots/use-pinned.js';

/** A row's checkbox: checked rows are the pinned rows the plots pane and Compare use. */
export function RowCheck({
  label,
  checked,
  indeterminate = false,
  onCheck,
}: {
  label: string;
  checked: boolean;
  /** Some but not all of what it stands for is checked (a sweep's group row). */
  indeterminate?: boolean;
  /** `shift`: extend from the last checked row. */
  onCheck: (shift: boolean) => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <input
      ref={ref}
      type="checkbox"
      className="row-check"
      aria-label={label}
      checked={checked}
      // The row selects on mousedown; a checkbox click only checks.
      onMouseDown={(e) => e.stopPropagation()}
      onClick={(e) => {
        // A group row folds on click: checking its experiments must not fold it too.
        e.stopPropagation();
        onCheck(e.shiftKey);
      }}
      onChange={() => undefined}
    />
  );
}

/** More rows than this are not checked at once: plotting or comparing them all helps no one. */
const MAX_CHECK_ALL = 100;

/** Clears the checked rows, or checks every row shown when none is (and they are few enough). */
export function SelectAll({
  rows,
  checked,
  pinned,
}: {
  rows: readonly Row<TableRow>[];
  checked: ReadonlySet<string>;
  pinned: Pinned;
}) {
  const ref = useRef<HTMLInputElement>(null);
  const some = checked.size > 0;
  // Checked rows may include some filtered out: only a count this large can cover every row shown.
  const all = some && rows.length > 0 && checked.size >= rows.length && rows.every((r) => checked.has(r.id));
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = some && !all;
  }, [some, all]);
  const tooMany = !some && rows.length > MAX_CHECK_ALL;
  const title = some
    ? `Clear the ${String(checked.size)} checked rows`
    : tooMany
      ? `Filter to at most ${String(MAX_CHECK_ALL)} rows to check them all`
      : 'Check every row shown';
  return (
    <input
      ref={ref}
      type="checkbox"
      className="row-check"
      aria-label={some ? `Clear ${String(checked.size)} checked rows` : 'Check every row shown'}
      title={title}
      disabled={tooMany}
      checked={all}
      onClick={(e) => e.stopPropagation()}
      onChange={() => {
        if (some) pinned.clear();
        else for (const r of rows) pinned.toggle(r.id);
      }}
    />
  );
}
