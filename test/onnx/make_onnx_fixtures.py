#!/usr/bin/python3
"""ONNX fixtures for the converter tests (run by test/onnx/*.test.ts in beforeAll).

    /usr/bin/python3 test/onnx/make_onnx_fixtures.py OUTDIR

For seeded reference modules (converters/reference_models.py) this writes, into
OUTDIR:
  <model>/<name>.f32         each state_dict tensor, raw float32 little-endian
  <model>/input.<field>.f32  one random input, and PyTorch's logits for it (manifest)
  <model>.py.safetensors     the state_dict through converters/safetensors_io.py with
                             fixed metadata (the TS writer must give the same bytes)
  <export>.onnx              torch.onnx.export of the module, several ways
  manifest.json              what is where (see bottom)

The modules export through a subclass whose max over time is torch.amax:
castorini's F.max_pool1d(x, x.size(2)) does not trace (PyTorch 1.13). Variants:
constant folding on / off, keep_initializers_as_inputs, opsets 9 / 11 / 17, a
"dense3d" forward where each nn.Linear sees a 3-D input (so the exporter emits
MatMul + Add, with a folded, transposed onnx::MatMul_* weight when folding is on),
and an SM forward that runs the answer tower first.
"""

import json
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "converters"))

import reference_models as rm  # noqa: E402
import safetensors_io as st  # noqa: E402


def amax_over_time(x):
    # x (batch, filters, length) -> (batch, filters, 1), traceable with a dynamic length
    return torch.amax(x, dim=2, keepdim=True)


class KimOnnx(rm.KimCNN):
    _max_over_time = staticmethod(amax_over_time)


class SmOnnx(rm.SMModel):
    _max_over_time = staticmethod(amax_over_time)


class SmAnswerFirst(SmOnnx):
    """Same computation, answer tower traced first: conv_a precedes conv_q in the graph."""

    def forward(self, x_question, x_answer, x_ext=None):
        a = torch.tanh(self.conv_a(x_answer.unsqueeze(1))).squeeze(3)
        q = torch.tanh(self.conv_q(x_question.unsqueeze(1))).squeeze(3)
        x = [self._max_over_time(q).squeeze(2), self._max_over_time(a).squeeze(2)]
        if self.ext_feats_size > 0:
            x.append(x_ext)
        x = torch.cat(x, 1)
        x = torch.tanh(self.combined_feature_vector(x))
        return self.hidden(self.dropout(x))


class Dense3D(nn.Linear):
    """nn.Linear on a (batch, 1, in) view: exported as MatMul + Add instead of Gemm."""

    def forward(self, x):
        return super().forward(x.unsqueeze(1)).squeeze(1)


MODELS = [
    # (name, seed, architecture, constructor args)
    ("kim-static", 11, "KimCNN", {"channels": 1, "classes": 6}),
    ("kim-multichannel", 12, "KimCNN", {"channels": 2, "classes": 2}),
    ("kim-odd", 13, "KimCNN", {"channels": 1, "filters": 7, "dim": 13, "classes": 3,
                               "kernel_sizes": (2, 3, 6)}),
    ("sm-ext", 14, "SMModel", {"ext_feats": True}),
    ("sm", 15, "SMModel", {"ext_feats": False}),
    ("sm-odd", 16, "SMModel", {"filters": 5, "dim": 11, "k": 3, "ext_feats": True}),
]

# (suffix, export kwargs, variant)
EXPORTS = [
    ("cf1", dict(do_constant_folding=True), None),
    ("cf0", dict(do_constant_folding=False), None),
    ("cf1-kia", dict(do_constant_folding=True, keep_initializers_as_inputs=True), None),
    ("op9", dict(opset_version=9), None),
    ("op11", dict(opset_version=11), None),
    ("op17", dict(opset_version=17), None),
    ("dense3d-cf1", dict(do_constant_folding=True), "dense3d"),
    ("dense3d-cf0", dict(do_constant_folding=False), "dense3d"),
    ("afirst", dict(do_constant_folding=True), "answer_first"),
]


def module(cls, args, state):
    model = cls(**args)
    model.load_state_dict(state, strict=True)
    return model.eval()


def inputs_for(arch, model, gen):
    """One random input (batch of 1), float32; the engine takes it without the batch axis."""
    if arch == "KimCNN":
        c, d = model.conv1.in_channels, model.conv1.kernel_size[1]
        return {"x": torch.randn(1, c, 7, d, generator=gen)}
    d = model.conv_q.kernel_size[1]
    out = {"q": torch.randn(1, 6, d, generator=gen), "a": torch.randn(1, 9, d, generator=gen)}
    if model.ext_feats_size:
        out["ext"] = torch.randn(1, rm.SM_EXT_FEATS, generator=gen)
    return out


def write_f32(path, tensor):
    with open(path, "wb") as f:
        f.write(tensor.detach().contiguous().numpy().astype("<f4").tobytes())


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    manifest = {"torch": torch.__version__, "models": [], "exports": []}
    for name, seed, arch, args in MODELS:
        torch.manual_seed(seed)
        base = (rm.KimCNN if arch == "KimCNN" else rm.SMModel)(**args).eval()
        state = {k: v.detach().clone() for k, v in base.state_dict().items()}
        os.makedirs(os.path.join(outdir, name), exist_ok=True)
        for key, value in state.items():
            write_f32(os.path.join(outdir, name, key + ".f32"), value)
        gen = torch.Generator().manual_seed(seed + 100)
        inputs = inputs_for(arch, base, gen)
        for field, value in inputs.items():
            write_f32(os.path.join(outdir, name, f"input.{field}.f32"), value)
        with torch.no_grad():  # castorini's own forward (max_pool1d), not the ONNX subclass
            logits = base(*inputs.values()) if arch == "KimCNN" else base(
                inputs["q"], inputs["a"], inputs.get("ext"))
        py_meta = {"format": "pt", "tinycnn.architecture": arch, "z": "é ✓"}
        with open(os.path.join(outdir, name + ".py.safetensors"), "wb") as f:
            f.write(st.write_safetensors({k: v.numpy() for k, v in state.items()}, py_meta))
        manifest["models"].append({
            "name": name, "architecture": arch,
            "tensors": {k: list(v.shape) for k, v in state.items()},
            "inputs": {k: list(v.shape[1:]) for k, v in inputs.items()},
            "logits": [float(v) for v in logits[0].tolist()],
            "py_safetensors": name + ".py.safetensors", "py_metadata": py_meta,
        })
        for suffix, kwargs, variant in EXPORTS:
            if variant == "answer_first" and arch != "SMModel":
                continue
            cls = KimOnnx if arch == "KimCNN" else (SmAnswerFirst if variant == "answer_first" else SmOnnx)
            model = module(cls, args, state)
            if variant == "dense3d":
                for lin in (model.fc1,) if arch == "KimCNN" else (model.combined_feature_vector, model.hidden):
                    lin.__class__ = Dense3D
            names = list(inputs)
            axes = {"x": {0: "batch", 2: "tokens"}, "q": {0: "batch", 1: "q_tokens"},
                    "a": {0: "batch", 1: "a_tokens"}, "ext": {0: "batch"}, "logits": {0: "batch"}}
            file = f"{name}-{suffix}.onnx"
            torch.onnx.export(model, tuple(inputs[n] for n in names), os.path.join(outdir, file),
                              input_names=names, output_names=["logits"],
                              dynamic_axes={k: v for k, v in axes.items() if k in names + ["logits"]},
                              **{"opset_version": 13, **kwargs})
            manifest["exports"].append({"file": file, "model": name, "variant": suffix})
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
