import type { ReactNode } from 'react';
import { CiCloud, CiSystem, SYNTHETIC_REGIONS, SYNTHETIC_TYPES } from '../../../src/contracts/ci.js';
import { hddHint, type FieldErrors, type WizardForm } from './wizard-form.js';

const CI_NAMES: Record<CiSystem, string> = {
  github: 'GitHub Actions',
  gitlab: 'GitLab CI',
  bitbucket: 'Bitbucket Pipelines',
};
const CLOUD_NAMES: Record<CiCloud, string> = {
  aws: 'AWS',
  azure: 'Azure',
  gcp: 'GCP',
  kubernetes: 'Kubernetes',
};
const GPUS = ['', 't4', 'k80', 'v100', 'tesla'];

interface Props {
  form: WizardForm;
  errors: FieldErrors;
  onChange: (patch: Partial<WizardForm>) => void;
}

function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string | null;
  children: ReactNode;
}) {
  return (
    <label className={`wz-field${error ? ' wz-invalid' : ''}`}>
      <span className="wz-label">{label}</span>
      {children}
      {error ? (
        <span className="wz-error">{error}</span>
      ) : hint ? (
        <span className="wz-hint">{hint}</span>
      ) : null}
    </label>
  );
}

export function WizardFields({ form, errors, onChange }: Props) {
  return (
    <>
      <fieldset className="wz-group">
        <legend>CI system</legend>
        <div className="segmented wz-seg">
          {CiSystem.options.map((c) => (
            <button
              key={c}
              type="button"
              className={form.ci === c ? 'seg active' : 'seg'}
              aria-pressed={form.ci === c}
              onClick={() => onChange({ ci: c })}
            >
              {CI_NAMES[c]}
            </button>
          ))}
        </div>
      </fieldset>
      <fieldset className="wz-group">
        <legend>Runner</legend>
        <div className="wz-grid">
          <Field label="Cloud">
            <select value={form.cloud} onChange={(e) => onChange({ cloud: CiCloud.parse(e.target.value) })}>
              {CiCloud.options.map((c) => (
                <option key={c} value={c}>
                  {CLOUD_NAMES[c]}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Region"
            error={errors.region}
            hint={
              form.cloud === 'kubernetes' ? 'ignored on Kubernetes' : 'synthetic or native, e.g. eu-central-1'
            }
          >
            <input
              list="wz-regions"
              value={form.region}
              onChange={(e) => onChange({ region: e.target.value })}
              name="region"
            />
          </Field>
          <Field label="Type" error={errors.type} hint="s, m, l, xl (+t4…) or native, e.g. p3.2xlarge">
            <input
              list="wz-types"
              value={form.type}
              onChange={(e) => onChange({ type: e.target.value })}
              name="type"
            />
          </Field>
          <Field label="GPU" error={errors.gpu}>
            <input
              list="wz-gpus"
              value={form.gpu}
              placeholder="none"
              onChange={(e) => onChange({ gpu: e.target.value })}
              name="gpu"
            />
          </Field>
          <Field label="Disk (GB)" error={errors.hdd} hint={hddHint(form)}>
            <input
              inputMode="numeric"
              value={form.hdd}
              onChange={(e) => onChange({ hdd: e.target.value })}
              name="hdd"
            />
          </Field>
          <Field label="Idle timeout (s)" error={errors.idleTimeout} hint="-1 keeps the runner forever">
            <input
              inputMode="numeric"
              value={form.idleTimeout}
              onChange={(e) => onChange({ idleTimeout: e.target.value })}
              name="idleTimeout"
            />
          </Field>
          <Field label="Labels" error={errors.labels} hint="comma-separated; the job runs on the first">
            <input value={form.labels} onChange={(e) => onChange({ labels: e.target.value })} name="labels" />
          </Field>
          <Field label="Reuse">
            <select
              value={form.reuse}
              onChange={(e) =>
                onChange({
                  reuse:
                    e.target.value === 'reuse'
                      ? 'reuse'
                      : e.target.value === 'reuse-idle'
                        ? 'reuse-idle'
                        : 'none',
                })
              }
            >
              <option value="none">launch a new runner</option>
              <option value="reuse">reuse a runner with the labels</option>
              <option value="reuse-idle">reuse an idle one</option>
            </select>
          </Field>
        </div>
        <label className="switch wz-spot">
          <input type="checkbox" checked={form.spot} onChange={(e) => onChange({ spot: e.target.checked })} />
          <span>Spot / preemptible instance</span>
        </label>
      </fieldset>
      <fieldset className="wz-group">
        <legend>Job</legend>
        <Field label="Pipeline">
          <select
            value={form.pipeline}
            onChange={(e) => onChange({ pipeline: e.target.value === 'repro' ? 'repro' : 'exp-run' })}
          >
            <option value="exp-run">dvc exp run — live metrics to Kiln</option>
            <option value="repro">dvc repro</option>
          </select>
        </Field>
        <Field
          label="Job script"
          error={errors.script}
          hint="Empty: install requirements, run the pipeline, push with DVC, post a CML report"
        >
          <textarea
            rows={6}
            value={form.script}
            spellCheck={false}
            placeholder={'pip install -r requirements.txt\ndvc exp run\ndvc push'}
            onChange={(e) => onChange({ script: e.target.value })}
            name="script"
          />
        </Field>
      </fieldset>
      <datalist id="wz-regions">
        {SYNTHETIC_REGIONS.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>
      <datalist id="wz-types">
        {SYNTHETIC_TYPES.flatMap((t) => [t, `${t}+t4`, `${t}+v100`]).map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <datalist id="wz-gpus">
        {GPUS.filter(Boolean).map((g) => (
          <option key={g} value={g} />
        ))}
      </datalist>
    </>
  );
}
