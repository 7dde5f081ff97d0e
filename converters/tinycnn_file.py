"""Open a tinycnn .safetensors file as a PyTorch reference module.

Used by make_golden.py (fixture logits come from exactly the bytes the TS
engine loads), export_onnx.py and check scripts.
"""

import json

import torch

import reference_models as rm
import safetensors_io as st


def read_tinycnn(path):
    """-> (architecture, config dict, {name: float32 array}, metadata dict)."""
    with open(path, "rb") as f:
        tensors, metadata = st.read_safetensors(f.read())
    arch = metadata.get("tinycnn.architecture")
    if arch not in ("KimCNN", "SMModel"):
        raise ValueError(f"{path}: not a tinycnn weight file (tinycnn.architecture={arch!r})")
    return arch, json.loads(metadata["tinycnn.config"]), tensors, metadata


def load_module(path, kim_cls=rm.KimCNN, sm_cls=rm.SMModel):
    """-> (eval-mode float32 module with the file's weights, architecture, config, metadata).

    kim_cls / sm_cls let export_onnx.py substitute its traceable subclasses.
    """
    arch, config, tensors, metadata = read_tinycnn(path)
    with torch.random.fork_rng(devices=[]):  # random init is overwritten anyway
        model = rm.build_model(arch, config, kim_cls, sm_cls)
    return rm.load_weights(model, tensors), arch, config, metadata
