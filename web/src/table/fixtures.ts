import type { TableColumn, TableRow } from '../../../src/contracts/api.js';

/** Typed rows and columns shaped like the server's TablePage, shared by the table's unit tests. */
export const lr: TableColumn = {
  id: 'p:params.yaml:train.lr',
  kind: 'params',
  file: 'params.yaml',
  path: ['train', 'lr'],
  types: ['number'],
};
export const epochs: TableColumn = {
  id: 'p:params.yaml:train.epochs',
  kind: 'params',
  file: 'params.yaml',
  path: ['train', 'epochs'],
  types: ['number'],
};
export const seed: TableColumn = {
  id: 'p:params.yaml:seed',
  kind: 'params',
  file: 'params.yaml',
  path: ['seed'],
  types: ['number'],
};
export const accuracy: TableColumn = {
  id: 'm:eval/metrics.json:accuracy',
  kind: 'metrics',
  file: 'eval/metrics.json',
  path: ['accuracy'],
  types: ['number'],
};
export const loss: TableColumn = {
  id: 'm:dvclive/metrics.json:train.loss',
  kind: 'metrics',
  file: 'dvclive/metrics.json',
  path: ['train', 'loss'],
  types: ['number'],
};
export const columns: TableColumn[] = [seed, lr, epochs, accuracy, loss];

function row(
  rev: string,
  message: string,
  lrValue: number,
  acc: number | undefined,
  extra: Partial<TableRow> = {},
): TableRow {
  return {
    rev,
    message,
    author: 'Ada Lovelace',
    date: '2024-05-01T10:00:00Z',
    branches: [],
    tags: [],
    hidden: false,
    parents: [],
    params: { 'params.yaml': { seed: 1, train: { lr: lrValue, epochs: 10 } } },
    metrics:
      acc === undefined
        ? {}
        : { 'eval/metrics.json': { accuracy: acc }, 'dvclive/metrics.json': { train: { loss: 1 - acc } } },
    errors: {},
    ...extra,
  };
}

export const rows: TableRow[] = [
  row('c3c3c3c3c3c3', 'Tune lr, "fast" run', 0.01, 0.91, { branches: ['main'] }),
  row('b2b2b2b2b2b2', 'Add eval stage', 0.1, 0.82, { tags: ['v1.0'] }),
  row('a1a1a1a1a1a1', 'Initial commit', 0.1, undefined, {
    author: 'Grace Hopper',
    errors: { 'params.yaml': 'YAML: bad indentation at line 3' },
  }),
];
