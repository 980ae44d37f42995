import { describe, expect, it } from 'vitest';
import { accuracy, columns, lr, rows } from './fixtures.js';
import { filterRows, looksLikeCondition, matchesText, parseCondition } from './filter.js';

const byId = new Map(columns.map((c) => [c.id, c]));

describe('filter', () => {
  it('matches text over message, branch, tag and author', () => {
    expect(matchesText(rows[0]!, 'MAIN')).toBe(true);
    expect(matchesText(rows[1]!, 'v1.0 eval')).toBe(true);
    expect(matchesText(rows[2]!, 'grace')).toBe(true);
    expect(matchesText(rows[2]!, 'grace main')).toBe(false);
  });
  it('applies numeric conditions; rows without a number fail them', () => {
    const out = filterRows(rows, '', [{ columnId: accuracy.id, op: '>', value: 0.8 }], byId);
    expect(out.map((r) => r.rev.slice(0, 2))).toEqual(['c3', 'b2']);
    expect(filterRows(rows, '', [{ columnId: lr.id, op: '=', value: 0.1 }], byId)).toHaveLength(2);
  });
  it('parses full and suffix column names', () => {
    expect(parseCondition('metrics eval/metrics.json accuracy > 0.8', columns)).toEqual({
      ok: true,
      condition: { columnId: accuracy.id, op: '>', value: 0.8 },
    });
    expect(parseCondition('train.lr<=1e-2', columns)).toEqual({
      ok: true,
      condition: { columnId: lr.id, op: '<=', value: 0.01 },
    });
    expect(parseCondition('lr == 2', columns)).toMatchObject({ ok: true, condition: { op: '=' } });
  });
  it('explains what it cannot parse', () => {
    expect(parseCondition('nope > 1', columns)).toEqual({ ok: false, error: 'No column matches "nope"' });
    expect(parseCondition('metrics.json train.loss > 1', columns)).toMatchObject({ ok: true });
    expect(parseCondition('train > 1', columns)).toMatchObject({ ok: false });
    expect(looksLikeCondition('fix bug')).toBe(false);
    expect(looksLikeCondition('acc > .5')).toBe(true);
  });
});
