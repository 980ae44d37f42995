import { useState } from 'react';
import type { Experiment } from '../../../src/contracts/experiments.js';
import { runsApi } from '../api-runs.js';

/** A queued run's priority: higher runs first; saved on Enter or blur. */
export function PriorityField({
  exp,
  onChange,
  onError,
}: {
  exp: Experiment;
  onChange: (e: Experiment) => void;
  onError: (err: unknown) => void;
}) {
  const [text, setText] = useState(String(exp.priority));
  const [saving, setSaving] = useState(false);
  const save = () => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < -1000 || n > 1000 || n === exp.priority) {
      setText(String(exp.priority));
      return;
    }
    setSaving(true);
    runsApi.setPriority(exp.project, exp.name, n).then(
      (e) => {
        setSaving(false);
        onChange(e);
      },
      (err: unknown) => {
        setSaving(false);
        setText(String(exp.priority));
        onError(err);
      },
    );
  };
  return (
    <label className="exp-priority" title="Higher runs first; equal priorities run in submission order">
      <span className="muted">Priority</span>
      <input
        type="number"
        className="mono"
        min={-1000}
        max={1000}
        value={text}
        disabled={saving}
        onChange={(e) => setText(e.target.value)}
        onBlur={save}
        onKeyDown={(e) => e.key === 'Enter' && save()}
      />
    </label>
  );
}
