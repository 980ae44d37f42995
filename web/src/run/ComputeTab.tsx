import { runsApi } from '../api-runs.js';
import { useAsync } from '../use-async.js';
import { ErrorBanner } from '../ui/States.js';

interface Props {
  timeoutMin: number;
  onTimeout: (min: number) => void;
}

/** Local is the target the server accepts today; profiles are listed for what they will offer. */
export function ComputeTab({ timeoutMin, onTimeout }: Props) {
  const profiles = useAsync(() => runsApi.profiles(), 'compute-profiles');
  const list = profiles.data?.profiles.filter((p) => p.kind !== 'local') ?? [];
  return (
    <div className="run-compute">
      <h3 className="run-section">Target</h3>
      <div className="run-targets" role="radiogroup" aria-label="Target">
        <label className="run-target selected">
          <input type="radio" name="target" checked readOnly />
          <div>
            <b>local</b>
            <div className="muted">This Kiln server’s machine, through its own agents.</div>
          </div>
        </label>
        {profiles.loading && !profiles.data && <div className="skeleton-bar run-target-skeleton" />}
        {list.map((p) => (
          <label
            key={p.name}
            className="run-target disabled"
            title="The server does not accept this target for runs yet"
          >
            <input type="radio" name="target" disabled />
            <div>
              <b>{p.name}</b> <span className="run-kind">{p.kind}</span>
              <div className="muted">
                {p.resolved
                  ? `${p.resolved.type} in ${p.resolved.region}${p.resolved.spot ? ' · spot' : ''}${
                      p.resolved.pricePerHour !== null ? ` · $${p.resolved.pricePerHour.toFixed(2)}/h` : ''
                    }`
                  : `at most ${String(p.limits.maxInstances)} at once`}
              </div>
            </div>
          </label>
        ))}
      </div>
      {profiles.error !== null && <ErrorBanner error={profiles.error} />}
      <h3 className="run-section">Timeout</h3>
      <label className="run-timeout">
        <input
          type="number"
          className="run-input mono num"
          min={1}
          max={7 * 24 * 60}
          value={timeoutMin}
          aria-label="Timeout in minutes"
          onChange={(e) => onTimeout(Math.max(1, Math.min(7 * 24 * 60, Number(e.target.value) || 1)))}
        />
        <span className="muted">minutes — the run is stopped and marked failed after this.</span>
      </label>
    </div>
  );
}
