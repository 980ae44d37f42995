// The demo project's non-Python files: pipeline, params, docs, ignore rules.

export interface DemoParams {
  data: { n_samples: number; n_features: number; seed: number; test_size: number };
  train: { epochs: number; lr: number; l2: number; batch_size: number; seed: number };
}

/** params.yaml as a user would keep it: nested mappings of scalars, with comments. */
export function renderParams(p: DemoParams): string {
  return `# Parameters of the demo pipeline (see dvc.yaml for which stage reads which).
# Change a value and rerun the pipeline to see the metrics move.

data:
  n_samples: ${p.data.n_samples} # rows in the synthetic data set
  n_features: ${p.data.n_features} # columns besides the label
  seed: ${p.data.seed} # seeds the data and the train/test split
  test_size: ${p.data.test_size} # fraction held out for evaluation

train:
  epochs: ${p.train.epochs}
  lr: ${p.train.lr} # learning rate of gradient descent
  l2: ${p.train.l2} # L2 penalty on the weights, 0 turns it off
  batch_size: ${p.train.batch_size}
  seed: ${p.train.seed} # shuffles the batches
`;
}

export const DVC_YAML = `stages:
  generate:
    cmd: python3 data/generate.py
    deps:
      - data/generate.py
      - common.py
    params:
      - data.n_samples
      - data.n_features
      - data.seed
    outs:
      - data/dataset.csv
  train:
    cmd: python3 train.py
    deps:
      - train.py
      - common.py
      - data/dataset.csv
    params:
      - data.seed
      - data.test_size
      - train.epochs
      - train.lr
      - train.l2
      - train.batch_size
      - train.seed
    outs:
      - model.json
    metrics:
      - dvclive/metrics.json:
          cache: false
    plots:
      - dvclive/plots/metrics:
          x: step
          cache: false
  evaluate:
    cmd: python3 evaluate.py
    deps:
      - evaluate.py
      - common.py
      - data/dataset.csv
      - model.json
    params:
      - data.seed
      - data.test_size
    metrics:
      - eval/metrics.json:
          cache: false
    plots:
      - eval/plots:
          cache: false

# DVCLive's make_dvcyaml lists the params it logged, so DVC (and Kiln) show them for every commit.
params:
  - dvclive/params.yaml

plots:
  - ROC:
      template: simple
      x: fpr
      y:
        eval/plots/roc.json: tpr
  - Confusion matrix:
      template: confusion
      x: actual
      y:
        eval/plots/confusion.json: predicted
`;

/** The pipeline's stage commands, in order, as dvc.yaml declares them. */
export const PIPELINE_COMMANDS: readonly (readonly string[])[] = [
  ['python3', 'data/generate.py'],
  ['python3', 'train.py'],
  ['python3', 'evaluate.py'],
];

export const REQUIREMENTS_TXT = `# The pipeline uses only the Python standard library: nothing to install.
`;

export const GITIGNORE = `/model.json
__pycache__/
*.pyc
.venv/
`;

// DVC writes ignore rules for a stage's cached outputs next to them.
export const DATA_GITIGNORE = `/dataset.csv
`;

export const DVC_CONFIG = `[core]
    autostage = true
`;

/** .dvc/config naming a local directory as the default remote, as \`dvc remote add -d\` writes it. */
export function dvcConfigWithRemote(dir: string): string {
  return `[core]
    autostage = true
    remote = storage
['remote "storage"']
    url = ${dir}
`;
}

export const DVC_GITIGNORE = `/config.local
/tmp
/cache
`;

export const DVCIGNORE = `# Add patterns of files dvc should ignore, which could improve
# the performance. Learn more at
# https://dvc.org/doc/user-guide/dvcignore
`;

const README_BASE = `# Demo: logistic regression on synthetic data

A small DVC project that Kiln creates on first start so there is something to look at.
It trains logistic regression by gradient descent on a generated binary classification
data set, in plain \`python3\` with no packages.

## Pipeline

| stage | command | reads | writes |
| --- | --- | --- | --- |
| generate | \`python3 data/generate.py\` | \`data.*\` params | \`data/dataset.csv\` |
| train | \`python3 train.py\` | \`train.*\` params, the data set | \`model.json\`, \`dvclive/\` |
| evaluate | \`python3 evaluate.py\` | the model, the held-out split | \`eval/metrics.json\`, \`eval/plots/\` |

Run it with \`dvc repro\`, or by hand with the three commands above.
`;

const README_MORE = `
## Outputs

- \`dvclive/metrics.json\` and \`dvclive/plots/metrics/**.tsv\`: training curves in DVCLive's
  layout, one row per epoch, written as training goes.
- \`eval/metrics.json\`: accuracy, precision, recall, F1, log-loss and ROC AUC on the
  held-out split.
- \`eval/plots/roc.json\`, \`eval/plots/confusion.json\`: the ROC curve and the confusion matrix.

Set \`DEMO_EPOCH_DELAY=1\` to sleep a second per epoch and watch the curves grow live.

## Things to try

- \`train.lr\`: 0.001 barely moves in a few epochs; 0.05 to 0.3 learns.
- \`train.epochs\`: more epochs find the features that only matter together.
- \`train.l2\`, \`train.batch_size\`: regularization and noisier or smoother steps.
`;

export function renderReadme(withDetails: boolean): string {
  return withDetails ? README_BASE + README_MORE : README_BASE;
}
