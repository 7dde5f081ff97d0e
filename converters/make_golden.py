#!/usr/bin/python3
"""Make the golden fixtures: PyTorch's logits for fixed inputs.

    /usr/bin/python3 converters/make_golden.py [OUTDIR] [--weights-dir DIR]
    (defaults: test/golden/ and weights/)

Writes the test-only weight files (golden_cases.TEST_MODELS, through the
exporter) and one JSON per fixture into OUTDIR. The static Kim and plain SM
fixtures use the committed weights/ files. Fixture JSON:

  {"name", "model" (path relative to the repo root), "torch", "batch",
   "cases": [{"label", "input": {field: recipe}, "input_sha256": {field: hex},
              "logits": [...], "logits_f64": [...]}]}

Fields: Kim "x"; SM "q", "a" and, for ext-feature models only, "ext".
"logits": the module in eval mode, float32, that input alone (batch of 1).
"logits_f64": the same float32 weights and inputs run in float64.
"batch": true asks the TS test to run all cases as one batch call (the
expected logits are still the per-input ones: no padding is involved).
Floats are written with repr, so re-running gives identical bytes. PyTorch
runs on a pinned CPU path (pinned_cpu.py), so the float32 logits are the
same on any x86-64 AVX2 machine with OpenBLAS, not just on this one.
"""

import argparse
import copy
import json
import os
import sys

import pinned_cpu  # first: pins torch's CPU kernels (see pinned_cpu.py)
import torch

import golden_cases
import make_reference
import probe
import reference_models as rm
import tinycnn_file

REPO = make_reference.REPO
WEIGHTS = {"kim-static": "test/golden/kim-static.safetensors", "sm": "test/golden/sm.safetensors"}


def _run(model, arch, arrays, dtype):
    """Logits for one input (batch of 1) as a list of Python floats."""
    t = {f: torch.from_numpy(a).to(dtype) for f, a in arrays.items()}
    with torch.no_grad():
        if arch == "KimCNN":
            out = model(t["x"][None])
        else:
            ext = t["ext"][None] if "ext" in t else None
            out = model(t["q"], t["a"], ext)  # q, a are (1, n, dim) already
    return [float(v) for v in out[0].tolist()]


def write_test_models(outdir):
    """Seeded test-only models through the exporter -> {model id: path}."""
    paths = {}
    for name, seed, (arch, kwargs), labels in golden_cases.TEST_MODELS:
        cls = rm.KimCNN if arch == "KimCNN" else rm.SMModel
        path = os.path.join(outdir, name)
        tokenizer = "clean_str_sst" if arch == "KimCNN" else "split"
        make_reference.export_seeded(path, seed, lambda: cls(**kwargs), labels, tokenizer)
        paths[name.replace(".safetensors", "")] = path
    return paths


def format_fixture(fixture):
    """Stable, diff-friendly JSON: one line per case."""
    head = {k: v for k, v in fixture.items() if k != "cases"}
    lines = ["{"] + [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    cases = [f"    {json.dumps(c, ensure_ascii=False)}" for c in fixture["cases"]]
    lines += ['  "cases": [', ",\n".join(cases), "  ]", "}"]
    return "\n".join(lines) + "\n"


def make_fixture(name, model_path, repo_path, batch, specs):
    """-> (fixture dict, (max per-logit drift, max drift relative to the case's scale)).

    Per logit: |f32 - f64| / (1 + |f64|). Per case: max |f32 - f64| over the
    case's logits / (1 + max |f64|); with large inputs a small logit can be
    the difference of large features, so this is the fairer float32 bound.
    """
    model32, arch, config, _ = tinycnn_file.load_module(model_path)
    model64 = copy.deepcopy(model32).double()
    cases, drift, scaled = [], 0.0, 0.0
    for spec in specs:
        recipes, arrays = golden_cases.materialise(spec, config)
        l32 = _run(model32, arch, arrays, torch.float32)
        l64 = _run(model64, arch, arrays, torch.float64)
        drift = max([drift] + [abs(a - b) / (1 + abs(b)) for a, b in zip(l32, l64)])
        worst = max(abs(a - b) for a, b in zip(l32, l64))
        scaled = max(scaled, worst / (1 + max(abs(b) for b in l64)))
        cases.append({"label": spec["label"], "input": recipes,
                      "input_sha256": {f: probe.sha256_f32(a) for f, a in arrays.items()},
                      "logits": l32, "logits_f64": l64})
    fixture = {"name": name, "model": repo_path, "torch": torch.__version__,
               "batch": batch, "cases": cases}
    return fixture, (drift, scaled)


def make_golden(outdir, weights_dir=None, verbose=True):
    """Write test-only weights and every fixture into outdir; -> {name: (drift, scaled)}."""
    os.makedirs(outdir, exist_ok=True)
    weights_dir = weights_dir or os.path.join(REPO, "test", "golden")
    local = {mid: os.path.join(weights_dir, os.path.basename(p)) for mid, p in WEIGHTS.items()}
    repo_paths = dict(WEIGHTS)
    for mid, path in write_test_models(outdir).items():
        local[mid] = path
        repo_paths[mid] = f"test/golden/{os.path.basename(path)}"
    drifts = {}
    for name, repo_path, batch, specs in golden_cases.fixtures(repo_paths):
        mid = next(m for m, p in repo_paths.items() if p == repo_path)
        fixture, drift = make_fixture(name, local[mid], repo_path, batch, specs)
        with open(os.path.join(outdir, name + ".json"), "w", encoding="utf-8") as f:
            f.write(format_fixture(fixture))
        drifts[name] = drift
        if verbose:
            print(f"{name}: {len(specs)} cases, max |f32 - f64| / (1 + |f64|) = {drift[0]:.3g}, "
                  f"relative to the case's largest logit {drift[1]:.3g}", file=sys.stderr)
    if verbose:
        print(f"largest |f32 - f64| / (1 + |f64|) over all fixtures: "
              f"{max(d[0] for d in drifts.values()):.3g} (relative to each case's largest "
              f"logit: {max(d[1] for d in drifts.values()):.3g})", file=sys.stderr)
    return drifts


def main():
    parser = argparse.ArgumentParser(description="write golden fixtures")
    parser.add_argument("outdir", nargs="?", default=os.path.join(REPO, "test", "golden"))
    parser.add_argument("--weights-dir", help="where the reference kim-static / sm weights live "
                        "(default: test/golden/, where make_reference.py writes them)")
    args = parser.parse_args()
    make_golden(args.outdir, args.weights_dir)


if __name__ == "__main__":
    main()
