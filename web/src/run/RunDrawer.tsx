import { useEffect, useMemo, useRef, useState } from 'react';
import type { CiCommitResult } from '../../../src/contracts/ci.js';
import type { CreatedExperiments } from '../../../src/contracts/experiments.js';
import { runsApi, type RunForm } from '../api-runs.js';
import { useAsync } from '../use-async.js';
import { ErrorBanner, ErrorState, Skeleton } from '../ui/States.js';
import { CiTab } from './CiTab.js';
import { ComputeTab } from './ComputeTab.js';
import { InputsTab } from './InputsTab.js';
import { ParamsTab } from './ParamsTab.js';
import { RunFooter } from './RunFooter.js';
import { ScriptTab } from './ScriptTab.js';
import { ciBody, createBody, emptyDraft, summarize, type CiDraft, type RunDraft } from './run-form.js';
import { useUploads } from './use-uploads.js';
import { BaselinePicker } from './BaselinePicker.js';
import type { BaselineChoice, RunSource } from './run-source.js';
import './run.css';

interface Props {
  project: string;
  source: RunSource;
  /** Branches, tags and recent commits the person may run from instead of `source`. */
  choices: readonly BaselineChoice[];
  onClose: () => void;
  onCreated: (created: CreatedExperiments) => void;
}

const TABS = ['Parameters', 'Input data', 'Script', 'Compute', 'CI'] as const;
type Tab = (typeof TABS)[number];

function DrawerBody({ project, form, onClose, onCreated }: Props & { form: RunForm }) {
  const [tab, setTab] = useState<Tab>('Parameters');
  const [draft, setDraft] = useState<RunDraft>(() => emptyDraft(form.suggestedName));
  const [ci, setCi] = useState<CiDraft>({
    message: '',
    description: '',
    branch: 'new',
    newBranch: `exp-${form.suggestedName}`,
    base: '',
    skipStudio: false,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [ciResult, setCiResult] = useState<CiCommitResult | null>(null);
  const patch = (p: Partial<RunDraft>) => setDraft((d) => ({ ...d, ...p }));
  const uploads = useUploads(project, (f) =>
    setDraft((d) => ({ ...d, inputs: [...d.inputs.filter((i) => i.path !== f.path), f] })),
  );
  const profiles = useAsync(() => runsApi.profiles(), 'run-compute-profiles');
  const profile = profiles.data?.profiles.find((p) => p.name === draft.target);
  const summary = useMemo(
    () => summarize(form.params, draft, form.defaultScript, profile),
    [form, draft, profile],
  );

  const run = () => {
    setBusy(true);
    setError(null);
    runsApi.create(project, createBody(form.baseline, form.params, draft, form.defaultScript, profile)).then(
      (created) => {
        setBusy(false);
        onCreated(created);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };

  const commit = () => {
    setBusy(true);
    setError(null);
    setCiResult(null);
    runsApi.ciCommit(project, ciBody(form.baseline, form.params, draft, ci)).then(
      (r) => {
        setBusy(false);
        setCiResult(r);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };

  const badges: Partial<Record<Tab, number>> = {
    Parameters: summary.paramChanges,
    'Input data': draft.inputs.length + uploads.progress.size,
    Script: Number(summary.scriptChanged),
    Compute: Number(draft.target !== 'local'),
  };

  return (
    <>
      <nav className="run-tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'run-tab active' : 'run-tab'}
            onClick={() => setTab(t)}
          >
            {t}
            {(badges[t] ?? 0) > 0 && <span className="run-tab-badge">{badges[t]}</span>}
          </button>
        ))}
      </nav>
      <div className="run-body">
        <div hidden={tab !== 'Parameters'}>
          <ParamsTab
            params={form.params}
            draft={draft}
            onParam={(id, text) =>
              setDraft((d) => {
                const params = { ...d.params };
                if (text === undefined) delete params[id];
                else params[id] = text;
                return { ...d, params };
              })
            }
          />
        </div>
        <div hidden={tab !== 'Input data'}>
          <InputsTab
            inputs={form.inputs}
            replaced={draft.inputs}
            uploads={uploads}
            onRemove={(p) => patch({ inputs: draft.inputs.filter((i) => i.path !== p) })}
          />
        </div>
        <div hidden={tab !== 'Script'}>
          <ScriptTab
            script={draft.script}
            defaultScript={form.defaultScript}
            onScript={(script) => patch({ script })}
          />
        </div>
        <div hidden={tab !== 'Compute'}>
          <ComputeTab
            profiles={profiles.data?.profiles ?? []}
            loading={profiles.loading}
            error={profiles.error}
            target={draft.target}
            machine={draft.machine}
            timeoutMin={draft.timeoutMin}
            onTarget={(target) => {
              // A profile's time limit caps the timeout the form had.
              const max = profiles.data?.profiles.find((p) => p.name === target)?.limits.maxTimeoutSec;
              patch({
                target,
                ...(max !== undefined && draft.timeoutMin * 60 > max
                  ? { timeoutMin: Math.floor(max / 60) }
                  : {}),
              });
            }}
            onMachine={(machine) => patch({ machine })}
            onTimeout={(timeoutMin) => patch({ timeoutMin })}
          />
        </div>
        <div hidden={tab !== 'CI'}>
          <CiTab
            project={project}
            ci={ci}
            onCi={setCi}
            sweeping={summary.experiments > 1}
            changes={summary.changes}
            busy={busy}
            error={tab === 'CI' ? error : null}
            result={ciResult}
            onCommit={commit}
          />
        </div>
      </div>
      {tab !== 'CI' && <ErrorBanner error={error} onClose={() => setError(null)} />}
      {tab !== 'CI' && (
        <RunFooter
          draft={draft}
          summary={summary}
          onDraft={patch}
          busy={busy}
          uploading={uploads.busy}
          onRun={run}
          onClose={onClose}
        />
      )}
    </>
  );
}

/** The Run drawer: prefilled from one commit, changes applied as a change set on Run. */
export function RunDrawer(props: Props) {
  const { project, choices, onClose } = props;
  // The person may change the baseline before anything else; the form is read again for it.
  const [source, setSource] = useState<RunSource>(props.source);
  const form = useAsync(() => runsApi.form(project, source.rev), `${project}@${source.rev}`);

  const panel = useRef<HTMLElement>(null);
  // Focus moves into the dialog so Tab starts at its first field and screen readers announce it.
  useEffect(() => panel.current?.focus(), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div className="run-overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <aside
        ref={panel}
        tabIndex={-1}
        className="run-drawer"
        role="dialog"
        aria-modal="true"
        aria-label="Run an experiment"
      >
        <header className="run-head">
          <div className="run-head-title">
            <h2>Run an experiment</h2>
            <BaselinePicker source={source} choices={choices} onChange={setSource} />
          </div>
          <button className="btn-icon" aria-label="Close" title="Close (Esc)" onClick={onClose}>
            ×
          </button>
        </header>
        {form.data ? (
          <DrawerBody {...props} source={source} form={form.data} key={form.data.baseline} />
        ) : form.error !== null ? (
          <ErrorState title="Could not read this commit’s params" error={form.error} onRetry={form.reload} />
        ) : (
          <div className="run-body">
            <Skeleton rows={10} columns={3} />
          </div>
        )}
      </aside>
    </div>
  );
}
