import { describe, expect, it } from 'vitest';
import { accuracy, columns, epochs, loss, lr, seed } from './fixtures.js';
import { buildColumnTree, headerDepth, headerSegments, moveIds, reconcileOrder } from './columns.js';

const labels = (level: number, cols = columns) =>
  headerSegments(cols, level).map((s) => [s.label, s.from, s.to]);

describe('column groups', () => {
  it('groups kind ▸ file ▸ key path', () => {
    expect(headerDepth(columns)).toBe(3);
    expect(labels(0)).toEqual([
      ['params', 0, 2],
      ['metrics', 3, 4],
    ]);
    expect(labels(1)).toEqual([
      ['params.yaml', 0, 2],
      ['eval/metrics.json', 3, 3],
      ['dvclive/metrics.json', 4, 4],
    ]);
    expect(labels(2)).toEqual([
      ['train', 1, 2],
      ['train', 4, 4],
    ]);
  });
  it('splits a group when a column is moved out of it', () => {
    expect(labels(2, [lr, seed, epochs])).toEqual([
      ['train', 0, 0],
      ['train', 2, 2],
    ]);
  });
  it('builds a tree for the columns menu', () => {
    const tree = buildColumnTree(columns);
    expect(tree.map((n) => n.label)).toEqual(['params', 'metrics']);
    const params = tree[0]!.children[0]!;
    expect(params.label).toBe('params.yaml');
    expect(params.children.map((n) => n.label)).toEqual(['seed', 'train']);
    expect(params.children[1]!.leafIds).toEqual([lr.id, epochs.id]);
  });
});

describe('ordering', () => {
  const order = columns.map((c) => c.id);
  it('moves columns before a target or to the end', () => {
    expect(moveIds(order, [accuracy.id], seed.id)).toEqual([accuracy.id, seed.id, lr.id, epochs.id, loss.id]);
    expect(moveIds(order, [lr.id, epochs.id], null)).toEqual([
      seed.id,
      accuracy.id,
      loss.id,
      lr.id,
      epochs.id,
    ]);
    expect(moveIds(order, [lr.id], lr.id)).toEqual(order);
  });
  it('reconciles a saved order with new columns', () => {
    expect(reconcileOrder(['gone', loss.id, seed.id], [seed, loss, lr])).toEqual([loss.id, seed.id, lr.id]);
    expect(reconcileOrder([], columns)).toEqual([accuracy.id, loss.id, seed.id, lr.id, epochs.id]);
  });
});
