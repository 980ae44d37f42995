import { TeamSpendList } from '../../../src/contracts/budget.js';
import { request } from '../api.js';
import { useAsync } from '../use-async.js';
import { ErrorState, Skeleton } from '../ui/States.js';

const usd = (n: number) => `$${n.toFixed(2)}`;

/** Each of my teams' compute spend this month against its cap (GET /api/spend). */
export function SpendingSection() {
  const spend = useAsync(() => request('GET', '/api/spend', TeamSpendList).then((r) => r.teams), 'spend');
  return (
    <section className="card">
      <h2>Team spending this month</h2>
      <p className="muted">
        Cloud runs: finished ones at their machine&apos;s price × time run, queued or running ones at their
        most (price × timeout). A run that would pass its team&apos;s cap is refused when submitted.
      </p>
      {spend.data === undefined && spend.error ? (
        <ErrorState title="Could not load spending" error={spend.error} onRetry={spend.reload} />
      ) : spend.data === undefined ? (
        <Skeleton rows={2} columns={5} />
      ) : spend.data.length === 0 ? (
        <p className="muted">You are in no team.</p>
      ) : (
        <table className="list-table">
          <thead>
            <tr>
              <th>Team</th>
              <th>Spent</th>
              <th>Reserved</th>
              <th>Cap</th>
              <th>Left</th>
            </tr>
          </thead>
          <tbody>
            {spend.data.map((t) => (
              <tr key={t.teamId}>
                <td>{t.team}</td>
                <td className="mono">{usd(t.spentUsd)}</td>
                <td className="mono">{usd(t.reservedUsd)}</td>
                <td className="mono">{t.capUsd === null ? 'none' : usd(t.capUsd)}</td>
                <td className="mono">{t.leftUsd === null ? '—' : usd(t.leftUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
