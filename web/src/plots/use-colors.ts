import { useMemo, useRef } from 'react';
import { assignColors } from './colors.js';

/** Experiment label → colour, kept for as long as the component lives. */
export function useStableColors(labels: readonly string[]): Map<string, string> {
  const previous = useRef<ReadonlyMap<string, string>>(new Map());
  const key = labels.join('\u0000');
  return useMemo(() => {
    const next = assignColors(key === '' ? [] : key.split('\u0000'), previous.current);
    // Remember colours of experiments that left, so they come back with the same one.
    previous.current = new Map([...previous.current, ...next]);
    return next;
  }, [key]);
}
