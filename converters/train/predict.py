#!/usr/bin/python3
"""PyTorch's predictions on a test set, from exactly the files tinycnn serves.

    /usr/bin/python3 converters/train/predict.py kim WEIGHTS.safetensors VECTORS.tcv TREES.txt --task sst2 --out P.json
    /usr/bin/python3 converters/train/predict.py sm  WEIGHTS.safetensors VECTORS.tcv TEST.xml --out P.json
    ... --check P.json     recompute and compare with a committed file (exit 1 on any difference)

The reference module (converters/reference_models.py, castorini's layers) runs in
float32 on one pinned CPU thread, one sentence (pair) at a time, on the word vectors
of the .tcv file (words it lacks are zeros) and the tokens of converters/train/tokens.py.
SM's external features are computed by converters/train/overlap.py with the spec in the
weight file's metadata. The output records the sha256 of both files, every item's
tokens, logits and prediction, and the task metric (accuracy; MAP / MRR raw and clean),
so `tinycnn eval` and the tests can compare tinycnn's answers with PyTorch's.
"""

import argparse
import hashlib
import json
import os
import sys

import common  # first: pins torch's CPU kernels
import numpy as np
import overlap
import sst
import tokens as tok
import torch
import trecqa

import tcv_io
import tinycnn_file


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def relpath(path):
    return os.path.relpath(os.path.abspath(path), common.REPO)


class Embedder:
    def __init__(self, path):
        words, self.vectors, _ = tcv_io.read_tcv(path)
        self.index = {w: i for i, w in enumerate(words)}
        self.dim = self.vectors.shape[1]

    def __call__(self, tokens):
        out = np.zeros((len(tokens), self.dim), dtype=np.float32)  # (n, dim); unknown words: zeros
        for i, t in enumerate(tokens):
            row = self.index.get(t)
            if row is not None:
                out[i] = self.vectors[row]
        return torch.from_numpy(out)


def floats(t):
    return [float(x) for x in t.tolist()]


def predict_kim(model, embed, path, task):
    rows, correct = [], 0
    with torch.no_grad():
        for label, leaves in sst.examples(task, sst.sentences(path)):
            tokens = tok.normalize(leaves)
            logits = model(embed(tokens)[None, None])[0]  # (classes,)
            pred = int(torch.argmax(logits))
            correct += pred == label
            rows.append({"tokens": tokens, "label": label, "pred": pred, "logits": floats(logits)})
    return {"task": task, "accuracy": correct / len(rows), "correct": correct, "total": len(rows), "rows": rows}


def predict_sm(model, embed, path, spec):
    questions, per_q = [], []
    weights = overlap.idf_weights(spec)
    with torch.no_grad():
        for q in trecqa.questions(path):
            cands, labels, scores = [], [], []
            xq = embed(q.tokens)[None]
            for c in q.candidates:
                ext = overlap.features(spec, q.tokens, c.tokens, weights)
                logits = model(xq, embed(c.tokens)[None], torch.from_numpy(ext)[None])[0]
                score = float(logits[1] - logits[0])
                cands.append({"tokens": c.tokens, "label": c.label, "ext": floats(torch.from_numpy(ext)),
                              "logits": floats(logits), "score": score})
                labels.append(c.label)
                scores.append(score)
            questions.append({"qid": q.qid, "tokens": q.tokens, "ranking": trecqa.ranking(scores), "candidates": cands})
            per_q.append((labels, scores))
    m = trecqa.map_mrr(per_q)
    return {"map": m["raw"][0], "mrr": m["raw"][1], "questions_raw": m["raw"][2],
            "map_clean": m["clean"][0], "mrr_clean": m["clean"][1], "questions_clean": m["clean"][2],
            "questions": questions}


def predict(kind, weights, vectors, data, task=None):
    model, arch, _config, metadata = tinycnn_file.load_module(weights)
    if (kind == "kim") != (arch == "KimCNN"):
        raise SystemExit(f"{weights} is a {arch}, not a {kind} model")
    embed = Embedder(vectors)
    head = {"weights": relpath(weights), "weights_sha256": sha256(weights),
            "vectors": relpath(vectors), "vectors_sha256": sha256(vectors),
            "data": relpath(data), "torch": torch.__version__, "cpu": common.pinned_cpu.DESCRIPTION}
    if kind == "kim":
        return head | predict_kim(model, embed, data, task)
    return head | predict_sm(model, embed, data, json.loads(metadata["tinycnn.ext_features"]))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("kind", choices=("kim", "sm"))
    p.add_argument("weights")
    p.add_argument("vectors")
    p.add_argument("data", help="SST tree file (kim) or TrecQA XML (sm)")
    p.add_argument("--task", choices=sorted(sst.TASKS), help="kim: sst1 or sst2")
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--out", help="write the predictions here")
    out.add_argument("--check", help="recompute and compare with this committed file")
    args = p.parse_args(argv)
    if args.kind == "kim" and not args.task:
        p.error("kim needs --task")
    result = json.dumps(predict(args.kind, args.weights, args.vectors, args.data, args.task), indent=None,
                        separators=(",", ":")) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(result)
        return 0
    with open(args.check, encoding="utf-8") as f:
        same = f.read() == result
    print(f"{args.check}: {'reproduced byte for byte' if same else 'DIFFERS from a fresh PyTorch run'}",
          file=sys.stderr if not same else sys.stdout)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
