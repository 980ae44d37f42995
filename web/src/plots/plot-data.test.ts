import { describe, expect, it } from 'vitest';
import { assignColors } from './colors.js';
import { CONFUSION, LOSS, ROC, source } from './fixtures.js';
import { imageGrid, imageKey } from './images.js';
import { appendRows, mergeLiveUpdate } from './live-merge.js';
import { buildPlot, collectDefinitions, plotTitle } from './plot-data.js';
import { buildSpec } from './spec.js';

const two = [
  { label: 'main', source: source('a') },
  { label: 'exp-1', source: source('b', 'experiment', 0.5) },
];

describe('buildPlot', () => {
  it('draws a DVCLive series over step with the last column as y, one colour key per experiment', () => {
    const m = buildPlot(LOSS, two);
    expect(m.title).toBe('train/loss');
    expect(m.fields).toEqual(['loss']);
    expect(m.xLabel).toBe('step');
    expect(m.data).toHaveLength(6);
    expect(new Set(m.data.map((d) => d.exp))).toEqual(new Set(['main', 'exp-1']));
    expect(m.xType).toBe('quantitative');
  });

  it('reads per-file y columns and drops NaN points', () => {
    const m = buildPlot(ROC, two.slice(0, 1));
    expect(m.data.map((d) => [d.x, d.y])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('keeps confusion values as categories', () => {
    const m = buildPlot(CONFUSION, two.slice(0, 1));
    expect(m.xType).toBe('nominal');
    expect(m.data[1]).toMatchObject({ x: '0', y: '1' });
  });

  it('names a failed file per experiment', () => {
    const bad = { ...source('c'), errors: { 'eval/plots/roc.json': 'bad JSON' } };
    expect(buildPlot(ROC, [{ label: 'c', source: bad }]).errors).toEqual([
      'c: eval/plots/roc.json: bad JSON',
    ]);
  });

  it('lists each definition once across sources', () => {
    expect(collectDefinitions(two).map(plotTitle)).toEqual(['train/loss', 'ROC', 'Confusion matrix']);
  });

  it('leaves out a bare file plot that a named definition draws (confusion.json as a matrix only)', () => {
    const bare = (f: string) => ({ ...LOSS, id: f, x: null, files: [f] });
    const stagePlots = [bare('eval/plots/confusion.json'), bare('eval/plots/other.json')];
    const s = source('a');
    const sources = [{ label: 'main', source: { ...s, definitions: [...s.definitions, ...stagePlots] } }];
    expect(collectDefinitions(sources).map((d) => d.id)).toEqual([
      LOSS.id,
      'ROC',
      'Confusion matrix',
      'eval/plots/other.json',
    ]);
  });
});

describe('buildSpec', () => {
  it('colours by experiment with the stable colour map, for every template', () => {
    const colors = assignColors(['main', 'exp-1']);
    for (const template of ['linear', 'simple', 'smooth', 'scatter', 'bar_horizontal'] as const) {
      const spec = JSON.stringify(
        buildSpec({ ...buildPlot(LOSS, two), template }, { colors, smoothing: 0.6 }),
      );
      expect(spec).toContain(colors.get('exp-1'));
    }
    const conf = JSON.stringify(buildSpec(buildPlot(CONFUSION, two), { colors, smoothing: 0 }));
    expect(conf).toContain('"facet"');
  });
});

describe('images', () => {
  it('groups per-step images into rows with one cell per experiment', () => {
    expect(imageKey('dvclive/plots/images/pred/12.png')).toEqual({
      name: 'dvclive/plots/images/pred',
      step: 12,
    });
    const grid = imageGrid(two);
    expect(grid.map((g) => g.name)).toEqual(['dvclive/plots/images/pred', 'eval/importance.png']);
    expect(grid[0]?.rows.map((r) => r.step)).toEqual([0, 5]);
    expect(grid[0]?.rows[0]?.cells.map((c) => c.exp)).toEqual(['main', 'exp-1']);
  });
});

describe('live updates', () => {
  it('appends by step and replaces a resent step', () => {
    const rows = appendRows(
      [{ step: 0, loss: 1 }],
      [
        { step: 0, loss: 2 },
        { step: 1, loss: 3 },
      ],
    );
    expect(rows).toEqual([
      { step: 0, loss: 2 },
      { step: 1, loss: 3 },
    ]);
  });

  it('grows only the matching experiment and adds a default plot for a new series', () => {
    const sources = [source('a'), source('exp-1', 'experiment')];
    const row = {
      rev: 'x',
      message: '',
      author: '',
      date: '',
      branches: [],
      tags: [],
      hidden: false,
      parents: [],
      params: {},
      metrics: {},
      errors: {},
    };
    const out = mergeLiveUpdate(sources, {
      project: 'demo',
      id: 'id1',
      name: 'exp-1',
      baseline: 'a',
      status: 'running',
      step: 3,
      row,
      plots: {
        'dvclive/plots/metrics/train/loss.tsv': [{ step: 3, loss: 0.1 }],
        'dvclive/plots/metrics/acc.tsv': [{ step: 3, acc: 0.9 }],
      },
      images: [],
    });
    expect(out[0]).toBe(sources[0]);
    expect(out[1]?.series.find((s) => s.path.endsWith('loss.tsv'))?.rows).toHaveLength(4);
    expect(out[1]?.definitions.map((d) => d.id)).toContain('dvclive/plots/metrics/acc.tsv');
  });
});
