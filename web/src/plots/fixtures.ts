import type { PlotDefinition, PlotSource } from '../../../src/contracts/live.js';

/** Plot definitions as the server reads them from the demo project's dvc.yaml. */
export const LOSS: PlotDefinition = {
  id: 'dvclive/plots/metrics/train/loss.tsv',
  template: 'linear',
  x: 'step',
  y: null,
  title: null,
  xLabel: null,
  yLabel: null,
  files: ['dvclive/plots/metrics/train/loss.tsv'],
};

export const ROC: PlotDefinition = {
  id: 'ROC',
  template: 'simple',
  x: 'fpr',
  y: { 'eval/plots/roc.json': 'tpr' },
  title: null,
  xLabel: null,
  yLabel: null,
  files: ['eval/plots/roc.json'],
};

export const CONFUSION: PlotDefinition = {
  id: 'Confusion matrix',
  template: 'confusion',
  x: 'actual',
  y: { 'eval/plots/confusion.json': 'predicted' },
  title: null,
  xLabel: null,
  yLabel: null,
  files: ['eval/plots/confusion.json'],
};

export function source(id: string, kind: PlotSource['kind'] = 'commit', lossShift = 0): PlotSource {
  return {
    kind,
    id,
    rev: id,
    status: kind === 'experiment' ? 'running' : null,
    definitions: [LOSS, ROC, CONFUSION],
    series: [
      {
        path: 'dvclive/plots/metrics/train/loss.tsv',
        rows: [0, 1, 2].map((step) => ({
          timestamp: 1700000000 + step,
          step,
          loss: 1 / (step + 1) + lossShift,
        })),
      },
      {
        path: 'eval/plots/roc.json',
        rows: [
          { fpr: 0, tpr: 0, threshold: 1 },
          { fpr: 0.5, tpr: 'NaN', threshold: 0.5 },
          { fpr: 1, tpr: 1, threshold: 0 },
        ],
      },
      {
        path: 'eval/plots/confusion.json',
        rows: [
          { actual: 0, predicted: 0 },
          { actual: 0, predicted: 1 },
          { actual: 1, predicted: 1 },
        ],
      },
    ],
    images: [
      { path: 'dvclive/plots/images/pred/0.png', mime: 'image/png', base64: 'AA==' },
      { path: 'dvclive/plots/images/pred/5.png', mime: 'image/png', base64: 'AA==' },
      { path: 'eval/importance.png', mime: 'image/png', base64: 'AA==' },
    ],
    errors: {},
  };
}
