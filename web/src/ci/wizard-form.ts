import { WizardInput, type WizardConfig } from '../../../src/contracts/ci.js';

/** The wizard's fields as typed: strings until they are parsed. */
export interface WizardForm {
  ci: WizardConfig['ci'];
  cloud: WizardConfig['cloud'];
  region: string;
  type: string;
  gpu: string;
  hdd: string;
  spot: boolean;
  reuse: WizardConfig['reuse'];
  labels: string;
  idleTimeout: string;
  script: string;
  pipeline: WizardConfig['pipeline'];
}

export const DEFAULT_FORM: WizardForm = {
  ci: 'github',
  cloud: 'aws',
  region: 'us-west',
  type: 'm',
  gpu: '',
  hdd: '100',
  spot: false,
  reuse: 'none',
  labels: 'cml',
  idleTimeout: '300',
  script: '',
  pipeline: 'exp-run',
};

export type FieldErrors = Partial<Record<keyof WizardForm, string>>;

const isField = (k: unknown): k is keyof WizardForm => typeof k === 'string' && k in DEFAULT_FORM;

const int = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s.trim()));

/** The request body for `POST /api/ci/workflow`, or why each field is wrong. */
export function toWizardInput(f: WizardForm): { input: WizardInput | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const hdd = int(f.hdd);
  const idle = int(f.idleTimeout);
  if (hdd !== undefined && !Number.isInteger(hdd)) errors.hdd = 'a whole number of GB';
  if (idle !== undefined && !Number.isInteger(idle)) errors.idleTimeout = 'a whole number of seconds';
  const raw = {
    ci: f.ci,
    cloud: f.cloud,
    region: f.region.trim(),
    type: f.type.trim(),
    gpu: f.gpu.trim() === '' ? undefined : f.gpu.trim(),
    hdd,
    spot: f.spot,
    reuse: f.reuse,
    labels: f.labels
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
    idleTimeout: idle,
    script: f.script.trim() === '' ? undefined : f.script,
    pipeline: f.pipeline,
  };
  const parsed = WizardInput.safeParse(raw);
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (isField(key) && errors[key] === undefined) errors[key] = issue.message;
    }
  if (Object.keys(errors).length > 0) return { input: null, errors };
  return { input: raw, errors };
}

/** Advice shown beside a field before the server is asked. */
export function hddHint(f: WizardForm): string | null {
  const hdd = int(f.hdd);
  if (hdd === undefined) return 'CML’s default disk is small: 100 GB or more is recommended';
  return Number.isFinite(hdd) && hdd < 100 ? 'Below 100 GB: datasets and Docker images may not fit' : null;
}
