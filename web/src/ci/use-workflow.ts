import { useEffect, useRef, useState } from 'react';
import type { GeneratedWorkflow, WizardInput } from '../../../src/contracts/ci.js';
import { insightsApi } from '../api-insights.js';

export type WorkflowState =
  | { state: 'idle' }
  | { state: 'loading'; last: GeneratedWorkflow | null }
  | { state: 'ok'; workflow: GeneratedWorkflow }
  | { state: 'error'; error: unknown; last: GeneratedWorkflow | null };

const lastOf = (s: WorkflowState): GeneratedWorkflow | null =>
  s.state === 'ok' ? s.workflow : s.state === 'idle' ? null : s.last;

/** The generated workflow for the input, asked for after typing pauses; stale answers are dropped. */
export function useWorkflow(input: WizardInput | null, delayMs = 250): WorkflowState {
  const [state, setState] = useState<WorkflowState>({ state: 'idle' });
  const key = input === null ? null : JSON.stringify(input);
  const latest = useRef(input);
  latest.current = input;
  useEffect(() => {
    const body = latest.current;
    if (key === null || body === null) return;
    const abort = new AbortController();
    setState((s) => ({ state: 'loading', last: lastOf(s) }));
    const timer = setTimeout(() => {
      insightsApi.ciWorkflow(body, abort.signal).then(
        (workflow) => setState({ state: 'ok', workflow }),
        (error: unknown) => {
          if (!abort.signal.aborted) setState((s) => ({ state: 'error', error, last: lastOf(s) }));
        },
      );
    }, delayMs);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [key, delayMs]);
  return state;
}
