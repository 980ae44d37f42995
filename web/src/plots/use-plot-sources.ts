import { useEffect, useMemo, useRef, useState } from 'react';
import type { LiveUpdate, PlotSource } from '../../../src/contracts/live.js';
import { insightsApi } from '../api-insights.js';
import { ApiFailure } from '../api-error.js';
import { useServerEvents } from '../use-server-events.js';
import { mergeLiveUpdate } from './live-merge.js';
import type { LabeledSource } from './plot-data.js';
import type { PlotTarget } from './targets.js';

type Entry = { state: 'loading' } | { state: 'ok'; source: PlotSource } | { state: 'error'; error: unknown };

export interface PlotSources {
  sources: LabeledSource[];
  loading: PlotTarget[];
  failed: { target: PlotTarget; error: unknown }[];
  retry: () => void;
}

/** A run that has not reported yet: nothing to plot so far, its curves come with its events. */
const nothingYet = (name: string): PlotSource => ({
  kind: 'experiment',
  id: name,
  rev: '',
  status: null,
  definitions: [],
  series: [],
  images: [],
  errors: {},
});

/**
 * A saved experiment is read at its result commit (falling back to its live data when the commit
 * is not fetched); a running one by name (live data) and, failing that, by its commit.
 */
async function load(project: string, t: PlotTarget): Promise<PlotSource> {
  if (t.saved && t.rev !== null && t.exp !== null) {
    const r = await insightsApi.plots(project, { exps: [], revs: [t.rev] }).catch(() => null);
    if (r?.sources[0]) return r.sources[0];
  }
  if (t.exp !== null) {
    try {
      const r = await insightsApi.plots(project, { exps: [t.exp], revs: [] });
      if (r.sources[0]) return r.sources[0];
    } catch (err) {
      if (!(err instanceof ApiFailure && err.status === 404)) throw err;
      if (t.rev === null) return nothingYet(t.exp);
    }
  }
  if (t.rev === null) throw new Error('this row has neither a commit nor a live experiment to plot');
  const r = await insightsApi.plots(project, { exps: [], revs: [t.rev] });
  const s = r.sources[0];
  if (!s) throw new Error('the server returned no plots for this commit');
  return s;
}

const isOf = (s: PlotSource, e: LiveUpdate): boolean =>
  s.kind === 'experiment' && (s.id === e.name || s.id === e.id);

/** Plot sources per target, each fetched once, growing live on `live.update`. */
export function usePlotSources(project: string, targets: readonly PlotTarget[]): PlotSources {
  const [entries, setEntries] = useState<ReadonlyMap<string, Entry>>(new Map());
  const requested = useRef(new Set<string>());
  // Updates that arrive while a target is being fetched: the answer may have been read before
  // them, so they are applied on top of it (a step sent twice replaces, never doubles).
  const missed = useRef(new Map<string, LiveUpdate[]>());
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    for (const t of targets) {
      if (requested.current.has(t.key)) continue;
      requested.current.add(t.key);
      missed.current.set(t.key, []);
      setEntries((m) => (m.get(t.key)?.state === 'ok' ? m : new Map(m).set(t.key, { state: 'loading' })));
      load(project, t).then(
        (loaded) => {
          const source = (missed.current.get(t.key) ?? []).reduce(
            (s, e) => mergeLiveUpdate([s], e)[0] ?? s,
            loaded,
          );
          missed.current.delete(t.key);
          setEntries((m) => new Map(m).set(t.key, { state: 'ok', source }));
        },
        (error: unknown) => {
          missed.current.delete(t.key);
          requested.current.delete(t.key);
          setEntries((m) => new Map(m).set(t.key, { state: 'error', error }));
        },
      );
    }
  }, [project, targets, generation]);

  useServerEvents({
    onLiveUpdate: (e) => {
      if (e.project !== project) return;
      let refetch = false;
      for (const t of targets) {
        if (t.exp !== e.name) continue;
        const inFlight = missed.current.get(t.key);
        if (inFlight) inFlight.push(e);
        const entry = entries.get(t.key);
        // Chosen before its first event, the run had nothing to plot: read it whole now that it
        // reports, to get its plot definitions too.
        const empty = entry?.state === 'ok' && entry.source.series.length === 0 && entry.source.rev === '';
        if (!inFlight && (empty || entry?.state === 'error')) {
          requested.current.delete(t.key);
          refetch = true;
        }
      }
      setEntries((m) => {
        let changed = false;
        const next = new Map(m);
        for (const [k, v] of m) {
          if (v.state !== 'ok' || !isOf(v.source, e)) continue;
          if (e.images.length > 0) requested.current.delete(k);
          const [merged] = mergeLiveUpdate([v.source], e);
          if (merged) next.set(k, { state: 'ok', source: merged });
          changed = true;
        }
        return changed ? next : m;
      });
      if (refetch || e.images.length > 0) setGeneration((g) => g + 1);
    },
  });

  return useMemo(() => {
    const sources: LabeledSource[] = [];
    const loading: PlotTarget[] = [];
    const failed: PlotSources['failed'] = [];
    for (const t of targets) {
      const e = entries.get(t.key);
      if (e?.state === 'ok') sources.push({ label: t.label, source: e.source });
      else if (e?.state === 'error') failed.push({ target: t, error: e.error });
      else loading.push(t);
    }
    return { sources, loading, failed, retry: () => setGeneration((g) => g + 1) };
  }, [targets, entries]);
}
