import type { DvcStage, DvcYaml } from './dvc-yaml-model.js';
import { joinPath } from './posix-path.js';

/** The pipeline graph: stages in a runnable order and, for each, the stages it depends on. */
export interface PipelineDag {
  order: DvcStage[];
  upstream: Map<string, Set<string>>;
}

export type DagResult = { ok: true; value: PipelineDag } | { ok: false; error: string };

/** Repo-relative paths of a stage's deps and outs (metrics and plots included). */
export function stagePaths(d: DvcYaml, s: DvcStage): { deps: string[]; outs: string[] } {
  const p = (x: string): string => joinPath(d.dir, s.wdir, x);
  return { deps: s.deps.map(p), outs: [...s.outs, ...s.metrics, ...s.plots].map((o) => p(o.path)) };
}

const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

export function buildDag(d: DvcYaml): DagResult {
  const upstream = new Map<string, Set<string>>();
  const producers: Array<{ stage: string; out: string }> = [];
  for (const s of d.stages) for (const out of stagePaths(d, s).outs) producers.push({ stage: s.name, out });
  for (let i = 0; i < producers.length; i++) {
    for (let j = i + 1; j < producers.length; j++) {
      const a = producers[i];
      const b = producers[j];
      if (a !== undefined && b !== undefined && overlaps(a.out, b.out)) {
        return {
          ok: false,
          error: `output '${b.out}' of stage '${b.stage}' overlaps output '${a.out}' of stage '${a.stage}'`,
        };
      }
    }
  }
  for (const s of d.stages) {
    const ups = new Set<string>();
    for (const dep of stagePaths(d, s).deps)
      for (const p of producers) if (p.stage !== s.name && overlaps(dep, p.out)) ups.add(p.stage);
    upstream.set(s.name, ups);
  }
  // Kahn's algorithm, taking stages in dvc.yaml order whenever several are ready
  const done = new Set<string>();
  const order: DvcStage[] = [];
  while (order.length < d.stages.length) {
    const next = d.stages.find(
      (s) => !done.has(s.name) && [...(upstream.get(s.name) ?? [])].every((u) => done.has(u)),
    );
    if (next === undefined) {
      const stuck = d.stages.filter((s) => !done.has(s.name)).map((s) => s.name);
      return {
        ok: false,
        error: `the pipeline has a cycle through stages ${stuck.map((n) => `'${n}'`).join(', ')}`,
      };
    }
    done.add(next.name);
    order.push(next);
  }
  return { ok: true, value: { order, upstream } };
}

/** Targets and everything upstream of them, in run order (all stages when no targets). */
export function selectStages(
  dag: PipelineDag,
  targets: string[],
): { ok: true; value: DvcStage[] } | { ok: false; error: string } {
  if (targets.length === 0) return { ok: true, value: dag.order };
  const names = new Set(dag.order.map((s) => s.name));
  const wanted = new Set<string>();
  const visit = (n: string): void => {
    if (wanted.has(n)) return;
    wanted.add(n);
    for (const u of dag.upstream.get(n) ?? []) visit(u);
  };
  for (const t of targets) {
    // a foreach group name selects all its generated stages, as `dvc repro train` does
    const members = names.has(t) ? [t] : [...names].filter((n) => n.startsWith(`${t}@`));
    if (members.length === 0) return { ok: false, error: `no stage named '${t}' in dvc.yaml` };
    members.forEach(visit);
  }
  return { ok: true, value: dag.order.filter((s) => wanted.has(s.name)) };
}

/** Names of the stages downstream of `changed` (inclusive). */
export function downstreamOf(dag: PipelineDag, changed: string[]): Set<string> {
  const out = new Set(changed);
  for (const s of dag.order)
    if ([...(dag.upstream.get(s.name) ?? [])].some((u) => out.has(u))) out.add(s.name);
  return out;
}
