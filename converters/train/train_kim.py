#!/usr/bin/python3
"""Train Kim CNN (CNN-rand) on the Stanford Sentiment Treebank, Kim (2014)'s protocol.

    /usr/bin/python3 converters/train/train_kim.py --task sst2 --out OUTDIR [options]

Train on every labelled phrase of the training trees (de-duplicated) plus the
sentences; select the epoch by dev-sentence accuracy; never look at test. Filters
3/4/5 x 100, ReLU, max over time, dropout 0.5, max-norm 3 on fc1's rows, Adadelta
(rho 0.95, eps 1e-6), batches of 50. CNN-rand: 300-d embeddings learned with the
model, initialised uniform in [-0.25, 0.25] as Kim's code does for words without a
pre-trained vector; row 0 is the unknown word (zeros, never trained), which is what
the served model gives words outside the training vocabulary.

Writes OUTDIR/model.pt (castorini layout: conv1-3, fc1 and embed.weight, the
embeddings rounded to float16 as they are shipped), OUTDIR/vocab.txt (row order of
embed.weight) and OUTDIR/train.json (command, settings, per-epoch dev accuracy).
Deterministic: one pinned CPU thread (converters/pinned_cpu.py), seeded torch and
numpy; the same command writes the same bytes.
"""

import argparse
import json
import os
import sys
import time

import common  # first: pins torch's CPU kernels
import sst
import tokens as tok
import torch
import torch.nn as nn
import torch.nn.functional as F

import reference_models as rm

DIM, FILTERS, KERNELS = 300, 100, (3, 4, 5)


class KimTrainer(nn.Module):
    """castorini's KimCNN (self.cnn) behind a learned embedding, batched with padding."""

    def __init__(self, vocab_size, classes, dropout):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, DIM, padding_idx=common.UNK, sparse=True)  # (vocab, 300)
        nn.init.uniform_(self.embed.weight, -0.25, 0.25)
        with torch.no_grad():
            self.embed.weight[common.UNK].zero_()
        self.cnn = rm.KimCNN(channels=1, filters=FILTERS, dim=DIM, classes=classes,
                             kernel_sizes=KERNELS, dropout=dropout)

    def forward(self, ids, lengths):
        # ids (batch, n) zero-padded, lengths (batch,) -> logits (batch, classes)
        x = self.embed(ids)  # (batch, n, 300)
        pooled = []
        for conv, k in zip((self.cnn.conv1, self.cnn.conv2, self.cnn.conv3), KERNELS):
            z = common.wide_conv_time(x, conv)  # (batch, n + k - 1, filters)
            pooled.append(F.relu(common.masked_max_over_time(z, lengths + k - 1)))  # relu commutes with max
        return self.cnn.fc1(self.cnn.dropout(torch.cat(pooled, 1)))

    def checkpoint(self):
        """castorini's state_dict layout: conv1-3, fc1, embed.weight (float16-rounded)."""
        state = {k: v.detach().clone() for k, v in self.cnn.state_dict().items()}
        state["embed.weight"] = self.embed.weight.detach().half().float()
        return state


def load_split(task, path, all_phrases):
    items = sst.phrases(path) if all_phrases else sst.sentences(path)
    return [(c, tok.normalize(leaves)) for c, leaves in sst.examples(task, items)]


def dedupe(examples):
    seen, out = set(), []
    for c, t in examples:
        key = (c, " ".join(t))
        if key not in seen:
            seen.add(key)
            out.append((c, t))
    return out


def accuracy(model, vocab, examples, batch=200):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(examples), batch):
            chunk = examples[i : i + batch]
            ids, lengths = common.pad_ids([vocab.ids(t) for _, t in chunk])
            pred = model(ids, lengths).argmax(1)
            correct += int((pred == torch.tensor([c for c, _ in chunk])).sum())
    return correct / len(examples)


def train(args):
    rng = common.seed_everything(args.seed)
    train_trees = os.path.join(args.data, "sst", "train.txt")
    if args.limit:
        lines = open(train_trees, encoding="utf-8").read().splitlines()[: args.limit]
        items = [n for line in lines for n in sst.parse_tree(line)]
        train_set = dedupe([(c, tok.normalize(l)) for c, l in sst.examples(args.task, items)])
    else:
        train_set = dedupe(load_split(args.task, train_trees, all_phrases=True))
    dev_set = load_split(args.task, os.path.join(args.data, "sst", "dev.txt"), all_phrases=False)
    if args.dev_limit:
        dev_set = dev_set[: args.dev_limit]
    vocab = common.Vocab(t for _, t in train_set)
    classes = len(sst.TASKS[args.task])
    common.log(f"{args.task}: {len(train_set)} training phrases, {len(dev_set)} dev sentences, "
               f"{len(vocab)} words; seed {args.seed}; {common.pinned_cpu.DESCRIPTION}")

    model = KimTrainer(len(vocab), classes, args.dropout)
    dense = [p for name, p in model.named_parameters() if not name.startswith("embed.")]
    opt = torch.optim.Adadelta(dense, lr=args.lr, rho=0.95, eps=1e-6)
    opt_embed = common.SparseAdadelta(model.embed.weight, lr=args.lr)
    ema = common.Ema(model, args.ema) if args.ema else None
    ids_all = [vocab.ids(t) for _, t in train_set]
    labels_all = torch.tensor([c for c, _ in train_set])
    history, best = [], (-1.0, None, 0)
    for epoch in range(1, args.epochs + 1):
        model.train()
        t0, total, seen = time.time(), 0.0, 0
        for batch in common.bucketed_batches([len(x) for x in ids_all], args.batch, rng):
            ids, lengths = common.pad_ids([ids_all[i] for i in batch])
            if args.word_dropout:
                drop = torch.from_numpy(rng.random_sample(ids.shape) < args.word_dropout)
                ids = ids.masked_fill(drop, common.UNK)
            loss = F.cross_entropy(model(ids, lengths), labels_all[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            opt_embed.step()
            with torch.no_grad():
                model.cnn.fc1.weight.copy_(torch.renorm(model.cnn.fc1.weight, 2, 0, args.max_norm))
                model.embed.weight[common.UNK].zero_()
            if ema:
                ema.update(model)
            total += float(loss) * len(batch)
            seen += len(batch)
        if ema:
            ema.swap(model)
        dev = accuracy(model, vocab, dev_set)
        with common.RoundedEmbedding(model.embed):  # the F16 store ships these
            dev_f16 = accuracy(model, vocab, dev_set)
        row = {"epoch": epoch, "loss": round(total / seen, 6), "dev": round(dev, 6),
               "dev_f16": round(dev_f16, 6), "seconds": round(time.time() - t0, 1)}
        history.append(row)
        common.log(json.dumps(row))
        if dev > best[0]:
            best = (dev, model.checkpoint(), epoch)
        if ema:
            ema.swap(model)
    return vocab, best, history, len(train_set)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--task", choices=sorted(sst.TASKS), required=True)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--lr", type=float, default=1.0, help="Adadelta learning rate")
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--max-norm", type=float, default=3.0)
    p.add_argument("--word-dropout", type=float, default=0.0,
                   help="probability of replacing a training token by the unknown word")
    p.add_argument("--ema", type=float, default=0.0, help="evaluate an exponential moving average of the weights")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training trees (smoke tests)")
    p.add_argument("--dev-limit", type=int, default=0, help="use only the first N dev sentences")
    p.add_argument("--data", default=common.DATA, help="folder with sst/{train,dev}.txt")
    args = p.parse_args(argv)

    started = time.time()
    vocab, (dev, state, epoch), history, n_train = train(args)
    os.makedirs(args.out, exist_ok=True)
    torch.save(state, os.path.join(args.out, "model.pt"))
    with open(os.path.join(args.out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("".join(w + "\n" for w in vocab.words))
    record = {"command": common.command_line("converters/train/train_kim.py", sys.argv[1:] if argv is None else argv),
              "task": args.task, "labels": sst.TASKS[args.task], "settings": vars(args) | {"data": "../shared/data"},
              "data_sha256": {f: common.file_sha256(os.path.join(args.data, "sst", f)) for f in ("train.txt", "dev.txt")},
              "train_phrases": n_train, "vocab": len(vocab), "selected_epoch": epoch, "dev_accuracy": dev,
              "history": history, "seconds": round(time.time() - started, 1), "torch": torch.__version__,
              "cpu": common.pinned_cpu.DESCRIPTION}
    with open(os.path.join(args.out, "train.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1)
    common.log(f"selected epoch {epoch}: dev accuracy {dev:.4f} -> {args.out}/model.pt")


if __name__ == "__main__":
    main()
