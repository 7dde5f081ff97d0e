"""Shared pieces of the training recipes: determinism, vocabulary, length-bucketed batches.

Import this first (it imports pinned_cpu, which must come before torch): one thread,
oneDNN off, OpenBLAS Haswell kernels, so the same command gives the same bits.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pinned_cpu  # noqa: E402,F401  (first: pins torch's CPU kernels)
import numpy as np  # noqa: E402
import torch  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get("TINYCNN_DATA", os.path.join(os.path.dirname(REPO), "shared", "data"))
UNK = 0  # vocabulary row 0: unknown words, a zero vector that is never trained


def log(message):
    print(message, file=sys.stderr, flush=True)


def file_sha256(path):
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def command_line(script, argv):
    """The command as recorded in train.json: the output folder is not part of the recipe."""
    args = list(argv)
    if "--out" in args:
        args[args.index("--out") + 1] = "OUT"
    return " ".join([script] + args)


def seed_everything(seed):
    torch.manual_seed(seed)
    return np.random.RandomState(seed)


class Vocab:
    """Words of the training data in first-seen order; row 0 is the unknown word."""

    def __init__(self, token_lists):
        self.words = ["<unk>"]
        self.index = {}
        for tokens in token_lists:
            for t in tokens:
                if t not in self.index:
                    self.index[t] = len(self.words)
                    self.words.append(t)

    def __len__(self):
        return len(self.words)

    def ids(self, tokens):
        return [self.index.get(t, UNK) for t in tokens]


def pad_ids(id_lists):
    """[[ids]] -> (LongTensor (batch, max_len) zero-padded, LongTensor (batch,) lengths)."""
    lengths = [len(x) for x in id_lists]
    out = torch.zeros(len(id_lists), max(lengths), dtype=torch.long)
    for i, ids in enumerate(id_lists):
        out[i, : len(ids)] = torch.tensor(ids, dtype=torch.long)
    return out, torch.tensor(lengths, dtype=torch.long)


def bucketed_batches(lengths, batch_size, rng):
    """Index batches of similar length in a seeded random order.

    Shuffle, stable-sort by length (ties stay shuffled), cut into batches, shuffle
    the batches: little padding, a different mix every epoch.
    """
    order = rng.permutation(len(lengths))
    order = order[np.argsort(np.asarray(lengths)[order], kind="stable")]
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def wide_conv_time(x, conv):
    """castorini's wide Conv2d(C_in=1, F, (k, D), padding=(k-1, 0)) as k shifted matmuls.

    x (batch, n, D) -> (batch, n + k - 1, F). The same function as conv(x.unsqueeze(1)),
    computed as sum_j pad(x)[:, j : j + n + k - 1] @ W[:, 0, j].T + b: one big GEMM per
    filter row instead of torch's per-sentence im2col (which is ~10x slower on CPU for
    these shapes). Training only; served logits come from the exported weights.
    """
    w = conv.weight  # (F, 1, k, D)
    k = w.shape[2]
    xp = torch.nn.functional.pad(x, (0, 0, k - 1, k - 1))  # (batch, n + 2k - 2, D)
    length = x.shape[1] + k - 1
    z = conv.bias
    for j in range(k):
        z = z + xp[:, j : j + length] @ w[:, 0, j].t()
    return z


def masked_max_over_time(z, valid):
    """z (batch, length, filters), valid (batch,) -> (batch, filters): the max over the
    first valid[i] steps of row i, exactly what an unpadded forward computes."""
    steps = torch.arange(z.shape[1]).unsqueeze(0)  # (1, length)
    mask = (steps >= valid.unsqueeze(1)).unsqueeze(2)  # (batch, length, 1)
    return z.masked_fill(mask, float("-inf")).max(dim=1).values


class RoundedEmbedding:
    """`with RoundedEmbedding(embed):` evaluates with the word vectors rounded to float16, as
    they are shipped (F16 store), and puts the float32 ones back afterwards."""

    def __init__(self, embed):
        self.embed = embed

    def __enter__(self):
        self.saved = self.embed.weight.detach().clone()
        with torch.no_grad():
            self.embed.weight.copy_(self.saved.half().float())

    def __exit__(self, *exc):
        with torch.no_grad():
            self.embed.weight.copy_(self.saved)


class SparseAdadelta:
    """Adadelta (Zeiler 2012; rho, eps as Kim's code) for an nn.Embedding(sparse=True):
    only the rows a batch touches are read and written. Dense Adadelta would also decay the
    accumulators of untouched rows (their weights do not move either way); skipping that
    makes a step cost the batch's rows instead of the whole 16k x 300 table."""

    def __init__(self, weight, lr=1.0, rho=0.95, eps=1e-6):
        self.weight, self.lr, self.rho, self.eps = weight, lr, rho, eps
        self.square_avg = torch.zeros_like(weight)  # (vocab, dim) E[g^2]
        self.acc_delta = torch.zeros_like(weight)  # (vocab, dim) E[dx^2]

    def step(self):
        grad = self.weight.grad
        if grad is None:
            return
        grad = grad.coalesce()
        rows, g = grad.indices()[0], grad.values()  # (k,), (k, dim)
        with torch.no_grad():
            sq = self.square_avg[rows].mul_(self.rho).addcmul_(g, g, value=1 - self.rho)
            std = sq.add(self.eps).sqrt_()
            delta = self.acc_delta[rows].add(self.eps).sqrt_().div_(std).mul_(g)
            self.acc_delta[rows] = self.acc_delta[rows].mul_(self.rho).addcmul_(delta, delta, value=1 - self.rho)
            self.square_avg[rows] = sq
            self.weight[rows] -= self.lr * delta
        self.weight.grad = None


class Ema:
    """Exponential moving average of parameters (the averaged weights are what is evaluated)."""

    def __init__(self, module, decay):
        self.decay = decay
        self.shadow = {k: v.detach().clone() for k, v in module.state_dict().items()}

    def update(self, module):
        with torch.no_grad():
            for k, v in module.state_dict().items():
                self.shadow[k].mul_(self.decay).add_(v.detach(), alpha=1 - self.decay)

    def swap(self, module):
        """Swap the live and the averaged weights (call twice to swap back)."""
        live = {k: v.detach().clone() for k, v in module.state_dict().items()}
        module.load_state_dict(self.shadow)
        self.shadow = live
