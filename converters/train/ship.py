#!/usr/bin/python3
"""A trained run -> the files tinycnn ships, through the same tools users run.

    /usr/bin/python3 converters/train/ship.py RUN_DIR NAME [--task sst1|sst2] [--out-weights weights] [--out-data data/predictions]

RUN_DIR is what train_kim.py / train_sm.py wrote (model.pt in castorini's layout,
vocab.txt, train.json, and for SM ext_feats.json). Then:
  1. `tinycnn convert RUN_DIR/model.pt weights/NAME.safetensors --labels ... --tokenizer ptb
     [--ext-feats ...]`: the exporter users run (it drops embed.weight, writes the parity
     certificate; the CLI then loads the file and checks the certificate);
  2. the learned embeddings (embed.weight rows 1.., already float16-exact) as a word2vec
     binary file -> `tinycnn vectors convert --dtype f16` -> weights/NAME.tcv (row 0, the
     unknown word, is not written: the store gives unknown words zeros);
  3. PyTorch's predictions on the test split from exactly those two files
     (predict.py) -> data/predictions/NAME.test.json;
  4. RUN_DIR/train.json -> weights/cards/NAME.train.json (command, settings, dev history), and
     the model card weights/cards/NAME.md rendered from it and the predictions (card.py).
Needs the repo built (`npm install`): the CLI runs from build/.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import card
import common  # first: pins torch's CPU kernels
import numpy as np
import predict
import sst
import torch

TESTS = {"kim": "data/sst/test.txt", "sm": "data/trecqa/TEST.xml"}


def cli(*args):
    cmd = ["node", os.path.join(common.REPO, "build", "src", "cli", "bin.js"), *args]
    common.log("$ tinycnn " + " ".join(args))
    subprocess.run(cmd, check=True, cwd=common.REPO)


def write_word2vec(path, words, vectors):
    """word2vec binary: 'COUNT DIM\\n', then per word: WORD, space, DIM float32 LE, '\\n'."""
    with open(path, "wb") as f:
        f.write(f"{len(words)} {vectors.shape[1]}\n".encode())
        for word, row in zip(words, vectors.astype("<f4")):
            f.write(word.encode("utf-8") + b" " + row.tobytes() + b"\n")


def ship(run, name, task, out_weights, out_data=os.path.join(common.REPO, "data", "predictions"), selection=None):
    record = json.load(open(os.path.join(run, "train.json"), encoding="utf-8"))
    record["command"] = re.sub(r"--out \S+", "--out OUT", record["command"])  # the folder is not the recipe
    record["settings"]["out"] = "OUT"
    if selection:
        record["selection"] = selection  # how this run was chosen among others (on dev)
    kind = "sm" if "train_sm.py" in record["command"] else "kim"
    weights = os.path.join(out_weights, f"{name}.safetensors")
    vectors = os.path.join(out_weights, f"{name}.tcv")
    labels = json.dumps(record["labels"]) if kind == "kim" else '["0","1"]'
    args = ["convert", os.path.join(run, "model.pt"), weights, "--labels", labels, "--tokenizer", "ptb"]
    if kind == "sm":
        args += ["--ext-feats", os.path.join(run, "ext_feats.json")]
    cli(*args)

    state = torch.load(os.path.join(run, "model.pt"))
    embed = state["embed.weight"].numpy()  # (vocab, dim), row 0 = unknown word
    words = open(os.path.join(run, "vocab.txt"), encoding="utf-8").read().split("\n")[:-1]
    assert len(words) == embed.shape[0] and np.array_equal(embed, embed.astype(np.float16).astype(np.float32))
    with tempfile.TemporaryDirectory() as tmp:
        w2v = os.path.join(tmp, f"{name}.bin")
        write_word2vec(w2v, words[1:], embed[1:])
        cli("vectors", "convert", w2v, vectors, "--dtype", "f16", "--quiet",
            "--meta", f"source=embed.weight of {name}: {record['command']}",
            "--meta", "kind=word vectors learned with the model (CNN-rand), float16-exact; unknown words are zeros")

    os.makedirs(out_data, exist_ok=True)
    out = os.path.join(out_data, f"{name}.test.json")
    predict.main([kind, weights, vectors, os.path.join(common.REPO, TESTS[kind]), "--out", out]
                 + (["--task", task or record["task"]] if kind == "kim" else []))
    os.makedirs(os.path.join(out_weights, "cards"), exist_ok=True)
    with open(os.path.join(out_weights, "cards", f"{name}.train.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1)
    card.write_card(name, os.path.join(out_weights, "cards"), out)
    common.log(f"{name}: {weights}, {vectors}, {out}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("run", help="folder written by train_kim.py / train_sm.py")
    p.add_argument("name", help="e.g. kim-sst2")
    p.add_argument("--task", choices=sorted(sst.TASKS), help="kim: the task (default: the run's)")
    p.add_argument("--out-weights", default=os.path.join(common.REPO, "weights"))
    p.add_argument("--out-data", default=os.path.join(common.REPO, "data", "predictions"),
                   help="where the predictions go")
    p.add_argument("--selection", help="how this run was chosen among others, for the card "
                   "(e.g. 'seed 3: the best dev MAP of seeds 1-4')")
    args = p.parse_args(argv)
    ship(args.run, args.name, args.task, args.out_weights, args.out_data, args.selection)
    return 0


if __name__ == "__main__":
    sys.exit(main())
