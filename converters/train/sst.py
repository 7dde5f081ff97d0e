"""The Stanford Sentiment Treebank as tinycnn trains on it.

Trees are PTB-style, one per line: `(label child child)` or `(label leaf)`,
labels 0-4 (very negative .. very positive). A leaf is everything between the
label and the closing bracket that is not an ASCII space or a bracket, so the
one training leaf holding a non-breaking space (`8 1\\/2`) stays one leaf.

    sentences(path)  -> [(label 0-4, [leaves])] the root of each tree
    phrases(path)    -> [(label 0-4, [leaves])] every labelled node, root last per tree

Tasks (Kim 2014): SST-1 keeps the five labels; SST-2 drops neutral (2) and maps
0-1 -> 0 "negative", 3-4 -> 1 "positive".
"""

import re

_TREE_TOKEN = re.compile(r"\(|\)|[^() \t\r\n]+")

SST1_LABELS = ["very negative", "negative", "neutral", "positive", "very positive"]
SST2_LABELS = ["negative", "positive"]
TASKS = {"sst1": SST1_LABELS, "sst2": SST2_LABELS}


class TreeError(ValueError):
    """A line that is not a well-formed labelled tree."""


def parse_tree(line):
    """One tree line -> [(label, leaves)] for every node, children before parents."""
    toks = _TREE_TOKEN.findall(line)
    nodes, pos = [], 0

    def node():
        nonlocal pos
        if toks[pos] != "(":
            raise TreeError(f"expected '(' at token {pos}: {line[:60]!r}")
        label = int(toks[pos + 1])
        pos += 2
        if toks[pos] == "(":
            leaves = []
            while toks[pos] == "(":
                leaves += node()
        else:
            leaves = [toks[pos]]
            pos += 1
        if toks[pos] != ")":
            raise TreeError(f"expected ')' at token {pos}: {line[:60]!r}")
        pos += 1
        nodes.append((label, leaves))
        return leaves

    try:
        node()
    except (IndexError, ValueError) as e:
        raise TreeError(f"malformed tree ({e}): {line[:60]!r}") from None
    if pos != len(toks):
        raise TreeError(f"text after the tree: {line[:60]!r}")
    return nodes


def _trees(path):
    with open(path, encoding="utf-8") as f:
        return [parse_tree(line) for line in f if line.strip()]


def sentences(path):
    return [nodes[-1] for nodes in _trees(path)]


def phrases(path):
    return [n for nodes in _trees(path) for n in nodes]


def task_label(task, label):
    """A 0-4 treebank label -> the task's class index, or None (SST-2 drops neutral)."""
    if task == "sst1":
        return label
    if task == "sst2":
        return None if label == 2 else int(label > 2)
    raise ValueError(f"unknown task {task!r}")


def examples(task, items):
    """[(0-4 label, leaves)] -> [(class, leaves)] for the task."""
    out = []
    for label, leaves in items:
        c = task_label(task, label)
        if c is not None:
            out.append((c, leaves))
    return out
