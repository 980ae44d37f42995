import { useMemo } from 'react';
import type { TableRow } from '../../../src/contracts/api.js';
import { errorMessage } from '../api-error.js';
import { rowKey } from '../table/rows.js';
import { PlotsView } from './PlotsView.js';
import { plotTargets } from './targets.js';
import { useStableColors } from './use-colors.js';
import { chosenRevs, type Pinned } from './use-pinned.js';
import { usePlotSources } from './use-plot-sources.js';

interface Props {
  project: string;
  rows: readonly TableRow[];
  selected: string | null;
  pinned: Pinned;
  onClose: () => void;
}

export function PlotsPane({ project, rows, selected, pinned, onClose }: Props) {
  const chosen = useMemo(() => {
    const byKey = new Map(rows.map((r) => [rowKey(r), r]));
    return chosenRevs(pinned.revs, selected).flatMap((key) => byKey.get(key) ?? []);
  }, [rows, pinned.revs, selected]);
  const targets = useMemo(() => plotTargets(chosen), [chosen]);
  const colors = useStableColors(targets);
  const { sources, loading, failed, retry } = usePlotSources(project, targets);

  return (
    <section className="plots-pane" aria-label="Plots">
      <header className="plots-bar">
        <h2>Plots</h2>
        <div className="plots-chips">
          {targets.map((t) => {
            const isPinned = pinned.revs.includes(t.row);
            const failure = failed.find((f) => f.target.key === t.key);
            return (
              <span
                key={t.key}
                className={`exp-chip${isPinned ? '' : ' exp-chip-selected'}${failure ? ' exp-chip-failed' : ''}`}
                title={failure ? errorMessage(failure.error) : isPinned ? 'Pinned' : 'Selected row'}
              >
                <i style={{ background: colors.get(t.label) }} />
                {t.label}
                {loading.includes(t) && <span className="exp-chip-spin" aria-label="loading" />}
                <button
                  className="exp-chip-btn"
                  onClick={() => pinned.toggle(t.row)}
                  title={isPinned ? 'Unpin' : 'Pin, then select other rows to add them'}
                >
                  {isPinned ? '×' : '+ Pin'}
                </button>
              </span>
            );
          })}
          {targets.length === 0 && (
            <span className="muted">Select a row to plot it; pin rows to overlay them.</span>
          )}
        </div>
        {failed.length > 0 && (
          <button className="btn btn-sm" onClick={retry}>
            Retry failed
          </button>
        )}
        {pinned.revs.length > 0 && (
          <button className="btn btn-ghost btn-sm" onClick={pinned.clear}>
            Clear pins
          </button>
        )}
        <button
          className="btn btn-ghost btn-sm"
          onClick={onClose}
          title="Close plots (p)"
          aria-label="Close plots"
        >
          ✕
        </button>
      </header>
      <div className="plots-body">
        {targets.length > 0 && sources.length === 0 && loading.length > 0 ? (
          <div className="plots-grid">
            {[0, 1, 2].map((i) => (
              <div key={i} className="plot-card plot-skeleton" />
            ))}
          </div>
        ) : sources.length > 0 ? (
          <PlotsView sources={sources} colors={colors} />
        ) : null}
        {failed.map((f) => (
          <div key={f.target.key} className="plot-error">
            Could not load plots of {f.target.label}: {errorMessage(f.error)}
          </div>
        ))}
      </div>
    </section>
  );
}
