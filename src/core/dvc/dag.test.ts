import { describe, expect, it } from 'vitest';
import { buildDag, downstreamOf, selectStages } from './dag.js';
import { parseDvcYaml } from './dvc-yaml.js';

function dag(text: string) {
  const d = parseDvcYaml(text);
  if (!d.ok) throw new Error(d.error);
  return buildDag(d.value);
}

const PIPE = `
stages:
  report:
    cmd: r
    deps: [models/a.pkl, models/b.pkl]
    outs: [report.md]
  train:
    foreach: [a, b]
    do:
      cmd: t \${item}
      deps: [data/clean]
      outs:
        - models/\${item}.pkl
  clean:
    cmd: c
    deps: [raw.csv]
    outs: [data/clean]
  side:
    cmd: s
    deps: [data/clean/part.csv]
    wdir: .
    outs: [side.txt]
`;

describe('pipeline DAG', () => {
  it('orders stages by deps and outs, keeping dvc.yaml order among ready stages', () => {
    const r = dag(PIPE);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.order.map((s) => s.name)).toEqual(['clean', 'train@a', 'train@b', 'report', 'side']);
    expect([...(r.value.upstream.get('side') ?? [])]).toEqual(['clean']);
    expect([...downstreamOf(r.value, ['train@a'])]).toEqual(['train@a', 'report']);
  });

  it('selects targets with their upstream, and foreach groups by name', () => {
    const r = dag(PIPE);
    if (!r.ok) throw new Error(r.error);
    const sel = (t: string[]): unknown => {
      const s = selectStages(r.value, t);
      return s.ok ? s.value.map((x) => x.name) : s.error;
    };
    expect(sel(['report'])).toEqual(['clean', 'train@a', 'train@b', 'report']);
    expect(sel(['train'])).toEqual(['clean', 'train@a', 'train@b']);
    expect(sel(['nope'])).toBe("no stage named 'nope' in dvc.yaml");
  });

  it('rejects cycles and overlapping outputs', () => {
    expect(
      dag(
        'stages:\n  a:\n    cmd: x\n    deps: [b.txt]\n    outs: [a.txt]\n  b:\n    cmd: y\n    deps: [a.txt]\n    outs: [b.txt]\n',
      ),
    ).toEqual({
      ok: false,
      error: "the pipeline has a cycle through stages 'a', 'b'",
    });
    expect(dag('stages:\n  a:\n    cmd: x\n    outs: [d]\n  b:\n    cmd: y\n    outs: [d/f]\n').ok).toBe(
      false,
    );
  });
});
