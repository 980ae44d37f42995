// The demo pipeline's shared Python helpers (common.py), kept as text so the build ships them.
// String.raw keeps backslashes as Python expects them.

export const COMMON_PY = String.raw`"""Helpers shared by the pipeline's scripts.

Only the Python standard library is used, so the pipeline runs on a bare
python3. params.yaml is read with a tiny parser for the subset of YAML
this project needs: nested mappings of scalars, comments, flow lists.
"""

import csv
import json
import math
import os
import random

ROOT = os.path.dirname(os.path.abspath(__file__))
PARAMS_FILE = os.path.join(ROOT, "params.yaml")
DATASET_FILE = os.path.join(ROOT, "data", "dataset.csv")
MODEL_FILE = os.path.join(ROOT, "model.json")


class ParamsError(ValueError):
    pass


def _scalar(text, where):
    t = text.strip()
    if t in ("", "~", "null", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if t[0] == "'":
        return t[1:-1].replace("''", "'")
    if t[0] == '"':
        try:
            return json.loads(t)
        except ValueError as e:
            raise ParamsError("%s: bad double-quoted string: %s" % (where, e))
    if t[0] == "[":
        if t[-1] != "]":
            raise ParamsError("%s: unterminated flow list" % where)
        inner = t[1:-1].strip()
        return [_scalar(part, where) for part in inner.split(",")] if inner else []
    if t[0] in "{&*!|>%@":
        raise ParamsError("%s: unsupported YAML syntax %r" % (where, t))
    try:
        return int(t.replace("_", ""))
    except ValueError:
        pass
    try:
        return float(t)
    except ValueError:
        pass
    if t in (".inf", "+.inf"):
        return float("inf")
    if t == "-.inf":
        return float("-inf")
    if t == ".nan":
        return float("nan")
    return t


def _split_value(rest, where):
    """Split the text after key: into (value, comment) honouring quotes."""
    s = rest.strip()
    if s[:1] in ("'", '"'):
        q = s[0]
        i = 1
        while i < len(s):
            if q == '"' and s[i] == "\\":
                i += 2
                continue
            if s[i] == q:
                if q == "'" and s[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                break
            i += 1
        else:
            raise ParamsError("%s: unterminated quoted string" % where)
        tail = s[i + 1 :].strip()
        if tail and not tail.startswith("#"):
            raise ParamsError("%s: unexpected text after quoted string" % where)
        return s[: i + 1]
    for i, ch in enumerate(s):
        if ch == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i].rstrip()
    return s


def parse_yaml(text, name="params.yaml"):
    """Parse nested mappings of scalars (the subset params.yaml uses)."""
    root = {}
    # Each entry: [indent of the mapping's keys or None until known, mapping, key in parent]
    stack = [[None, root, None]]
    parent_indent = [-1]
    for lineno, raw in enumerate(text.splitlines(), 1):
        where = "%s:%d" % (name, lineno)
        stripped = raw.strip()
        if not stripped or stripped.startswith("#") or stripped in ("---", "..."):
            continue
        lead = raw[: len(raw) - len(raw.lstrip())]
        if "\t" in lead:
            raise ParamsError("%s: tabs are not allowed for indentation" % where)
        indent = len(lead)
        if stripped.startswith("- ") or stripped == "-":
            raise ParamsError("%s: block lists are not supported, use [a, b]" % where)
        while True:
            top = stack[-1]
            if top[0] is None:
                if indent <= parent_indent[-1]:
                    # the mapping opened above got no keys: it was an empty value
                    stack.pop()
                    parent_indent.pop()
                    stack[-1][1][top[2]] = None
                    continue
                top[0] = indent
                break
            if indent < top[0] and len(stack) > 1:
                stack.pop()
                parent_indent.pop()
                continue
            if indent != top[0]:
                raise ParamsError("%s: bad indentation" % where)
            break
        if stripped[0] in "'\"":
            q = stripped[0]
            end = stripped.find(q, 1)
            if end < 0:
                raise ParamsError("%s: unterminated quoted key" % where)
            key, rest = stripped[1:end], stripped[end + 1 :]
            if not rest.startswith(":"):
                raise ParamsError("%s: expected ':' after key" % where)
            rest = rest[1:]
        else:
            pos = stripped.find(": ")
            if pos < 0 and stripped.endswith(":"):
                pos = len(stripped) - 1
            if pos < 0:
                hash_pos = stripped.find(" #")
                if hash_pos > 0 and stripped[:hash_pos].rstrip().endswith(":"):
                    pos = len(stripped[:hash_pos].rstrip()) - 1
            if pos < 0:
                raise ParamsError("%s: expected 'key: value'" % where)
            key, rest = stripped[:pos].strip(), stripped[pos + 1 :]
        mapping = stack[-1][1]
        if key in mapping:
            raise ParamsError("%s: duplicate key %r" % (where, key))
        value = _split_value(rest, where)
        if value == "":
            child = {}
            mapping[key] = child
            stack.append([None, child, key])
            parent_indent.append(indent)
        else:
            mapping[key] = _scalar(value, where)
    while len(stack) > 1:
        top = stack.pop()
        if top[0] is None:
            stack[-1][1][top[2]] = None
    return root


def load_params(section):
    with open(PARAMS_FILE, encoding="utf-8") as f:
        params = parse_yaml(f.read())
    values = params.get(section)
    if not isinstance(values, dict):
        raise ParamsError("params.yaml: missing section %r" % section)
    return values


def load_dataset():
    """Return (features, labels) read from data/dataset.csv."""
    xs, ys = [], []
    with open(DATASET_FILE, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header[-1] != "label":
            raise ValueError("data/dataset.csv: last column must be 'label'")
        for row in reader:
            xs.append([float(v) for v in row[:-1]])
            ys.append(int(row[-1]))
    return xs, ys


def split(xs, ys, test_size, seed):
    """Deterministic shuffle and split into (train_x, train_y, test_x, test_y)."""
    order = list(range(len(ys)))
    random.Random(seed).shuffle(order)
    n_test = max(1, int(round(len(order) * float(test_size))))
    test, train = order[:n_test], order[n_test:]
    return (
        [xs[i] for i in train],
        [ys[i] for i in train],
        [xs[i] for i in test],
        [ys[i] for i in test],
    )


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def predict_proba(model, xs):
    mean, std, w, b = model["mean"], model["std"], model["weights"], model["bias"]
    out = []
    for x in xs:
        z = b
        for j, v in enumerate(x):
            z += w[j] * (v - mean[j]) / std[j]
        out.append(sigmoid(z))
    return out


def log_loss(ys, ps):
    eps = 1e-12
    total = 0.0
    for y, p in zip(ys, ps):
        p = min(max(p, eps), 1 - eps)
        total -= math.log(p) if y == 1 else math.log(1 - p)
    return total / len(ys)


def accuracy(ys, ps, threshold=0.5):
    return sum(1 for y, p in zip(ys, ps) if (p >= threshold) == (y == 1)) / len(ys)


def write_json(path, obj):
    """Write JSON atomically so a reader never sees half a file."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=4)
        f.write("\n")
    os.replace(tmp, path)
`;
