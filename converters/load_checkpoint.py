"""Read any supported checkpoint file, then clean it to {name: float32 array}.

Accepts castorini whole-model pickles (legacy or zip serialization, saved on
CPU or GPU: storages are mapped to the CPU), state_dict files (also wrapped
as {'state_dict': ...} or {'model': ...}) and state_dict .safetensors files.
Pickles go through checkpoint_pickle, so no foreign module is imported.
Castorini's legacy embedding tables are dropped here (said on stderr).
"""

import sys
import warnings
from collections.abc import Mapping

import numpy as np
import torch

import checkpoint_pickle
import safetensors_io as st

LEGACY_EMBEDDINGS = ("embed.weight", "static_embed.weight", "non_static_embed.weight")


class ConvertError(Exception):
    """A bad input file or option; the message is one line for the user."""


def log(message):
    print(f"export.py: {message}", file=sys.stderr)


def _one_line(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def load_checkpoint(path):
    """-> ({name: torch.Tensor}, conv layer settings or None, description)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ConvertError(f"cannot read {path}: {e.strerror}") from None
    if st.looks_like_safetensors(data[:16]):
        try:
            arrays, _ = st.read_safetensors(data)
        except st.SafetensorsError as e:
            raise ConvertError(f"{path}: bad safetensors file: {e}") from None
        return {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}, None, "safetensors"
    try:
        with warnings.catch_warnings():  # source-change / missing-source noise
            warnings.simplefilter("ignore")
            obj = checkpoint_pickle.torch_load(path)
    except Exception as e:  # torch raises many types for non-checkpoints
        raise ConvertError(f"{path} is not a readable PyTorch checkpoint or safetensors "
                           f"file ({_one_line(e)})") from None
    return _tensors_from(obj, path)


def _tensors_from(obj, path, where=""):
    if checkpoint_pickle.is_module_like(obj):
        kind = getattr(type(obj), "pickled_path", type(obj).__name__)
        return (checkpoint_pickle.named_tensors(obj), checkpoint_pickle.layer_settings(obj),
                f"whole-model pickle ({kind}){where}")
    if isinstance(obj, Mapping):
        for key in ("state_dict", "model"):
            if key in obj and (isinstance(obj[key], Mapping)
                               or checkpoint_pickle.is_module_like(obj[key])):
                return _tensors_from(obj[key], path, f" under '{key}'")
        tensors = {k: v for k, v in obj.items() if isinstance(v, torch.Tensor)}
        if tensors:
            others = sorted(str(k) for k in obj if k not in tensors)
            if others:
                raise ConvertError(f"{path}: state_dict has non-tensor entries {others}")
            return tensors, None, f"state_dict{where}"
        keys = sorted(str(k) for k in obj)[:8]
        raise ConvertError(f"{path}: a dict without tensors (keys {keys}); expected a "
                           "state_dict, {'state_dict': ...} / {'model': ...}, or a model")
    raise ConvertError(f"{path}: holds {_describe(obj)}, not a model or a state_dict")


def _describe(obj):
    """What a checkpoint holds, for the refusal: placeholders name the call tinycnn refused."""
    pickled = getattr(type(obj), "pickled_path", None)
    if isinstance(obj, checkpoint_pickle.Placeholder) and pickled:
        return (f"the result of {pickled}(...), which was not run (the exporter never imports or "
                "calls a pickle's functions and classes beyond torch's tensors and layers)")
    return f"a value of type {type(obj).__module__}.{type(obj).__qualname__}"


def clean_tensors(tensors):
    """Strip DataParallel's 'module.', drop legacy embeddings, make float32 numpy."""
    if tensors and all(k.startswith("module.") for k in tensors):
        tensors = {k[len("module."):]: v for k, v in tensors.items()}
        log("stripped the 'module.' prefix (DataParallel) from every tensor name")
    dropped = [k for k in LEGACY_EMBEDDINGS if k in tensors]
    if dropped:
        shapes = ", ".join(f"{k} {list(tensors[k].shape)}" for k in dropped)
        log(f"dropped legacy embedding tables {shapes}: tinycnn takes word vectors "
            "from its own store")
        s, ns = tensors.get("static_embed.weight"), tensors.get("non_static_embed.weight")
        if s is not None and ns is not None and s.shape == ns.shape and not torch.equal(s, ns):
            log("warning: non_static_embed differs from static_embed (vectors were "
                "fine-tuned): non-static inputs / multichannel channel 0 must use the "
                "fine-tuned vectors to reproduce training-time results")
    out = {}
    for name, t in tensors.items():
        if name in dropped:
            continue
        if not t.is_floating_point():
            raise ConvertError(f"tensor {name} has dtype {t.dtype}, expected floating point")
        array = t.detach().to(torch.float32).contiguous().numpy().copy()
        bad = np.flatnonzero(~np.isfinite(array))
        if bad.size:
            at = int(bad[0])
            index = list(np.unravel_index(at, array.shape)) if array.ndim else []
            raise ConvertError(f"tensor {name} holds {array.reshape(-1)[at]} at element {at} "
                               f"{[int(i) for i in index]} ({bad.size} non-finite values in all, "
                               "after conversion to float32): a model with NaN or infinite "
                               "weights has no meaningful answers; export a good checkpoint")
        out[name] = array
    return out
