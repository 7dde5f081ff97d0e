#!/usr/bin/python3
"""Export a Kim CNN / SM CNN checkpoint to a tinycnn safetensors file.

    /usr/bin/python3 converters/export.py IN OUT.safetensors \
        [--labels a,b,c] [--tokenizer clean_str_sst|split|ptb] [--ext-feats SPEC.json]

IN may be a castorini whole-model pickle (`torch.save(model)`, legacy or zip
serialization, saved on CPU or GPU), a state_dict file (also wrapped as
{'state_dict': ...} or {'model': ...}), or a state_dict .safetensors file.
The architecture is recognised from the tensor names alone. Exit code 2 and
one line on stderr for anything that is not a KimCNN / SMModel checkpoint;
exit code 3 and one line when this Python cannot import torch or numpy.

Output: F32 safetensors, tensors in sorted-name order, 8-byte aligned data,
deterministic bytes, with __metadata__ (all strings):
  format                 "pt"
  tinycnn.architecture   "KimCNN" | "SMModel"
  tinycnn.config         compact JSON, see reference_models.kim_config / sm_config
  tinycnn.labels         JSON array of class names
  tinycnn.tokenizer      "clean_str_sst" | "split" | "ptb"
  tinycnn.ext_features   (SM with external features, when --ext-feats is given) how the
                         server computes them from the two texts: compact JSON
                         {"name": ..., settings}, see converters/train/overlap.py
  tinycnn.source         base name of IN;  tinycnn.source_sha256: sha256 of IN
  tinycnn.torch          torch.__version__
  tinycnn.probe          parity certificate, see probe_certificate()
"""

import argparse
import hashlib
import json
import os
import sys

importing = "torch"  # named in the message below: an ImportError raised inside a broken install has no .name
try:
    import torch  # first: the one to name where both are missing

    importing = "numpy"
    import numpy as np
except ImportError as missing:  # exit 3: this Python lacks a dependency (tinycnn convert tries another)
    print(f"export.py: {sys.executable} cannot import {importing} ({missing}): reading PyTorch "
          "checkpoints needs PyTorch and numpy (pip install torch numpy, or apt-get install python3-torch)",
          file=sys.stderr)
    sys.exit(3)

import probe
import reference_models as rm
import safetensors_io as st
from load_checkpoint import ConvertError, clean_tensors, load_checkpoint, log

PROBE_SEED = 20240601
PROBE_TOKENS = 7  # Kim
PROBE_Q_TOKENS, PROBE_A_TOKENS = 7, 9  # SM
TOKENIZERS = ("clean_str_sst", "split", "ptb")


def _check_keys(names):
    keys = set(names)
    kim, sm = keys & set(rm.KIM_KEYS), keys & set(rm.SM_KEYS)
    if not kim and not sm:
        found = sorted(keys)[:10] or "none"
        raise ConvertError(f"not a KimCNN or SMModel checkpoint: unexpected keys {found} "
                           "(expected conv1-3 + fc1, or conv_q, conv_a, "
                           "combined_feature_vector, hidden)")
    arch, expected = ("KimCNN", rm.KIM_KEYS) if len(kim) >= len(sm) else ("SMModel", rm.SM_KEYS)
    missing, unexpected = sorted(set(expected) - keys), sorted(keys - set(expected))
    if missing or unexpected:
        raise ConvertError(f"not a {arch} checkpoint: missing keys {missing}, "
                           f"unexpected keys {unexpected}")
    return arch


def _expect(tensors, name, shape):
    got = list(tensors[name].shape)
    if got != list(shape):
        raise ConvertError(f"{name} has shape {got}, expected {list(shape)}")


def _check_conv(settings, name, k):
    """Whole-model pickles tell us the padding; it must be castorini's (k-1, 0)."""
    s = (settings or {}).get(name)
    if s is None:
        return
    want = {"padding": (k - 1, 0), "stride": (1, 1), "dilation": (1, 1), "groups": 1}
    for key, value in want.items():
        if s.get(key) is not None and s[key] != value:
            raise ConvertError(f"{name} has {key} {s[key]}, but tinycnn implements "
                               f"castorini's wide convolution ({key} {value})")


def detect(tensors, settings=None):
    """-> (architecture, config dict), or ConvertError naming what is wrong."""
    arch = _check_keys(tensors)
    if arch == "KimCNN":
        w = tensors["conv1.weight"]
        if w.ndim != 4:
            raise ConvertError(f"conv1.weight has shape {list(w.shape)}, expected 4 dims")
        filters, channels, _, dim = w.shape
        if channels not in (1, 2):
            raise ConvertError(f"conv1.weight has {channels} input channels, expected 1 or 2")
        ks = []
        for i in (1, 2, 3):
            k = tensors[f"conv{i}.weight"].shape[2] if tensors[f"conv{i}.weight"].ndim == 4 else 0
            _expect(tensors, f"conv{i}.weight", (filters, channels, k, dim))
            _expect(tensors, f"conv{i}.bias", (filters,))
            _check_conv(settings, f"conv{i}", k)
            ks.append(int(k))
        classes = tensors["fc1.weight"].shape[0]
        _expect(tensors, "fc1.weight", (classes, 3 * filters))
        _expect(tensors, "fc1.bias", (classes,))
        return arch, rm.kim_config(int(channels), int(filters), int(dim), ks, int(classes))
    w = tensors["conv_q.weight"]
    if w.ndim != 4:
        raise ConvertError(f"conv_q.weight has shape {list(w.shape)}, expected 4 dims")
    filters, _, k, dim = w.shape
    for name in ("conv_q", "conv_a"):
        _expect(tensors, f"{name}.weight", (filters, 1, k, dim))
        _expect(tensors, f"{name}.bias", (filters,))
        _check_conv(settings, name, int(k))
    hidden = tensors["combined_feature_vector.weight"].shape[0]
    if hidden not in (2 * filters, 2 * filters + rm.SM_EXT_FEATS):
        raise ConvertError(f"combined_feature_vector.weight has {hidden} rows, expected "
                           f"{2 * filters} or {2 * filters + rm.SM_EXT_FEATS} (with ext feats)")
    _expect(tensors, "combined_feature_vector.weight", (hidden, hidden))
    _expect(tensors, "combined_feature_vector.bias", (hidden,))
    classes = tensors["hidden.weight"].shape[0]
    _expect(tensors, "hidden.weight", (classes, hidden))
    _expect(tensors, "hidden.bias", (classes,))
    ext = hidden == 2 * filters + rm.SM_EXT_FEATS
    return arch, rm.sm_config(int(filters), int(dim), int(k), ext, int(classes))


def probe_certificate(arch, config, tensors):
    """Parity certificate: the reference module's logits on the probe input.

    Computed in float64 from the exported float32 weights and the exact
    float32 probe input, then rounded to float32: the float32-correct answer,
    independent of BLAS summation order, so the file's bytes are reproducible.
    """
    with torch.random.fork_rng(devices=[]):  # building a module draws random init
        model = rm.load_weights(rm.build_model(arch, config), tensors).double()
    d = config["dim"]
    with torch.no_grad():
        if arch == "KimCNN":
            x = probe.make_input(probe.recipe(PROBE_SEED, PROBE_TOKENS, config["channels"], d))
            out = model(torch.from_numpy(x).double()[None])
            cert = {"generator": "mulberry32", "seed": PROBE_SEED, "tokens": PROBE_TOKENS}
        else:
            q = probe.make_input(probe.recipe(PROBE_SEED, PROBE_Q_TOKENS, 1, d))
            a = probe.make_input(probe.recipe(PROBE_SEED + 1, PROBE_A_TOKENS, 1, d))
            ext = None
            if config["ext_feats"]:
                ext = torch.from_numpy(probe.make_ext({"seed": PROBE_SEED + 2, "scale": 1}))
                ext = ext.double()[None]
            out = model(torch.from_numpy(q).double(), torch.from_numpy(a).double(), ext)
            cert = {"generator": "mulberry32", "seed": PROBE_SEED,
                    "q_tokens": PROBE_Q_TOKENS, "a_tokens": PROBE_A_TOKENS}
    cert["logits"] = [float(np.float32(v)) for v in out[0].tolist()]
    return cert


def parse_labels(text, classes):
    """'a,b,c' or a JSON array -> list of exactly `classes` names."""
    if text is None:
        return [str(i) for i in range(classes)]
    try:
        labels = json.loads(text) if text.lstrip().startswith("[") else text.split(",")
    except json.JSONDecodeError as e:
        raise ConvertError(f"--labels is not a valid JSON array: {e}") from None
    if not isinstance(labels, list) or len(labels) != classes or not all(isinstance(x, str) and x for x in labels):
        raise ConvertError(f"--labels must give {classes} non-empty names (one per class), "
                           f"got {text!r}")
    return labels


def read_ext_feats(path, arch, config):
    """--ext-feats: a JSON object naming the feature set; only for SM with external features."""
    if arch != "SMModel" or not config["ext_feats"]:
        raise ConvertError(f"--ext-feats given, but this is a {arch} without external features")
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ConvertError(f"--ext-feats {path}: {e}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise ConvertError(f"--ext-feats {path}: expected a JSON object with a \"name\"")
    return spec


def convert(in_path, labels=None, tokenizer=None, ext_feats=None):
    """Read any supported checkpoint -> (safetensors bytes, summary dict)."""
    tensors, settings, kind = load_checkpoint(in_path)
    tensors = clean_tensors(tensors)
    arch, config = detect(tensors, settings)
    names = parse_labels(labels, config["classes"])
    if tokenizer is None:
        tokenizer = "clean_str_sst" if arch == "KimCNN" else "split"
    if tokenizer not in TOKENIZERS:
        raise ConvertError(f"unknown tokenizer {tokenizer!r} (use {' or '.join(TOKENIZERS)})")
    with open(in_path, "rb") as f:
        source_sha = hashlib.sha256(f.read()).hexdigest()
    metadata = {
        "format": "pt",
        "tinycnn.architecture": arch,
        "tinycnn.config": rm.compact_json(config),
        "tinycnn.labels": rm.compact_json(names),
        "tinycnn.tokenizer": tokenizer,
        "tinycnn.source": os.path.basename(in_path),
        "tinycnn.source_sha256": source_sha,
        "tinycnn.torch": torch.__version__,
        "tinycnn.probe": rm.compact_json(probe_certificate(arch, config, tensors)),
    }
    if ext_feats is not None:
        metadata["tinycnn.ext_features"] = rm.compact_json(read_ext_feats(ext_feats, arch, config))
    data = st.write_safetensors(tensors, metadata)
    summary = {"architecture": arch, "config": config, "tensors": len(tensors),
               "bytes": len(data), "input": kind}
    return data, summary


def export_file(in_path, out_path, labels=None, tokenizer=None, ext_feats=None):
    """convert() and write OUT atomically; logs the one-line summary."""
    data, summary = convert(in_path, labels, tokenizer, ext_feats)
    tmp = f"{out_path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, out_path)
    log(f"{summary['architecture']} {rm.compact_json(summary['config'])} from "
        f"{summary['input']}: {summary['tensors']} tensors, {summary['bytes']} bytes -> {out_path}")
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(prog="export.py", description=__doc__.split("\n")[0])
    parser.add_argument("input", help="checkpoint: whole-model pickle, state_dict, or .safetensors")
    parser.add_argument("output", help="tinycnn .safetensors file to write")
    parser.add_argument("--labels", help="class names, comma-separated or a JSON array")
    parser.add_argument("--tokenizer", choices=TOKENIZERS,
                        help="default clean_str_sst for Kim CNN, split for SM CNN")
    parser.add_argument("--ext-feats", metavar="SPEC.json",
                        help="SM with external features: how to compute them from the texts "
                             "(written by converters/train/train_sm.py)")
    args = parser.parse_args(argv)
    try:
        export_file(args.input, args.output, args.labels, args.tokenizer, args.ext_feats)
    except ConvertError as e:
        log(f"error: {e}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
