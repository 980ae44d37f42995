import { describe, expect, it } from 'vitest';
import type { TableColumn } from '../../../src/contracts/api.js';
import { columnGoal, inferGoal } from './goal.js';

const metric = (...path: string[]): TableColumn => ({
  id: `metrics:m.json:${path.join('.')}`,
  kind: 'metrics',
  file: 'm.json',
  path,
  types: ['number'],
});

describe('metric goals', () => {
  it('reads which way is better from loss-like and accuracy-like names, and leaves others neutral', () => {
    expect(inferGoal(metric('train', 'loss'))).toBe('lower');
    expect(inferGoal(metric('log_loss'))).toBe('lower');
    expect(inferGoal(metric('val_rmse'))).toBe('lower');
    expect(inferGoal(metric('val', 'acc'))).toBe('higher');
    expect(inferGoal(metric('f1'))).toBe('higher');
    expect(inferGoal(metric('roc_auc'))).toBe('higher');
    expect(inferGoal(metric('step'))).toBeUndefined();
    expect(inferGoal(metric('lossy_widgets_count'))).toBeUndefined();
  });
  it('lets a marked goal win and never gives params a goal', () => {
    const loss = metric('loss');
    expect(columnGoal(loss, { [loss.id]: 'higher' })).toBe('higher');
    expect(columnGoal({ ...loss, kind: 'params' }, {})).toBeUndefined();
  });
});
