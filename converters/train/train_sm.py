#!/usr/bin/python3
"""Train SM CNN (Severyn & Moschitti 2015, castorini's SMModel) on TrecQA.

    /usr/bin/python3 converters/train/train_sm.py --out OUTDIR [options]

TRAIN to train, DEV to select (MAP, raw), TEST never looked at. castorini's
architecture: separate conv_q / conv_a (width 5, 100 filters, wide), tanh, max over
time, the two sentence vectors + 4 external word-overlap features
(converters/train/overlap.py), combined_feature_vector (204 -> 204), tanh, dropout,
hidden (204 -> 2). 50-d word embeddings learned with the model (no pre-trained
vectors), row 0 the unknown word (zeros, never trained). Adam, cross-entropy on
the 0/1 labels; the ranking score is logit[1] - logit[0] (the order of softmax p1).

Writes OUTDIR/model.pt (castorini layout, embed.weight rounded to float16),
OUTDIR/vocab.txt, OUTDIR/ext_feats.json (the features' spec for the weight file's
metadata) and OUTDIR/train.json. Deterministic (one pinned CPU thread, seeded).
"""

import argparse
import json
import os
import sys
import time

import common  # first: pins torch's CPU kernels
import numpy as np
import overlap
import torch
import torch.nn as nn
import torch.nn.functional as F
import trecqa

import reference_models as rm

DIM, FILTERS, WIDTH = 50, 100, 5


class SmTrainer(nn.Module):
    """castorini's SMModel (self.sm) behind a learned embedding, batched with padding."""

    def __init__(self, vocab_size, dropout, init_scale):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, DIM, padding_idx=common.UNK)  # (vocab, 50)
        nn.init.uniform_(self.embed.weight, -init_scale, init_scale)
        with torch.no_grad():
            self.embed.weight[common.UNK].zero_()
        self.sm = rm.SMModel(filters=FILTERS, dim=DIM, k=WIDTH, ext_feats=True, dropout=dropout)

    def sentence(self, conv, ids, lengths):
        z = common.wide_conv_time(self.embed(ids), conv)  # (batch, n + k - 1, filters)
        return torch.tanh(common.masked_max_over_time(z, lengths + WIDTH - 1))  # tanh commutes with max

    def forward(self, q_ids, q_len, a_ids, a_len, ext):
        x = torch.cat([self.sentence(self.sm.conv_q, q_ids, q_len),
                       self.sentence(self.sm.conv_a, a_ids, a_len), ext], 1)  # (batch, 204)
        x = torch.tanh(self.sm.combined_feature_vector(x))
        return self.sm.hidden(self.sm.dropout(x))  # (batch, 2)

    def checkpoint(self):
        state = {k: v.detach().clone() for k, v in self.sm.state_dict().items()}
        state["embed.weight"] = self.embed.weight.detach().half().float()
        return state


class Pairs:
    """A split as tensors-to-be: one row per (question, candidate)."""

    def __init__(self, qs, vocab, spec):
        self.q_of, self.q_ids, self.a_ids, self.labels, self.ext = [], [], [], [], []
        weights = overlap.idf_weights(spec)
        for qi, q in enumerate(qs):
            for c in q.candidates:
                self.q_of.append(qi)
                self.q_ids.append(vocab.ids(q.tokens))
                self.a_ids.append(vocab.ids(c.tokens))
                self.labels.append(c.label)
                self.ext.append(overlap.features(spec, q.tokens, c.tokens, weights))
        self.questions = qs

    def batch(self, rows):
        q, ql = common.pad_ids([self.q_ids[i] for i in rows])
        a, al = common.pad_ids([self.a_ids[i] for i in rows])
        ext = torch.from_numpy(np.stack([self.ext[i] for i in rows]))  # (batch, 4)
        return q, ql, a, al, ext


def scores(model, pairs, batch=200):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(pairs.labels), batch):
            logits = model(*pairs.batch(range(i, min(i + batch, len(pairs.labels)))))
            out += (logits[:, 1] - logits[:, 0]).tolist()
    return out


def evaluate(model, pairs):
    s = scores(model, pairs)
    per_q = [([], []) for _ in pairs.questions]
    for qi, label, score in zip(pairs.q_of, pairs.labels, s):
        per_q[qi][0].append(label)
        per_q[qi][1].append(score)
    return trecqa.map_mrr(per_q)


def train(args):
    rng = common.seed_everything(args.seed)
    train_qs = trecqa.questions(os.path.join(args.data, "trecqa", "TRAIN.xml"))
    dev_qs = trecqa.questions(os.path.join(args.data, "trecqa", "DEV.xml"))
    if args.limit:
        train_qs = train_qs[: args.limit]
    vocab = common.Vocab([q.tokens for q in train_qs] + [c.tokens for q in train_qs for c in q.candidates])
    spec = overlap.spec([c.tokens for q in train_qs for c in q.candidates])
    train_set, dev_set = Pairs(train_qs, vocab, spec), Pairs(dev_qs, vocab, spec)
    common.log(f"TrecQA: {len(train_set.labels)} training pairs ({len(train_qs)} questions), "
               f"{len(dev_set.labels)} dev pairs, {len(vocab)} words; seed {args.seed}; "
               f"{common.pinned_cpu.DESCRIPTION}")
    model = SmTrainer(len(vocab), args.dropout, args.init_scale)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    labels = torch.tensor(train_set.labels)
    lengths = [len(q) + len(a) for q, a in zip(train_set.q_ids, train_set.a_ids)]
    history, best = [], (-1.0, None, 0, None)
    for epoch in range(1, args.epochs + 1):
        model.train()
        t0, total = time.time(), 0.0
        for rows in common.bucketed_batches(lengths, args.batch, rng):
            q, ql, a, al, ext = train_set.batch(rows)
            if args.word_dropout:  # the embeddings only: the overlap features see every word
                q = q.masked_fill(torch.from_numpy(rng.random_sample(q.shape) < args.word_dropout), common.UNK)
                a = a.masked_fill(torch.from_numpy(rng.random_sample(a.shape) < args.word_dropout), common.UNK)
            loss = F.cross_entropy(model(q, ql, a, al, ext), labels[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                model.embed.weight[common.UNK].zero_()
            total += float(loss) * len(rows)
        dev = evaluate(model, dev_set)
        with common.RoundedEmbedding(model.embed):  # the F16 store ships these
            dev_f16 = evaluate(model, dev_set)
        row = {"epoch": epoch, "loss": round(total / len(labels), 6),
               "dev_map": round(dev["raw"][0], 6), "dev_mrr": round(dev["raw"][1], 6),
               "dev_map_f16": round(dev_f16["raw"][0], 6), "seconds": round(time.time() - t0, 1)}
        history.append(row)
        common.log(json.dumps(row))
        if dev["raw"][0] > best[0]:
            best = (dev["raw"][0], model.checkpoint(), epoch, dev)
    return vocab, spec, best, history, len(train_set.labels)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--lr", type=float, default=3e-4, help="Adam learning rate")
    p.add_argument("--weight-decay", type=float, default=3e-4)
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--init-scale", type=float, default=0.05, help="embeddings start uniform in [-s, s]")
    p.add_argument("--word-dropout", type=float, default=0.0,
                   help="probability of replacing a training token's vector by the unknown word's")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training questions (smoke tests)")
    p.add_argument("--data", default=common.DATA, help="folder with trecqa/{TRAIN,DEV}.xml")
    args = p.parse_args(argv)

    started = time.time()
    vocab, spec, (dev_map, state, epoch, dev), history, n_train = train(args)
    os.makedirs(args.out, exist_ok=True)
    torch.save(state, os.path.join(args.out, "model.pt"))
    with open(os.path.join(args.out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("".join(w + "\n" for w in vocab.words))
    with open(os.path.join(args.out, "ext_feats.json"), "w", encoding="utf-8") as f:
        f.write(rm.compact_json(spec))
    record = {"command": common.command_line("converters/train/train_sm.py", sys.argv[1:] if argv is None else argv),
              "settings": vars(args) | {"data": "../shared/data"},
              "data_sha256": {f: common.file_sha256(os.path.join(args.data, "trecqa", f)) for f in ("TRAIN.xml", "DEV.xml")},
              "train_pairs": n_train,
              "vocab": len(vocab), "selected_epoch": epoch, "dev": dev, "history": history,
              "seconds": round(time.time() - started, 1), "torch": torch.__version__,
              "cpu": common.pinned_cpu.DESCRIPTION}
    with open(os.path.join(args.out, "train.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1)
    common.log(f"selected epoch {epoch}: dev MAP {dev_map:.4f} -> {args.out}/model.pt")


if __name__ == "__main__":
    main()
