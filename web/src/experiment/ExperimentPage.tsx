import { useState } from 'react';
import { runsApi } from '../api-runs.js';
import { useAsync } from '../use-async.js';
import { useServerEvents } from '../use-server-events.js';
import { ErrorBanner, ErrorState, Skeleton } from '../ui/States.js';
import { AttemptsTab } from './AttemptsTab.js';
import { ChangesTab } from './ChangesTab.js';
import { ExperimentActions } from './ExperimentActions.js';
import { ExperimentHeader } from './ExperimentHeader.js';
import { LogView } from './LogView.js';
import { MetricsTab } from './MetricsTab.js';
import '../run/run.css';
import './experiment.css';

const TABS = ['Log', 'Metrics', 'Changes', 'Attempts'] as const;
type Tab = (typeof TABS)[number];

export function ExperimentPage({ project, name }: { project: string; name: string }) {
  const exp = useAsync(() => runsApi.get(project, name), `${project}/${name}`);
  const [tab, setTab] = useState<Tab>('Log');
  const [error, setError] = useState<unknown>(null);

  useServerEvents({
    onExperimentStatus: (e) => {
      if (e.project !== project || e.name !== name) return;
      exp.setData((cur) => cur && { ...cur, status: e.status, exitCode: e.exitCode });
      exp.reload();
    },
  });

  if (!exp.data && exp.error !== null)
    return (
      <div className="page">
        <ErrorState title={`Could not load experiment ${name}`} error={exp.error} onRetry={exp.reload} />
      </div>
    );
  if (!exp.data)
    return (
      <div className="page exp-page">
        <div className="exp-head-skeleton">
          <span className="skeleton-bar" style={{ width: 240, height: 18 }} />
          <span className="skeleton-bar" style={{ width: '60%' }} />
        </div>
        <Skeleton rows={12} columns={1} />
      </div>
    );

  const e = exp.data;
  return (
    <div className="page page-full exp-page">
      <ExperimentHeader
        exp={e}
        actions={<ExperimentActions exp={e} onChange={(x) => exp.setData(() => x)} onError={setError} />}
      />
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <nav className="run-tabs exp-tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'run-tab active' : 'run-tab'}
            onClick={() => setTab(t)}
          >
            {t}
            {t === 'Changes' && e.changeSet.params.length + e.changeSet.inputs.length > 0 && (
              <span className="run-tab-badge">{e.changeSet.params.length + e.changeSet.inputs.length}</span>
            )}
          </button>
        ))}
      </nav>
      <div className="exp-body">
        {/* The log stays mounted so switching tabs keeps its stream, scroll and follow state. */}
        <div className="exp-pane" hidden={tab !== 'Log'}>
          <LogView exp={e} />
        </div>
        {tab === 'Metrics' && <MetricsTab exp={e} />}
        {tab === 'Changes' && <ChangesTab exp={e} />}
        {tab === 'Attempts' && <AttemptsTab exp={e} />}
      </div>
    </div>
  );
}
