import type { WizardConfig } from '../../contracts/ci.js';

/**
 * The default CI training script: install requirements, pull inputs, run the pipeline (live
 * metrics reach Kiln through DVC_STUDIO_URL/DVC_STUDIO_TOKEN), push outputs, post a CML report.
 */
export function defaultCiScript(pipeline: WizardConfig['pipeline']): string {
  const run = pipeline === 'repro' ? 'dvc repro' : 'dvc exp run';
  return [
    'if [ -f requirements.txt ]; then pip install -r requirements.txt; fi',
    'dvc pull --allow-missing',
    run,
    'dvc push',
    '',
    '# Report: metrics and params against the previous commit.',
    'echo "## Metrics" > report.md',
    'dvc metrics diff HEAD~1 --md >> report.md || dvc metrics show --md >> report.md',
    'echo "## Params" >> report.md',
    'dvc params diff HEAD~1 --md >> report.md || true',
    'cml comment create report.md',
  ].join('\n');
}

/** The job script the wizard puts in the training job. */
export function jobScript(c: WizardConfig): string {
  const s = c.script?.trim();
  return s ? s : defaultCiScript(c.pipeline);
}
