import type { TableColumn } from '../../../src/contracts/api.js';
import type { Goal, Goals } from '../compare/goals.js';

// Metric names whose smaller values are better; matched as whole words of the last key.
const LOWER =
  /(^|[_\-. ])(loss|losses|err|error|errors|mse|rmse|mae|mape|nll|perplexity|ppl|wer|cer|fpr|fnr|latency|duration|time|seconds|cost|brier|logloss|distance|regret)($|[_\-. ])/i;
// And those whose larger values are better.
const HIGHER =
  /(^|[_\-. ])(acc|accuracy|f1|f1_score|precision|recall|auc|roc_auc|pr_auc|ap|map|iou|miou|dice|r2|bleu|rouge|rouge1|rouge2|rougel|meteor|score|reward|return|tpr|tnr|specificity|sensitivity|throughput|kappa|mcc|top1|top5)($|[_\-. ])/i;

/** Which way a metric should move, from its name alone; undefined when the name does not say. */
export function inferGoal(col: TableColumn): Goal | undefined {
  if (col.kind !== 'metrics') return undefined;
  const name = col.path[col.path.length - 1] ?? '';
  if (LOWER.test(name)) return 'lower';
  if (HIGHER.test(name)) return 'higher';
  return undefined;
}

/**
 * The goal that colours a column's deltas: what the person marked, else what the metric's name
 * says; params never have one (a changed param is neither better nor worse).
 */
export function columnGoal(col: TableColumn, goals: Goals): Goal | undefined {
  if (col.kind !== 'metrics') return undefined;
  return goals[col.id] ?? inferGoal(col);
}
