#!/usr/bin/python3
"""Write castorini-format checkpoints for end-to-end tests of `tinycnn convert`.

    /usr/bin/python3 converters/make_checkpoints.py OUTDIR [--small]

Writes OUTDIR/model.py (castorini-style KimCNN(config) / SMModel(config)
with a config object attribute; KimCNN also carries the legacy embed,
static_embed and non_static_embed tables), imports it as module `model` so
the pickles record the class paths model.KimCNN / model.SMModel, and saves
seeded models in every form castorini and PyTorch produce:

  <model>.legacy.pt      torch.save(model, _use_new_zipfile_serialization=False)
  <model>.zip.pt         torch.save(model)
  <model>.state_dict.pt  torch.save(model.state_dict())   (embeddings included)
  kim-static.gpu.pt      whole model, zip, storages tagged 'cuda:0'
  sm-ext.gpu-legacy.pt   whole model, legacy, storages tagged 'cuda:0'
  sm.wrapped.pt          {'state_dict': ..., 'epoch': 3, 'config': config}

for <model> in kim-static, kim-multichannel, sm, sm-ext, plus OUTDIR/cases.json:
{"torch", "checkpoints": [{"file", "format", "architecture", "config" (the
tinycnn.config the exporter must produce), "input", "input_sha256",
"logits", "logits_f64"}]} with PyTorch's logits of the pickled model itself.
Sizes are castorini's (Kim 100 x 300, SM 100 x 50); --small uses odd tiny ones.
"""

import argparse
import contextlib
import copy
import importlib.util
import json
import os
import sys

import pinned_cpu  # noqa: F401  (first: pins torch's CPU kernels)
import torch

import probe
import reference_models as rm

MODEL_PY = '''"""Castorini-style Kim CNN and SM CNN (written by tinycnn converters/make_checkpoints.py).

Same layers and forward passes as castorini's; the forward passes take
already-embedded input, like castorini/serverless-inference's handlers.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Config:
    """Plays the role of castorini's argparse config object."""

    def __init__(self, **settings):
        self.__dict__.update(settings)


class KimCNN(nn.Module):
    def __init__(self, config):
        super(KimCNN, self).__init__()
        self.config = config
        self.mode = config.mode
        channels = 2 if config.mode == "multichannel" else 1
        n, d, f = config.words_num, config.words_dim, config.output_channel
        self.embed = nn.Embedding(n, d)
        self.static_embed = nn.Embedding(n, d)
        self.non_static_embed = nn.Embedding(n, d)
        self.static_embed.weight.requires_grad = False
        self.conv1 = nn.Conv2d(channels, f, (3, d), padding=(2, 0))
        self.conv2 = nn.Conv2d(channels, f, (4, d), padding=(3, 0))
        self.conv3 = nn.Conv2d(channels, f, (5, d), padding=(4, 0))
        self.dropout = nn.Dropout(config.dropout)
        self.fc1 = nn.Linear(3 * f, config.target_class)

    def forward(self, x):
        x = [F.relu(self.conv1(x)).squeeze(3), F.relu(self.conv2(x)).squeeze(3),
             F.relu(self.conv3(x)).squeeze(3)]
        x = [F.max_pool1d(i, i.size(2)).squeeze(2) for i in x]
        x = self.dropout(torch.cat(x, 1))
        return self.fc1(x)


class SMModel(nn.Module):
    def __init__(self, config):
        super(SMModel, self).__init__()
        self.config = config
        f, d, w = config.output_channel, config.words_dim, config.filter_width
        self.ext_feats_size = 4 if config.ext_feats else 0
        self.conv_q = nn.Conv2d(1, f, (w, d), padding=(w - 1, 0))
        self.conv_a = nn.Conv2d(1, f, (w, d), padding=(w - 1, 0))
        self.dropout = nn.Dropout(config.dropout)
        n_hidden = 2 * f + self.ext_feats_size
        self.combined_feature_vector = nn.Linear(n_hidden, n_hidden)
        self.hidden = nn.Linear(n_hidden, 2)

    def forward(self, x_question, x_answer, x_ext=None):
        q = x_question.view(x_question.size(0), 1, x_question.size(1), x_question.size(2))
        a = x_answer.view(x_answer.size(0), 1, x_answer.size(1), x_answer.size(2))
        x = [torch.tanh(self.conv_q(q)).squeeze(3), torch.tanh(self.conv_a(a)).squeeze(3)]
        x = [F.max_pool1d(i, i.size(2)).squeeze(2) for i in x]
        if self.ext_feats_size > 0:
            x.append(x_ext)
        x = torch.tanh(self.combined_feature_vector(torch.cat(x, 1)))
        return self.hidden(self.dropout(x))
'''

SIZES = {False: dict(kim_f=100, kim_d=300, sm_f=100, sm_d=50, vocab=40),
         True: dict(kim_f=9, kim_d=17, sm_f=6, sm_d=10, vocab=12)}


def import_model_module(outdir):
    """Write OUTDIR/model.py and import it as the top-level module `model`."""
    path = os.path.join(outdir, "model.py")
    with open(path, "w") as f:
        f.write(MODEL_PY)
    spec = importlib.util.spec_from_file_location("model", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["model"] = module  # pickle looks classes up in sys.modules
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def cuda_tagged():
    """Make torch.save tag CPU storages 'cuda:0', as a GPU-saved file has."""
    def tagger(storage):
        return "cuda:0" if storage.device.type == "cpu" else None

    def never(storage, location):  # leave deserialising to torch's own handlers
        return None

    torch.serialization.register_package(0, tagger, never)
    try:
        yield
    finally:
        registry = torch.serialization._package_registry
        registry[:] = [entry for entry in registry if entry[1] is not tagger]


def build(m, sizes, kind, seed):
    """A seeded castorini-style model -> (model, tinycnn config, input recipes)."""
    torch.manual_seed(seed)
    if kind.startswith("kim"):
        mode = "multichannel" if kind == "kim-multichannel" else "static"
        cfg = m.Config(mode=mode, words_num=sizes["vocab"], words_dim=sizes["kim_d"],
                       output_channel=sizes["kim_f"], target_class=5, dropout=0.5,
                       dataset="SST-1")
        model = m.KimCNN(cfg)
        with torch.no_grad():  # static: untouched copy; multichannel: "fine-tuned" copy
            model.non_static_embed.weight.copy_(model.static_embed.weight)
            if mode == "multichannel":
                model.non_static_embed.weight.add_(0.01)
        channels = 2 if mode == "multichannel" else 1
        config = rm.kim_config(channels, sizes["kim_f"], sizes["kim_d"], [3, 4, 5], 5)
        inputs = {"x": probe.recipe(seed * 10, 11, channels, sizes["kim_d"])}
        return model, config, inputs
    ext = kind == "sm-ext"
    cfg = m.Config(output_channel=sizes["sm_f"], words_dim=sizes["sm_d"], filter_width=5,
                   ext_feats=ext, dropout=0.5)
    config = rm.sm_config(sizes["sm_f"], sizes["sm_d"], 5, ext, 2)
    inputs = {"q": probe.recipe(seed * 10, 6, 1, sizes["sm_d"]),
              "a": probe.recipe(seed * 10 + 1, 13, 1, sizes["sm_d"])}
    if ext:
        inputs["ext"] = {"seed": seed * 10 + 2, "scale": 1}
    return m.SMModel(cfg), config, inputs


def run(model, arrays, dtype):
    """The pickled model's own logits for one input (batch of 1)."""
    model = copy.deepcopy(model).to(dtype).eval()
    t = {k: torch.from_numpy(v).to(dtype) for k, v in arrays.items()}
    with torch.no_grad():
        if "x" in t:
            out = model(t["x"][None])
        else:
            out = model(t["q"], t["a"], t["ext"][None] if "ext" in t else None)
    return [float(v) for v in out[0].tolist()]


def save_all(outdir, model, kind):
    """Save every form of one model -> [(file name, format)]."""
    files = [(f"{kind}.legacy.pt", "legacy-pickle"), (f"{kind}.zip.pt", "zip-pickle"),
             (f"{kind}.state_dict.pt", "state_dict")]
    torch.save(model, os.path.join(outdir, files[0][0]), _use_new_zipfile_serialization=False)
    torch.save(model, os.path.join(outdir, files[1][0]))
    torch.save(model.state_dict(), os.path.join(outdir, files[2][0]))
    if kind == "kim-static":
        with cuda_tagged():
            torch.save(model, os.path.join(outdir, "kim-static.gpu.pt"))
        files.append(("kim-static.gpu.pt", "gpu-zip-pickle"))
    if kind == "sm-ext":
        with cuda_tagged():
            torch.save(model, os.path.join(outdir, "sm-ext.gpu-legacy.pt"),
                       _use_new_zipfile_serialization=False)
        files.append(("sm-ext.gpu-legacy.pt", "gpu-legacy-pickle"))
    if kind == "sm":
        wrapped = {"state_dict": model.state_dict(), "epoch": 3, "config": model.config}
        torch.save(wrapped, os.path.join(outdir, "sm.wrapped.pt"))
        files.append(("sm.wrapped.pt", "wrapped-state_dict"))
    return files


def make_checkpoints(outdir, small=False):
    """Write model.py, the checkpoints and cases.json; -> the cases list."""
    os.makedirs(outdir, exist_ok=True)
    m = import_model_module(outdir)
    cases = []
    for seed, kind in enumerate(["kim-static", "kim-multichannel", "sm", "sm-ext"], start=31):
        model, config, recipes = build(m, SIZES[small], kind, seed)
        model.eval()
        arrays = {k: probe.make_ext(r) if k == "ext" else probe.make_input(r)
                  for k, r in recipes.items()}
        expected = {"input": recipes,
                    "input_sha256": {k: probe.sha256_f32(a) for k, a in arrays.items()},
                    "logits": run(model, arrays, torch.float32),
                    "logits_f64": run(model, arrays, torch.float64)}
        arch = "KimCNN" if kind.startswith("kim") else "SMModel"
        for name, fmt in save_all(outdir, model, kind):
            cases.append({"file": name, "format": fmt, "architecture": arch,
                          "config": config, **expected})
    with open(os.path.join(outdir, "cases.json"), "w") as f:
        json.dump({"torch": torch.__version__, "checkpoints": cases}, f, indent=1)
        f.write("\n")
    return cases


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="castorini-format test checkpoints")
    parser.add_argument("outdir")
    parser.add_argument("--small", action="store_true", help="tiny odd sizes (fast tests)")
    args = parser.parse_args()
    cases = make_checkpoints(args.outdir, args.small)
    print(f"wrote {len(cases)} checkpoints and cases.json to {args.outdir}", file=sys.stderr)
