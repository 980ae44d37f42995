import { useEffect, useState } from 'react';
import type { ComputeProfile, ResolvedMachine } from '../../../src/contracts/compute.js';
import { runsApi } from '../api-runs.js';
import { ErrorBanner } from '../ui/States.js';
import {
  SYNTHETIC,
  describeMachine,
  describePrice,
  isCloud,
  machineOverrides,
  money,
  type MachineDraft,
} from './machine.js';
import { formatDuration } from './format.js';

interface Props {
  profiles: readonly ComputeProfile[];
  loading: boolean;
  error: unknown;
  target: string;
  machine: MachineDraft;
  timeoutMin: number;
  onTarget: (target: string) => void;
  onMachine: (m: MachineDraft) => void;
  onTimeout: (min: number) => void;
}

/** One line under a profile's name: what it gives by default. */
function profileLine(p: ComputeProfile): string {
  const s = p.settings;
  if (p.resolved)
    return `${p.resolved.type} in ${p.resolved.region}${p.resolved.spot ? ' · spot' : ''}${
      p.resolved.pricePerHour !== null ? ` · ${money(p.resolved.pricePerHour)}/h` : ''
    }`;
  const str = (k: string) => (typeof s[k] === 'string' || typeof s[k] === 'number' ? String(s[k]) : null);
  const parts: (string | null)[] =
    p.kind === 'ssh'
      ? [Array.isArray(s.hosts) ? s.hosts.map(String).join(', ') : null]
      : p.kind === 'slurm'
        ? [
            str('partition') ? `partition ${String(str('partition'))}` : 'default partition',
            str('cpus') ? `${String(str('cpus'))} CPUs` : null,
            Number(s.gpus) > 0 ? `${String(s.gpus)} GPU` : null,
          ]
        : p.kind === 'kubernetes'
          ? [str('namespace'), str('image'), Number(s.gpus) > 0 ? `${String(s.gpus)} GPU` : null]
          : [];
  return [...parts, `at most ${String(p.limits.maxInstances)} at once`].filter(Boolean).join(' · ');
}

function Field({
  label,
  value,
  placeholder,
  list,
  onChange,
  inputMode,
}: {
  label: string;
  value: string;
  placeholder: string;
  list?: string;
  onChange: (v: string) => void;
  inputMode?: 'numeric' | 'decimal';
}) {
  return (
    <label className="field run-machine-field">
      <span>{label}</span>
      <input
        className="mono"
        value={value}
        placeholder={placeholder}
        list={list}
        inputMode={inputMode}
        aria-label={label}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

/** The resolved machine and its price for the current overrides, asked of the server as they change. */
function useResolved(profile: string | null, machine: MachineDraft, timeoutSec: number) {
  const [state, setState] = useState<{ data: ResolvedMachine | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: false,
  });
  const { overrides, errors } = machineOverrides(machine);
  const key = profile && errors.length === 0 ? JSON.stringify({ profile, overrides, timeoutSec }) : null;
  useEffect(() => {
    if (key === null || profile === null) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const t = setTimeout(() => {
      runsApi.resolve(profile, { ...overrides, timeoutSec }, ctl.signal).then(
        (data) => setState({ data, error: null, loading: false }),
        (error: unknown) => {
          if (!ctl.signal.aborted) setState({ data: null, error, loading: false });
        },
      );
    }, 250);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
    // `key` holds every input of the request.
  }, [key]);
  return { ...state, errors };
}

function CloudMachine({
  profile,
  machine,
  timeoutSec,
  onMachine,
}: {
  profile: ComputeProfile;
  machine: MachineDraft;
  timeoutSec: number;
  onMachine: (m: MachineDraft) => void;
}) {
  const s = profile.settings;
  const def = (k: string) => (s[k] === undefined || s[k] === null ? '' : String(s[k]));
  const set = (p: Partial<MachineDraft>) => onMachine({ ...machine, ...p });
  const resolved = useResolved(profile.name, machine, timeoutSec);
  const spotOn = machine.spot === 'profile' ? s.spot === true : machine.spot === 'on';
  return (
    <div className="run-machine" aria-label="Machine">
      <div className="run-machine-grid">
        <Field
          label="Region"
          value={machine.region}
          placeholder={def('region')}
          list="kiln-regions"
          onChange={(region) => set({ region })}
        />
        <Field
          label="Instance type"
          value={machine.type}
          placeholder={def('type')}
          list="kiln-types"
          onChange={(type) => set({ type })}
        />
        <Field
          label="GPU"
          value={machine.gpu}
          placeholder={def('gpu') || 'none'}
          list="kiln-gpus"
          onChange={(gpu) => set({ gpu })}
        />
        <Field
          label="Disk (GB)"
          value={machine.diskGb}
          placeholder={def('diskGb')}
          inputMode="numeric"
          onChange={(diskGb) => set({ diskGb })}
        />
        <label className="field run-machine-field">
          <span>Pricing</span>
          <select
            aria-label="Pricing"
            value={machine.spot}
            onChange={(e) => set({ spot: e.target.value as MachineDraft['spot'] })}
          >
            <option value="profile">{s.spot === true ? 'Spot (profile)' : 'On demand (profile)'}</option>
            <option value="on">Spot</option>
            <option value="off">On demand</option>
          </select>
        </label>
        {spotOn && (
          <Field
            label="Max price ($/h)"
            value={machine.maxPrice}
            placeholder={def('maxPrice') || 'provider’s price'}
            inputMode="decimal"
            onChange={(maxPrice) => set({ maxPrice })}
          />
        )}
      </div>
      {(['region', 'type', 'gpu'] as const).map((k) => (
        <datalist key={k} id={`kiln-${k}s`}>
          {SYNTHETIC[k].map((v) => (
            <option key={v} value={v} />
          ))}
        </datalist>
      ))}
      <div className="run-machine-resolved" aria-live="polite" aria-busy={resolved.loading}>
        {resolved.errors.length > 0 ? (
          <div className="run-param-error" role="alert">
            {resolved.errors.join('; ')}
          </div>
        ) : resolved.error !== null ? (
          <div className="run-param-error run-machine-error" role="alert">
            {resolved.error instanceof Error ? resolved.error.message : String(resolved.error)}
          </div>
        ) : resolved.data ? (
          <>
            <div>
              <span className="muted">Resolves to </span>
              <b className="mono run-machine-type">{describeMachine(resolved.data)}</b>
              <span className="muted"> in {resolved.data.zone ?? resolved.data.region}</span>
            </div>
            <div className="run-machine-price">{describePrice(resolved.data)}</div>
          </>
        ) : (
          <div className="skeleton-bar run-target-skeleton" />
        )}
      </div>
    </div>
  );
}

/** Where the run goes: this server's machine or a compute profile, with a cloud machine's overrides. */
export function ComputeTab(props: Props) {
  const { profiles, target, machine, timeoutMin, onTarget, onMachine, onTimeout } = props;
  const list = profiles.filter((p) => p.kind !== 'local');
  const chosen = list.find((p) => p.name === target);
  const maxSec = chosen?.limits.maxTimeoutSec;
  const overLimit = maxSec !== undefined && timeoutMin * 60 > maxSec;
  return (
    <div className="run-compute">
      <h3 className="run-section">Target</h3>
      <div className="run-targets" role="radiogroup" aria-label="Target">
        <label className={target === 'local' ? 'run-target selected' : 'run-target'}>
          <input type="radio" name="target" checked={target === 'local'} onChange={() => onTarget('local')} />
          <div>
            <b>local</b>
            <div className="muted">This Kiln server’s machine, through its own agents.</div>
          </div>
        </label>
        {props.loading && list.length === 0 && <div className="skeleton-bar run-target-skeleton" />}
        {list.map((p) => (
          <label key={p.name} className={target === p.name ? 'run-target selected' : 'run-target'}>
            <input
              type="radio"
              name="target"
              aria-label={p.name}
              checked={target === p.name}
              onChange={() => onTarget(p.name)}
            />
            <div className="grow">
              <b>{p.name}</b> <span className="run-kind">{p.kind}</span>
              <div className="muted">{profileLine(p)}</div>
            </div>
          </label>
        ))}
      </div>
      {props.error !== null && <ErrorBanner error={props.error} />}
      {chosen && isCloud(chosen.kind) && (
        <>
          <h3 className="run-section">Machine</h3>
          <p className="muted run-hint">
            Empty fields keep the profile’s values. Synthetic names (regions {SYNTHETIC.region.join(', ')};
            types {SYNTHETIC.type.join(', ')}; GPUs {SYNTHETIC.gpu.join(', ')}) map to each cloud as CML does;
            native names pass through.
          </p>
          <CloudMachine
            profile={chosen}
            machine={machine}
            timeoutSec={Math.round(timeoutMin * 60)}
            onMachine={onMachine}
          />
        </>
      )}
      <h3 className="run-section">Timeout</h3>
      <label className="run-timeout">
        <input
          type="number"
          className="run-input mono num"
          min={1}
          max={7 * 24 * 60}
          value={timeoutMin}
          aria-label="Timeout in minutes"
          aria-invalid={overLimit}
          onChange={(e) => onTimeout(Math.max(1, Math.min(7 * 24 * 60, Number(e.target.value) || 1)))}
        />
        <span className="muted">minutes — the run is stopped and marked failed after this.</span>
      </label>
      {overLimit && chosen && (
        <div className="run-param-error" role="alert">
          {chosen.name} allows runs of at most {formatDuration(chosen.limits.maxTimeoutSec * 1000)}.
        </div>
      )}
    </div>
  );
}
