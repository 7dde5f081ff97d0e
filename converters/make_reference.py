#!/usr/bin/python3
"""Make the untrained reference weights the golden fixtures use (seeded random init).

    /usr/bin/python3 converters/make_reference.py [OUTDIR]     (default test/golden/)

Writes kim-static.safetensors (Kim CNN, static, 6 SST-1 classes, castorini's
shape) and sm.safetensors (SM CNN, no external features). The models tinycnn
ships in weights/ are trained (converters/train/). Each model is seeded
(seeded_init_: PyTorch's default init distribution, drawn so that every CPU
gives the same bits), its state_dict saved to a temporary .pt (zip serialization, fixed file name:
torch's zip writer is deterministic) and passed through the real exporter,
so re-running gives byte-identical files.
"""

import math
import os
import sys
import tempfile

import pinned_cpu  # noqa: F401  (first: pins torch's CPU kernels)
import numpy as np
import torch

import export
import reference_models as rm

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# torchtext's label vocabulary for SST-1 as castorini built it: <unk> first,
# then the labels by descending training-set frequency.
SST1_LABELS = ["<unk>", "positive", "negative", "neutral", "very positive", "very negative"]

# (output file, seed, module factory, --labels, tokenizer)
REFERENCE_MODELS = [
    ("kim-static.safetensors", 1, lambda: rm.KimCNN(channels=1, classes=6),
     SST1_LABELS, "clean_str_sst"),
    ("sm.safetensors", 2, lambda: rm.SMModel(ext_feats=False), ["0", "1"], "split"),
]


def seeded_init_(model, seed):
    """Re-draw every parameter from PyTorch's default init distribution, portably.

    nn.Conv2d / nn.Linear initialise weight and bias uniformly in
    [-1/sqrt(fan_in), 1/sqrt(fan_in)] (kaiming_uniform_ with a = sqrt(5)),
    but torch's uniform_ rounds differently per CPU kernel (AVX2 vs AVX-512
    vs scalar). So: torch.manual_seed(seed), then for each parameter in
    named_parameters() order draw integers k = torch.randint(0, 2**24, shape)
    (identical on every CPU) and set value = (k - 2**23) / 2**23 * bound in
    float32 (the first factor is exact; one correctly rounded multiply),
    with bound = float32(1 / sqrt(fan_in)), fan_in = numel of one output
    unit's weights (in_channels * kh * kw for a conv, in_features for fc).
    """
    torch.manual_seed(seed)
    modules = dict(model.named_modules())
    with torch.no_grad():
        for name, param in model.named_parameters():
            owner = modules[name.rsplit(".", 1)[0]]
            fan_in = owner.weight[0].numel()
            bound = np.float32(1.0 / math.sqrt(fan_in))
            k = torch.randint(0, 2 ** 24, tuple(param.shape)).numpy()
            unit = ((k - 2 ** 23).astype(np.float32) / np.float32(2 ** 23)).astype(np.float32)
            param.copy_(torch.from_numpy(unit * bound))
    return model


def export_seeded(out_path, seed, factory, labels, tokenizer):
    """Seed, build, save the state_dict to a temp .pt, export it to out_path."""
    model = seeded_init_(factory(), seed).eval()
    stem = os.path.splitext(os.path.basename(out_path))[0]
    with tempfile.TemporaryDirectory() as tmp:
        # The .pt name is recorded inside the zip and in tinycnn.source: keep it fixed.
        pt = os.path.join(tmp, stem + ".pt")
        torch.save(model.state_dict(), pt)
        labels_arg = None if labels is None else rm.compact_json(labels)  # None: "0", "1", ...
        return export.export_file(pt, out_path, labels_arg, tokenizer)


def make_reference(outdir):
    """Write every reference model into outdir; returns the written paths."""
    os.makedirs(outdir, exist_ok=True)
    paths = []
    for name, seed, factory, labels, tokenizer in REFERENCE_MODELS:
        path = os.path.join(outdir, name)
        export_seeded(path, seed, factory, labels, tokenizer)
        paths.append(path)
    return paths


if __name__ == "__main__":
    make_reference(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "test", "golden"))
