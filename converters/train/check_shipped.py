#!/usr/bin/python3
"""CI check: the trained models in weights/ are what the recipe makes, and PyTorch's
committed predictions are what PyTorch computes from them.

    /usr/bin/python3 converters/train/check_shipped.py [--retrain sm-trecqa ...]

1. For every shipped model, recompute PyTorch's predictions on its test split from the
   committed weights and vectors (predict.py) and compare byte for byte with
   data/predictions/NAME.test.json (they also record both files' sha256).
2. --retrain NAME: run the recorded training command (weights/cards/NAME.train.json) into a
   temporary folder, ship it there (ship.py: tinycnn convert + vectors convert + predict)
   and compare the weights, the vectors and the predictions byte for byte with the
   committed ones. SM CNN takes minutes on 2 cores (CI does it); Kim CNN hours.
Exit 1 with one line per difference.
"""

import argparse
import filecmp
import json
import os
import shlex
import subprocess
import sys
import tempfile

import common  # first: pins torch's CPU kernels
import predict
import ship

SHIPPED = {  # name -> (kind, task, test split)
    "kim-sst2": ("kim", "sst2", "data/sst/test.txt"),
    "kim-sst1": ("kim", "sst1", "data/sst/test.txt"),
    "sm-trecqa": ("sm", None, "data/trecqa/TEST.xml"),
}


def repo(*parts):
    return os.path.join(common.REPO, *parts)


def check_predictions(name, problems):
    kind, task, data = SHIPPED[name]
    args = [kind, repo("weights", f"{name}.safetensors"), repo("weights", f"{name}.tcv"), repo(data),
            "--check", repo("data", "predictions", f"{name}.test.json")]
    if predict.main(args + (["--task", task] if task else [])) != 0:
        problems.append(f"data/predictions/{name}.test.json: differs from PyTorch on the committed files")


def retrain(name, problems):
    record = json.load(open(repo("weights", "cards", f"{name}.train.json"), encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        argv = shlex.split(record["command"])
        argv[argv.index("--out") + 1] = os.path.join(tmp, "run")
        common.log(f"retraining {name}: {' '.join(argv)}")
        subprocess.run([sys.executable, repo(argv[0])] + argv[1:], check=True)
        weights, data = os.path.join(tmp, "weights"), os.path.join(tmp, "data")
        os.makedirs(weights)
        ship.ship(os.path.join(tmp, "run"), name, SHIPPED[name][1], weights, data, record.get("selection"))
        pairs = [(repo("weights", f"{name}.safetensors"), os.path.join(weights, f"{name}.safetensors")),
                 (repo("weights", f"{name}.tcv"), os.path.join(weights, f"{name}.tcv"))]
        for committed, fresh in pairs:
            if not filecmp.cmp(committed, fresh, shallow=False):
                problems.append(f"{os.path.relpath(committed, common.REPO)}: retraining gives different bytes")
        # the predictions name the files they were made from: compare their numbers
        old = json.load(open(repo("data", "predictions", f"{name}.test.json"), encoding="utf-8"))
        new = json.load(open(os.path.join(data, f"{name}.test.json"), encoding="utf-8"))
        drop = ("weights", "vectors", "data")
        if {k: v for k, v in old.items() if k not in drop} != {k: v for k, v in new.items() if k not in drop}:
            problems.append(f"data/predictions/{name}.test.json: retraining gives different predictions")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--retrain", action="append", default=[], choices=sorted(SHIPPED),
                   help="also rerun this model's recorded training and compare (repeatable)")
    args = p.parse_args(argv)
    problems = []
    for name in SHIPPED:
        check_predictions(name, problems)
    for name in args.retrain:
        retrain(name, problems)
    for problem in problems:
        print(f"check_shipped: DIFFERENT: {problem}", file=sys.stderr)
    if not problems:
        print(f"check_shipped: {', '.join(SHIPPED)}: predictions reproduced"
              + (f"; {', '.join(args.retrain)} retrained to the same bytes" if args.retrain else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
