"""A pickle module for torch.load that opens castorini whole-model checkpoints.

castorini saves `torch.save(model)`: the pickle names the model's class by
module path (`model.KimCNN`, `kim_cnn.model.KimCNN`, `sm_cnn.model.SMModel`,
...) plus whatever its config object is. Those modules are not importable
here, and importing them would run foreign code anyway. So:

- any class named KimCNN / SMModel (any module path) becomes a stand-in
  nn.Module subclass; its _modules/_parameters are restored as pickled;
- torch's own tensor rebuild functions, nn layer classes, dtypes and a few
  plain containers resolve to the real thing (an allowlist);
- everything else (config objects, argparse.Namespace, numpy scalars,
  torchtext vocabularies, or any function a hostile pickle names) becomes
  an inert Placeholder that just remembers its arguments and state.

Use: checkpoint_pickle.torch_load(path), i.e. torch.load(path, map_location=
"cpu", pickle_module=checkpoint_pickle) plus a workaround for torch 1.13,
whose torch.load ignores pickle_module. torch.load wraps our Unpickler (it intercepts *Storage names first) for both
the legacy tar/pickle format and the zip format, and calls our `load` for the
legacy format's side pickles. Then collect tensors with `named_tensors`.
"""

import builtins
import collections
import copyreg
import importlib
import pickle

import torch
import torch.nn as nn

MODEL_CLASS_NAMES = ("KimCNN", "SMModel")
_SAFE_BUILTINS = {"set", "frozenset", "list", "dict", "tuple", "int", "float", "str",
                  "bytes", "bytearray", "complex", "slice", "range", "bool", "object"}


class Placeholder:
    """Inert stand-in for a class or function we refuse to import."""

    pickled_path = "?"
    dump_patches = False  # torch's legacy loader reads this on source mismatch

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        self.__dict__["_placeholder_args"] = (args, kwargs)

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) == 2:  # (dict, slots)
            state = {**(state[0] or {}), **(state[1] or {})}
        if isinstance(state, dict):
            self.__dict__.update(state)
        else:
            self.__dict__["_placeholder_state"] = state

    def __call__(self, *args, **kwargs):  # a placeholder *function* result
        return Placeholder(*args, **kwargs)

    def __repr__(self):
        return f"<placeholder {self.pickled_path}>"


class StandInModel(nn.Module):
    """Stand-in for castorini's KimCNN / SMModel: holds restored layers only."""

    pickled_path = "?"

    def forward(self, *args):
        raise RuntimeError("stand-in module: export the weights, then use reference_models")


_classes = {}


def _stand_in(base, module, name):
    """One cached subclass per pickled path, so error messages can name it."""
    key = (base, module, name)
    if key not in _classes:
        _classes[key] = type(name, (base,), {"pickled_path": f"{module}.{name}",
                                            "__module__": __name__})
    return _classes[key]


def _allowed(module, name):
    """The real object for allowlisted (module, name), else None."""
    if module in ("builtins", "__builtin__"):
        return getattr(builtins, name) if name in _SAFE_BUILTINS else None
    if (module, name) in (("collections", "OrderedDict"), ("copyreg", "_reconstructor"),
                          ("torch.nn.parameter", "Parameter")):
        return {"collections": collections, "copyreg": copyreg,
                "torch.nn.parameter": torch.nn.parameter}[module].__dict__[name]
    if module == "torch._utils" and name.startswith("_rebuild_"):
        return getattr(torch._utils, name, None)
    if module == "torch" or module.startswith("torch.nn.modules."):
        try:
            obj = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            return None  # e.g. a layer class from an older torch
        # classes (layers, Size, device) and dtypes, never plain functions
        if isinstance(obj, (type, torch.dtype)):
            return obj
    return None


def _find(module, name):
    if name in MODEL_CLASS_NAMES:
        return _stand_in(StandInModel, module, name)
    obj = _allowed(module, name)
    return obj if obj is not None else _stand_in(Placeholder, module, name)


class Unpickler(pickle.Unpickler):
    """pickle.Unpickler whose find_class applies the rules above."""

    def find_class(self, module, name):
        return _find(module, name)


def load(file, **kwargs):
    """pickle.load with our Unpickler (torch's legacy loader calls this)."""
    return Unpickler(file, **kwargs).load()


# What torch.load may use of a pickle module besides Unpickler / load.
UnpicklingError = pickle.UnpicklingError


def torch_load(path):
    """torch.load(path) on the CPU through this module, on any torch version.

    torch 1.13's torch.load has `if weights_only: ... else: pickle_module =
    pickle`, silently dropping our module. It reads the name `pickle` from
    torch.serialization's globals, so point that name at us for the call.
    """
    import checkpoint_pickle as this  # the module object, not just its dict
    saved = torch.serialization.pickle
    torch.serialization.pickle = this
    try:
        return torch.load(path, map_location="cpu", pickle_module=this)
    finally:
        torch.serialization.pickle = saved


def is_module_like(obj):
    """True for nn.Module-shaped objects, even ones restored into placeholders."""
    d = getattr(obj, "__dict__", {})
    return isinstance(d.get("_modules"), dict) and isinstance(d.get("_parameters"), dict)


def named_tensors(module, prefix=""):
    """{dotted name: tensor} from _parameters, persistent _buffers, _modules.

    Walks the raw dicts instead of calling state_dict(), which needs
    attributes that modules pickled by old torch versions lack.
    """
    d, out = module.__dict__, {}
    for name, p in d["_parameters"].items():
        if p is not None:
            out[prefix + name] = p.detach()
    non_persistent = d.get("_non_persistent_buffers_set", set())
    for name, b in (d.get("_buffers") or {}).items():
        if b is not None and name not in non_persistent:
            out[prefix + name] = b.detach()
    for name, child in d["_modules"].items():
        if child is not None and is_module_like(child):
            out.update(named_tensors(child, prefix + name + "."))
    return out


def layer_settings(module):
    """{layer name: {padding, stride, dilation, groups}} for conv layers.

    Lets the exporter check a whole-model pickle really uses castorini's
    wide convolution (padding k - 1), which a state_dict cannot tell.
    """
    out = {}
    for name, child in module.__dict__["_modules"].items():
        d = getattr(child, "__dict__", {})
        if "kernel_size" in d:
            out[name] = {k: tuple(d[k]) if isinstance(d.get(k), (tuple, list)) else d.get(k)
                         for k in ("kernel_size", "padding", "stride", "dilation", "groups")}
    return out
