#!/usr/bin/python3
"""Export a tinycnn .safetensors file to ONNX (the documented recipe).

    /usr/bin/python3 converters/export_onnx.py IN.safetensors OUT.onnx

Rebuilds the reference module from the file, swaps castorini's
F.max_pool1d(x, x.size(2)) for torch.amax(x, dim=2, keepdim=True) (same
values; max_pool1d's kernel size would be traced as a constant, pinning the
token count), and runs torch.onnx.export with opset 13.

Graph interface (batch and token axes dynamic):
  Kim CNN  input  x   (batch, channels, tokens, dim)      output logits (batch, classes)
  SM CNN   inputs q   (batch, q_tokens, dim), a (batch, a_tokens, dim),
                  ext (batch, 4) only for ext-feature models; output logits (batch, classes)
Initializers keep the safetensors names (conv1.weight, ..., hidden.bias):
constant folding is off so nothing is renamed or pre-transposed.
Before writing, the traced-to-be module is checked against the file's
parity certificate (tinycnn.probe).
"""

import json
import sys

import numpy as np
import torch

import probe
import reference_models as rm
import tinycnn_file


def _amax_over_time(x):
    return torch.amax(x, dim=2, keepdim=True)  # (batch, filters, 1), like max_pool1d


class KimCNNOnnx(rm.KimCNN):
    """KimCNN with a traceable max over time; same parameters and names."""
    _max_over_time = staticmethod(_amax_over_time)


class SMModelOnnx(rm.SMModel):
    """SMModel with a traceable max over time; same parameters and names."""
    _max_over_time = staticmethod(_amax_over_time)


def probe_inputs(arch, config, cert):
    """The certificate's probe input as a tuple of float32 tensors (batch of 1)."""
    d, seed = config["dim"], cert["seed"]
    if arch == "KimCNN":
        x = probe.make_input(probe.recipe(seed, cert["tokens"], config["channels"], d))
        return (torch.from_numpy(x)[None],)
    q = torch.from_numpy(probe.make_input(probe.recipe(seed, cert["q_tokens"], 1, d)))
    a = torch.from_numpy(probe.make_input(probe.recipe(seed + 1, cert["a_tokens"], 1, d)))
    if not config["ext_feats"]:
        return (q, a)
    return (q, a, torch.from_numpy(probe.make_ext({"seed": seed + 2, "scale": 1}))[None])


def check_certificate(model, inputs, cert, tol=1e-5):
    """The rebuilt module must reproduce the file's parity certificate."""
    with torch.no_grad():
        got = model(*inputs)[0].double().numpy()
    want = np.array(cert["logits"], dtype=np.float64)
    err = float(np.max(np.abs(got - want) / (1 + np.abs(want))))
    if err > tol:
        raise SystemExit(f"export_onnx.py: error: module disagrees with tinycnn.probe "
                         f"(max relative error {err:.3g})")
    return err


def export_onnx(in_path, out_path):
    """Write OUT.onnx; returns (architecture, certificate error)."""
    model, arch, config, metadata = tinycnn_file.load_module(in_path, KimCNNOnnx, SMModelOnnx)
    cert = json.loads(metadata["tinycnn.probe"])
    inputs = probe_inputs(arch, config, cert)
    err = check_certificate(model, inputs, cert)
    if arch == "KimCNN":
        names = ["x"]
        axes = {"x": {0: "batch", 2: "tokens"}}
    else:
        names = ["q", "a", "ext"][:len(inputs)]
        axes = {"q": {0: "batch", 1: "q_tokens"}, "a": {0: "batch", 1: "a_tokens"}}
        if len(inputs) == 3:
            axes["ext"] = {0: "batch"}
    axes["logits"] = {0: "batch"}
    torch.onnx.export(model, inputs, out_path, input_names=names, output_names=["logits"],
                      dynamic_axes=axes, opset_version=13, do_constant_folding=False,
                      export_params=True)
    return arch, err


def verify_onnx(out_path, expected_names):
    """Structural check with the `onnx` package when it is installed (optional)."""
    try:
        import onnx
    except ImportError:
        return "onnx package not installed: structural check skipped"
    m = onnx.load(out_path)
    onnx.checker.check_model(m)
    names = sorted(i.name for i in m.graph.initializer)
    if names != sorted(expected_names):
        raise SystemExit(f"export_onnx.py: error: initializer names {names} != {sorted(expected_names)}")
    return f"onnx.checker passed, {len(names)} named initializers"


def main(argv):
    if len(argv) != 2:
        raise SystemExit("usage: export_onnx.py IN.safetensors OUT.onnx")
    arch, err = export_onnx(argv[0], argv[1])
    _, _, tensors, _ = tinycnn_file.read_tinycnn(argv[0])
    note = verify_onnx(argv[1], tensors)
    print(f"export_onnx.py: {arch} -> {argv[1]} (opset 13, dynamic batch/token axes; "
          f"certificate error {err:.2g}; {note})", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
