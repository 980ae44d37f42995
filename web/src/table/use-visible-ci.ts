import { useEffect, useState } from 'react';
import type { CommitCiSummary } from '../../../src/contracts/ci.js';
import { useCiSummaries } from '../ci/use-ci-summaries.js';

/** How long the shown rows must stay put before their CI is asked for: a fling asks once, at the end. */
const SETTLE_MS = 150;

/**
 * CI summaries of the commits on screen only, asked for in one batch once scrolling settles;
 * summaries already fetched stay shown while new ones load.
 */
export function useVisibleCi(
  project: string,
  visibleShas: readonly string[],
): Readonly<Record<string, CommitCiSummary>> {
  const key = visibleShas.join(',');
  const [settled, setSettled] = useState(key);
  useEffect(() => {
    const t = window.setTimeout(() => setSettled(key), SETTLE_MS);
    return () => window.clearTimeout(t);
  }, [key]);
  return useCiSummaries(project, settled ? settled.split(',') : []);
}
