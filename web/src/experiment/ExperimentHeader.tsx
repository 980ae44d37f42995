import type { Experiment } from '../../../src/contracts/experiments.js';
import { isFinished } from '../../../src/contracts/experiments.js';
import { projectPath } from '../router.js';
import { Elapsed } from '../ui/Elapsed.js';
import { Link } from '../ui/Link.js';
import { LaunchNote } from '../ui/LaunchNote.js';
import { StatusChip } from '../ui/StatusChip.js';
import { shortDate } from '../ui/time.js';
import { formatDuration } from '../run/format.js';
import { timings } from './timings.js';
import { describeMachine, describePrice, money } from '../run/machine.js';
import { costSoFar, whereText } from './placement.js';

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="exp-fact">
      <span className="exp-fact-label">{label}</span>
      <span className="exp-fact-value">{children}</span>
    </div>
  );
}

export function ExperimentHeader({ exp, actions }: { exp: Experiment; actions: React.ReactNode }) {
  const t = timings(exp);
  const running = exp.startedAt !== null && !isFinished(exp.status);
  const where = whereText(exp);
  const cost = costSoFar(exp);
  return (
    <header className="exp-head">
      <div className="crumbs">
        <Link to="/">Projects</Link> / <Link to={projectPath(exp.project)}>{exp.project}</Link> / experiments
      </div>
      <div className="exp-title">
        <h1 className="mono">{exp.name}</h1>
        <StatusChip status={exp.status} since={exp.startedAt} />
        {exp.sweepId && (
          <span className="chip" title={`sweep ${exp.sweepId}`}>
            sweep
          </span>
        )}
        <span className="grow" />
        {actions}
      </div>
      {exp.message && <p className="exp-message">{exp.message}</p>}
      {exp.status === 'queued' && exp.launch ? (
        <div className="banner banner-error">
          <LaunchNote launch={exp.launch} />
        </div>
      ) : (
        exp.error &&
        exp.error !== exp.status && (
          <div
            className={exp.status === 'cancelled' ? 'banner exp-note' : 'banner banner-error'}
            role={exp.status === 'cancelled' ? 'status' : 'alert'}
          >
            {exp.error}
            {exp.exitCode !== null ? ` (exit code ${String(exp.exitCode)})` : ''}
          </div>
        )
      )}
      <div className="exp-facts">
        <Fact label="Baseline">
          <Link to={projectPath(exp.project)} className="sha">
            {exp.baseline.slice(0, 7)}
          </Link>
        </Fact>
        <Fact label="Target">
          {exp.target === 'local' ? (
            <>
              local <span className="muted">· this server’s machine</span>
            </>
          ) : (
            <>
              {exp.target}
              {exp.placement && <span className="run-kind">{exp.placement.target}</span>}
            </>
          )}
        </Fact>
        {exp.machine && (
          <Fact label="Machine">
            <span className="mono" title={describePrice(exp.machine)}>
              {describeMachine(exp.machine)}
            </span>
          </Fact>
        )}
        {where && exp.target !== 'local' && (
          <Fact label="Ran on">
            <span className="mono">{where}</span>
          </Fact>
        )}
        {cost !== null && (
          <Fact label={isFinished(exp.status) ? 'Cost' : 'Cost so far'}>
            <span className="mono" title="On-demand hourly price × time since the machine took the run">
              {money(cost)}
            </span>
          </Fact>
        )}
        <Fact label="Queued">{shortDate(exp.createdAt)}</Fact>
        <Fact label="Waited">
          {exp.status === 'queued' ? (
            <Elapsed since={Date.parse(exp.createdAt)} />
          ) : t.waitMs !== null ? (
            formatDuration(t.waitMs)
          ) : (
            '—'
          )}
        </Fact>
        <Fact label="Ran">
          {running && exp.startedAt ? (
            <Elapsed since={Date.parse(exp.startedAt)} />
          ) : t.runMs !== null ? (
            <span className="mono">{formatDuration(t.runMs)}</span>
          ) : (
            '—'
          )}
        </Fact>
        {exp.exitCode !== null && <Fact label="Exit code">{exp.exitCode}</Fact>}
        <Fact label="Result">
          {exp.resultCommit ? (
            <span className="sha" title={exp.ref}>
              {exp.resultCommit.slice(0, 7)}
            </span>
          ) : (
            <span className="muted">{isFinished(exp.status) ? 'none' : 'after the run'}</span>
          )}
        </Fact>
      </div>
    </header>
  );
}
