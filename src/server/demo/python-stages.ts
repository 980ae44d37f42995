// The demo pipeline's stage scripts (generate, train, evaluate), kept as text so the build ships them.
// String.raw keeps backslashes as Python expects them.

export const GENERATE_PY = String.raw`"""Make a synthetic binary classification data set: data/dataset.csv.

Some features carry signal directly; others only through the small
difference between two strongly correlated columns, which plain gradient
descent is slow to find. That is what makes the learning rate matter.
"""

import csv
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common import DATASET_FILE, load_params, sigmoid  # noqa: E402


def main():
    params = load_params("data")
    n_samples = int(params["n_samples"])
    n_features = int(params["n_features"])
    if n_features < 2:
        raise SystemExit("data.n_features must be at least 2")
    rng = random.Random(int(params["seed"]))

    # Feature j: raw column with its own offset and scale, like real measurements.
    offsets = [round(rng.uniform(-50, 50), 1) for _ in range(n_features)]
    scales = [rng.choice([0.5, 1.0, 2.0, 10.0, 25.0]) for _ in range(n_features)]
    n_pairs = n_features // 4
    easy = [rng.uniform(0.3, 0.8) * rng.choice([-1, 1]) for _ in range(n_features)]

    rows = []
    for _ in range(n_samples):
        z = [rng.gauss(0, 1) for _ in range(n_features)]
        # Pairs (2k, 2k+1): the second column nearly copies the first.
        for k in range(n_pairs):
            z[2 * k + 1] = 0.97 * z[2 * k] + math.sqrt(1 - 0.97**2) * z[2 * k + 1]
        logit = -0.8
        for j in range(n_features):
            logit += easy[j] * z[j]
        for k in range(n_pairs):
            logit += 12.0 * (z[2 * k] - z[2 * k + 1])
        label = 1 if rng.random() < sigmoid(logit) else 0
        rows.append([round(offsets[j] + scales[j] * z[j], 4) for j in range(n_features)] + [label])

    os.makedirs(os.path.dirname(DATASET_FILE), exist_ok=True)
    with open(DATASET_FILE, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["f%d" % j for j in range(n_features)] + ["label"])
        writer.writerows(rows)
    positives = sum(r[-1] for r in rows)
    print("wrote %s: %d rows, %d features, %d positive" % (os.path.relpath(DATASET_FILE), n_samples, n_features, positives))


if __name__ == "__main__":
    main()
`;

export const TRAIN_PY = String.raw`"""Train logistic regression by mini-batch gradient descent.

Reads the data and train sections of params.yaml and logs each epoch
the way DVCLive does: dvclive/metrics.json holds the latest values and
dvclive/plots/metrics/<name>.tsv one step<TAB>value row per epoch,
flushed as training goes so a tailer sees it live. DEMO_EPOCH_DELAY
(seconds, default 0) slows each epoch down for demonstrations.
"""

import json
import os
import random
import shutil
import time

from common import (
    MODEL_FILE,
    ROOT,
    accuracy,
    load_dataset,
    load_params,
    log_loss,
    predict_proba,
    sigmoid,
    split,
    write_json,
)

DVCLIVE_DIR = os.path.join(ROOT, "dvclive")
PLOTS_DIR = os.path.join(DVCLIVE_DIR, "plots", "metrics")


class Live:
    """The part of dvclive.Live this script needs, writing the same files."""

    def __init__(self, params):
        shutil.rmtree(DVCLIVE_DIR, ignore_errors=True)
        os.makedirs(PLOTS_DIR, exist_ok=True)
        self.step = 0
        self.summary = {}
        with open(os.path.join(DVCLIVE_DIR, "params.yaml"), "w", encoding="utf-8") as f:
            for key, value in params.items():
                f.write("%s: %s\n" % (key, json.dumps(value)))

    def log_metric(self, name, value):
        path = os.path.join(PLOTS_DIR, *name.split("/")) + ".tsv"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        new = not os.path.exists(path)
        with open(path, "a", encoding="utf-8") as f:
            if new:
                f.write("step\t%s\n" % name.split("/")[-1])
            f.write("%d\t%r\n" % (self.step, value))
            f.flush()
        node = self.summary
        parts = name.split("/")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def next_step(self):
        write_json(os.path.join(DVCLIVE_DIR, "metrics.json"), dict(self.summary, step=self.step))
        self.step += 1


def main():
    data = load_params("data")
    params = load_params("train")
    epochs = int(params["epochs"])
    lr = float(params["lr"])
    l2 = float(params.get("l2") or 0.0)
    batch_size = max(1, int(params["batch_size"]))
    delay = float(os.environ.get("DEMO_EPOCH_DELAY") or 0)

    xs, ys = load_dataset()
    train_x, train_y, test_x, test_y = split(xs, ys, data["test_size"], data["seed"])
    n_features = len(train_x[0])
    mean = [sum(x[j] for x in train_x) / len(train_x) for j in range(n_features)]
    std = [
        (sum((x[j] - mean[j]) ** 2 for x in train_x) / len(train_x)) ** 0.5 or 1.0
        for j in range(n_features)
    ]
    scaled = [[(x[j] - mean[j]) / std[j] for j in range(n_features)] for x in train_x]

    rng = random.Random(int(params["seed"]))
    model = {"mean": mean, "std": std, "weights": [0.0] * n_features, "bias": 0.0}
    w = model["weights"]
    live = Live(params)
    order = list(range(len(scaled)))
    for _ in range(epochs):
        rng.shuffle(order)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            grad_w = [0.0] * n_features
            grad_b = 0.0
            for i in batch:
                x = scaled[i]
                z = model["bias"] + sum(w[j] * x[j] for j in range(n_features))
                err = sigmoid(z) - train_y[i]
                grad_b += err
                for j in range(n_features):
                    grad_w[j] += err * x[j]
            m = len(batch)
            for j in range(n_features):
                w[j] -= lr * (grad_w[j] / m + l2 * w[j])
            model["bias"] -= lr * grad_b / m
        train_p = predict_proba(model, train_x)
        test_p = predict_proba(model, test_x)
        live.log_metric("train/loss", log_loss(train_y, train_p))
        live.log_metric("train/acc", accuracy(train_y, train_p))
        live.log_metric("val/loss", log_loss(test_y, test_p))
        live.log_metric("val/acc", accuracy(test_y, test_p))
        live.next_step()
        if delay > 0:
            time.sleep(delay)

    write_json(MODEL_FILE, model)
    summary = live.summary
    print(
        "trained %d epochs: train loss %.4f, val acc %.4f"
        % (epochs, summary["train"]["loss"], summary["val"]["acc"])
    )


if __name__ == "__main__":
    main()
`;

export const EVALUATE_PY = String.raw`"""Evaluate model.json on the held-out split.

Writes eval/metrics.json (accuracy, precision, recall, f1, log-loss,
ROC AUC) and the plots eval/plots/roc.json and eval/plots/confusion.json
in the shapes DVC's plot templates read.
"""

import json
import os

from common import (
    MODEL_FILE,
    ROOT,
    accuracy,
    load_dataset,
    load_params,
    log_loss,
    predict_proba,
    split,
    write_json,
)

EVAL_DIR = os.path.join(ROOT, "eval")


def roc_points(ys, ps):
    pairs = sorted(zip(ps, ys), key=lambda t: -t[0])
    pos = sum(ys)
    neg = len(ys) - pos
    points = [{"fpr": 0.0, "tpr": 0.0, "threshold": 1.0}]
    tp = fp = 0
    auc = 0.0
    prev_fpr = prev_tpr = 0.0
    i = 0
    while i < len(pairs):
        threshold = pairs[i][0]
        while i < len(pairs) and pairs[i][0] == threshold:
            if pairs[i][1] == 1:
                tp += 1
            else:
                fp += 1
            i += 1
        fpr = fp / neg if neg else 0.0
        tpr = tp / pos if pos else 0.0
        auc += (fpr - prev_fpr) * (tpr + prev_tpr) / 2
        prev_fpr, prev_tpr = fpr, tpr
        points.append({"fpr": round(fpr, 6), "tpr": round(tpr, 6), "threshold": round(threshold, 6)})
    return points, auc


def main():
    data = load_params("data")
    with open(MODEL_FILE, encoding="utf-8") as f:
        model = json.load(f)
    xs, ys = load_dataset()
    _, _, test_x, test_y = split(xs, ys, data["test_size"], data["seed"])
    ps = predict_proba(model, test_x)
    preds = [1 if p >= 0.5 else 0 for p in ps]
    tp = sum(1 for y, p in zip(test_y, preds) if y == 1 and p == 1)
    fp = sum(1 for y, p in zip(test_y, preds) if y == 0 and p == 1)
    fn = sum(1 for y, p in zip(test_y, preds) if y == 1 and p == 0)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    points, auc = roc_points(test_y, ps)
    metrics = {
        "accuracy": round(accuracy(test_y, ps), 6),
        "precision": round(precision, 6),
        "recall": round(recall, 6),
        "f1": round(f1, 6),
        "log_loss": round(log_loss(test_y, ps), 6),
        "roc_auc": round(auc, 6),
        "n_test": len(test_y),
    }
    write_json(os.path.join(EVAL_DIR, "metrics.json"), metrics)
    write_json(os.path.join(EVAL_DIR, "plots", "roc.json"), {"roc": points})
    confusion = [{"actual": str(y), "predicted": str(p)} for y, p in zip(test_y, preds)]
    write_json(os.path.join(EVAL_DIR, "plots", "confusion.json"), confusion)
    print("eval: " + ", ".join("%s %s" % (k, v) for k, v in metrics.items()))


if __name__ == "__main__":
    main()
`;
