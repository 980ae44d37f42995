import { describe, expect, it } from 'vitest';
import { ciBody, createBody, emptyDraft, summarize } from './run-form.js';

const params = [
  { file: 'params.yaml', key: 'train.lr', value: 0.1 },
  { file: 'params.yaml', key: 'train.epochs', value: 10 },
  { file: 'params.yaml', key: 'model.name', value: 'lr' },
];

describe('run draft', () => {
  it('counts changes and sweep size, and builds the request', () => {
    const draft = {
      ...emptyDraft('calm-fox'),
      params: {
        'params.yaml:train.lr': '0.01',
        'params.yaml:train.epochs': 'range(1,4)',
        'params.yaml:model.name': 'lr',
      },
    };
    expect(summarize(params, draft, 'echo')).toEqual({
      changes: 2,
      paramChanges: 2,
      scriptChanged: false,
      experiments: 3,
      errors: [],
    });
    const body = createBody('abc1234', params, draft, 'echo');
    expect(body.params).toEqual([{ file: 'params.yaml', key: 'train.lr', value: 0.01 }]);
    expect(body.set).toEqual(['params.yaml:train.epochs=range(1,4)']);
    expect(body.script).toBeUndefined();
    expect(body.name).toBe('calm-fox');
  });
  it('reports type errors and counts an edited script', () => {
    const draft = { ...emptyDraft(''), params: { 'params.yaml:train.lr': 'fast' }, script: 'echo hi' };
    const s = summarize(params, draft, 'echo');
    expect(s.errors).toEqual(['train.lr: expects a number']);
    expect(s.changes).toBe(2);
    expect(createBody('r', params, draft, 'echo').name).toBeUndefined();
  });
  it('builds a CI commit on a new branch', () => {
    const draft = { ...emptyDraft('x'), params: { 'params.yaml:train.lr': '0.5' } };
    const ci = {
      message: 'Try lr 0.5',
      description: '',
      branch: 'new' as const,
      newBranch: 'exp-x',
      base: '',
      skipStudio: true,
    };
    expect(ciBody('r', params, draft, ci)).toEqual({
      rev: 'r',
      params: [{ file: 'params.yaml', key: 'train.lr', value: 0.5 }],
      message: 'Try lr 0.5',
      description: undefined,
      base: undefined,
      branch: { kind: 'new', name: 'exp-x' },
      skipStudio: true,
    });
  });
});
