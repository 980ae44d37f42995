import type { Comparison, CompareLine } from './compare.js';
import { nextGoal, type Goal, type Goals } from './goals.js';
import type { PlotTarget } from '../plots/targets.js';
import { formatDelta } from '../table/deltas.js';
import { formatValue } from '../table/values.js';

interface Props {
  targets: PlotTarget[];
  colors: ReadonlyMap<string, string>;
  comparison: Comparison;
  onlyChanged: boolean;
  goals: Goals;
  onGoal: (column: string, goal: Goal | undefined) => void;
}

const GOAL_ICON = { higher: '↑', lower: '↓' } as const;

function Lines({
  title,
  lines,
  goals,
  onGoal,
  width,
}: {
  title: string;
  lines: CompareLine[];
  goals: Goals;
  onGoal?: Props['onGoal'];
  width: number;
}) {
  if (lines.length === 0) return null;
  return (
    <tbody>
      <tr className="cmp-section">
        <th colSpan={width}>{title}</th>
      </tr>
      {lines.map((l) => {
        const goal = goals[l.column.id];
        return (
          <tr key={l.column.id} className={l.changed ? 'cmp-changed' : undefined}>
            <th scope="row" className="cmp-key">
              <span className="cmp-file">{l.column.file}</span>
              <span className="mono">{l.column.path.join('.')}</span>
              {onGoal && (
                <button
                  className={`cmp-goal${goal ? ' on' : ''}`}
                  onClick={() => onGoal(l.column.id, nextGoal(goal))}
                  title={goal ? `${goal} is better — click to change` : 'Mark higher or lower is better'}
                  aria-label={`Goal for ${l.column.path.join('.')}: ${goal ?? 'none'}`}
                >
                  {goal ? GOAL_ICON[goal] : '↕'}
                </button>
              )}
            </th>
            {l.cells.map((c, i) => (
              <td
                key={i}
                className={`num cmp-${c.verdict}${c.best ? ' cmp-best' : ''}`}
                title={c.best ? 'best' : undefined}
              >
                <span className="mono">{formatValue(c.value)}</span>
                {c.delta !== undefined && (
                  <span className="cmp-delta mono">
                    {formatDelta(c.delta, typeof c.value === 'number' ? c.value : 1)}
                  </span>
                )}
              </td>
            ))}
          </tr>
        );
      })}
    </tbody>
  );
}

export function CompareTable({ targets, colors, comparison, onlyChanged, goals, onGoal }: Props) {
  const pick = (lines: CompareLine[]) => (onlyChanged ? lines.filter((l) => l.changed) : lines);
  const width = targets.length + 1;
  return (
    <div className="cmp-scroll">
      <table className="cmp-table">
        <thead>
          <tr>
            <th />
            {targets.map((t, i) => (
              <th key={t.key} scope="col">
                <span className="cmp-exp">
                  <i style={{ background: colors.get(t.label) }} />
                  {t.label}
                </span>
                <span className="muted mono cmp-rev">{i === 0 ? 'reference' : t.key.slice(0, 7)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <Lines title="Metrics" lines={pick(comparison.metrics)} goals={goals} onGoal={onGoal} width={width} />
        <Lines title="Parameters" lines={pick(comparison.params)} goals={goals} width={width} />
        <tbody>
          <tr className="cmp-section">
            <th colSpan={width}>Changed files</th>
          </tr>
          <tr>
            <th scope="row" className="cmp-key muted">
              vs the reference
            </th>
            {comparison.changedFiles.map((files, i) => (
              <td key={i} className="cmp-files">
                {i === 0 ? (
                  <span className="muted">—</span>
                ) : files.length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  files.map((f) => (
                    <div key={f} className="mono">
                      {f}
                    </div>
                  ))
                )}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </div>
  );
}
