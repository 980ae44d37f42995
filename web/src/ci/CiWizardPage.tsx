import { useMemo, useState } from 'react';
import { errorMessage } from '../api-error.js';
import { CommitWorkflow } from './CommitWorkflow.js';
import { useWorkflow } from './use-workflow.js';
import { WizardFields } from './WizardFields.js';
import { DEFAULT_FORM, toWizardInput, type WizardForm } from './wizard-form.js';
import './ci.css';

export function CiWizardPage({ project }: { project: string | null }) {
  const [form, setForm] = useState<WizardForm>(DEFAULT_FORM);
  const { input, errors } = useMemo(() => toWizardInput(form), [form]);
  const wf = useWorkflow(input);
  const [copied, setCopied] = useState(false);
  const shown = wf.state === 'ok' ? wf.workflow : wf.state === 'idle' ? null : wf.last;

  const copy = () => {
    if (!shown) return;
    void navigator.clipboard.writeText(shown.workflow).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };

  return (
    <div className="page wz-page">
      <h1>CI wizard</h1>
      <p className="muted wz-intro">
        A workflow that launches a cloud runner with <code>cml runner launch</code>, trains on it and reports
        live metrics to Kiln. It updates as you type.
      </p>
      <div className="wz-layout">
        <form className="wz-form card" onSubmit={(e) => e.preventDefault()} aria-label="Workflow settings">
          <WizardFields form={form} errors={errors} onChange={(p) => setForm((f) => ({ ...f, ...p }))} />
        </form>
        <section className="wz-output" aria-label="Generated workflow">
          <header className="wz-output-head">
            <span className="mono wz-path">{shown?.path ?? '…'}</span>
            {wf.state === 'loading' && <span className="wz-updating">updating…</span>}
            <button className="btn btn-sm" onClick={copy} disabled={!shown}>
              {copied ? 'Copied ✓' : 'Copy to clipboard'}
            </button>
          </header>
          {input === null && (
            <div className="wz-banner wz-banner-error" role="alert">
              Fix the highlighted fields to update the workflow.
            </div>
          )}
          {wf.state === 'error' && (
            <div className="wz-banner wz-banner-error" role="alert">
              Could not generate the workflow: {errorMessage(wf.error)}
            </div>
          )}
          {shown?.warnings.map((w) => (
            <div key={w} className="wz-banner">
              {w}
            </div>
          ))}
          <pre className={`wz-code${wf.state === 'loading' ? ' stale' : ''}`} data-testid="workflow">
            {shown?.workflow ?? ''}
          </pre>
          {shown && shown.secrets.length > 0 && (
            <div className="wz-secrets">
              Repository secrets this workflow needs:{' '}
              {shown.secrets.map((s) => (
                <code key={s}>{s}</code>
              ))}
            </div>
          )}
          <CommitWorkflow project={project} workflow={shown} />
        </section>
      </div>
    </div>
  );
}
