import type { Experiment } from '../../../src/contracts/experiments.js';
import { StatusChip } from '../ui/StatusChip.js';
import { shortDate } from '../ui/time.js';
import { formatDuration } from '../run/format.js';
import { attempts } from './timings.js';

export function AttemptsTab({ exp }: { exp: Experiment }) {
  const list = attempts(exp.timeline);
  if (list.length === 0) return <p className="muted">No state changes recorded yet.</p>;
  return (
    <div className="exp-attempts">
      {list.map((a) => (
        <section key={a.n} className="exp-attempt">
          <h3 className="run-section">
            Attempt {a.n} <span className="muted">· target {exp.target}</span>
          </h3>
          <ol className="exp-timeline">
            {a.entries.map((e, i) => {
              const next = a.entries[i + 1];
              return (
                <li key={`${e.status}${e.at}`}>
                  <StatusChip status={e.status} />
                  <span className="mono muted">{shortDate(e.at)}</span>
                  {next && (
                    <span className="muted">
                      for {formatDuration(Date.parse(next.at) - Date.parse(e.at))}
                    </span>
                  )}
                </li>
              );
            })}
          </ol>
        </section>
      ))}
    </div>
  );
}
