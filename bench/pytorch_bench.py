#!/usr/bin/python3
"""PyTorch as a benchmark peer: castorini's modules (converters/reference_models.py)
with the very weights tinycnn loads, one thread, timed in its own process.

    /usr/bin/python3 bench/pytorch_bench.py            # standalone: p50 of kim-20, kim-64, sm-20+20
    /usr/bin/python3 bench/pytorch_bench.py --serve    # a worker of bench/run.mjs

As a worker it speaks bench/worker.mjs's protocol (JSON requests on stdin,
answers on file descriptor 3), so bench/run.mjs interleaves it with the Node
contenders round by round. Timing is timeit-style: every call timed alone with
perf_counter_ns after a warm-up, p50 / min / max of the samples.
Which BLAS ran is reported: Debian's torch uses whatever libblas.so.3 points to
(OpenBLAS when libopenblas0-pthread is installed, the slow reference BLAS otherwise).
"""

import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "converters"))

import torch  # noqa: E402

import tinycnn_file  # noqa: E402

torch.set_num_threads(1)


def blas_library():
    """The BLAS shared object this process actually mapped (from /proc/self/maps)."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # make sure BLAS is loaded
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    return ", ".join(sorted(os.path.realpath(lib) for lib in libs)) or "none mapped"


def timed(run, budget):
    """p50 / min / max (µs) of individually timed calls, timeit-style."""
    t0 = time.perf_counter()
    calls = 0
    while time.perf_counter() - t0 < 0.01:  # >= 10 ms (one call for slow tasks)
        run()
        calls += 1
    estimate_ms = (time.perf_counter() - t0) * 1e3 / calls
    warm_end = time.perf_counter() + budget["warmupTime"] / 1e3
    while time.perf_counter() < warm_end:
        run()
    total_ms = min(budget["maxTime"], max(budget["minTime"], budget["samples"] * estimate_ms))
    samples = []
    end = time.perf_counter() + total_ms / 1e3
    while len(samples) < 3 or time.perf_counter() < end:
        s = time.perf_counter_ns()
        run()
        samples.append(time.perf_counter_ns() - s)
    samples.sort()
    n = len(samples)
    p50 = samples[n // 2] if n % 2 else (samples[n // 2 - 1] + samples[n // 2]) / 2
    return {"p50_us": p50 / 1e3, "min_us": samples[0] / 1e3, "max_us": samples[-1] / 1e3,
            "samples": n, "time_ms": total_ms}


class Peer:
    """The PyTorch models and the cases' inputs as tensors."""

    def __init__(self, manifest_path, weights):
        self.models = {kind: tinycnn_file.load_module(weights[kind])[0].eval() for kind in ("kim", "sm")}
        with open(manifest_path) as f:
            manifest = json.load(f)
        with open(manifest["data"], "rb") as f:
            data = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
        self.cases = {c["name"]: self._tensors(c, data) for c in manifest["cases"]}
        self.conv_path = self._pick_conv_path(next(name for name, (kind, _) in self.cases.items() if kind == "kim"))

    def _pick_conv_path(self, case):
        """PyTorch's best for these tiny convs: oneDNN, or im2col + BLAS gemm (the
        'slow_conv2d' path, which is what runs on OpenBLAS). Try both, keep the faster."""
        budget = {"warmupTime": 50, "minTime": 150, "maxTime": 150, "samples": 1000}
        times = {}
        for mkldnn in (True, False):
            torch.backends.mkldnn.enabled = mkldnn
            times[mkldnn] = timed(self.runner(case), budget)["p50_us"]
        torch.backends.mkldnn.enabled = times[True] < times[False]
        onednn, blas = f"oneDNN {times[True]:.0f} us", f"im2col + BLAS gemm {times[False]:.0f} us"
        return f"{onednn if times[True] < times[False] else blas} (faster than {blas if times[True] < times[False] else onednn} on {case})"

    @staticmethod
    def _tensors(c, data):
        """Batch the case's inputs the way PyTorch wants them."""
        def stack(offsets, shape):
            size = 1
            for d in shape:
                size *= d
            return torch.stack([data[o:o + size].reshape(shape) for o in offsets])
        if c["model"] == "kim":
            return ("kim", (stack(c["x"], (c["channels"], c["tokens"], c["dim"])),))
        args = (stack(c["q"], (c["qTokens"], c["dim"])), stack(c["a"], (c["aTokens"], c["dim"])))
        if c["extFeatures"] > 0:
            args += (stack(c["ext"], (c["extFeatures"],)),)
        return ("sm", args)

    def runner(self, case):
        kind, args = self.cases[case]
        model = self.models[kind]

        def run():
            with torch.inference_mode():
                return model(*args)
        return run


def serve():
    answers = os.fdopen(3, "w", buffering=1)
    peer = None
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            op = request["op"]
            if op == "open":
                peer = Peer(request["manifest"], request["weights"])
                info = {"torch": torch.__version__, "blas": blas_library(), "threads": torch.get_num_threads(),
                        "conv_path": peer.conv_path}
                answer = {"runtimes": ["pytorch"], "unavailable": {}, "info": {"pytorch": info}}
            elif op == "logits":
                answer = {"logits": peer.runner(request["case"])().flatten().tolist()}
            elif op == "time":
                answer = timed(peer.runner(request["case"]), request)
            elif op == "close":
                answers.write(json.dumps({"ok": True}) + "\n")
                return
            else:
                raise ValueError(f"unknown op {op}")
            answers.write(json.dumps({"ok": True, **answer}) + "\n")
        except Exception as error:  # report, keep serving
            answers.write(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}) + "\n")


def standalone():
    """Random inputs of the three latency cases; prints p50 for each."""
    # The shipped models (SHIPPED_MODELS in src/pipeline/defaults.ts): Kim SST-2, SM TrecQA.
    weights = {"kim": os.path.join(REPO, "weights", "kim-sst2.safetensors"),
               "sm": os.path.join(REPO, "weights", "sm-trecqa.safetensors")}
    kim = tinycnn_file.load_module(weights["kim"])[0].eval()
    sm = tinycnn_file.load_module(weights["sm"])[0].eval()
    torch.manual_seed(0)
    cases = {"kim-20": (kim, (torch.rand(1, 1, 20, 300) - 0.5,)),
             "kim-64": (kim, (torch.rand(1, 1, 64, 300) - 0.5,)),
             "sm-20+20": (sm, (torch.rand(1, 20, 50) - 0.5, torch.rand(1, 20, 50) - 0.5)
                          + ((torch.rand(1, sm.ext_feats_size),) if sm.ext_feats_size else ()))}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, BLAS: {blas_library()}")
    budget = {"warmupTime": 200, "minTime": 1000, "maxTime": 1000, "samples": 1000}
    for name, (model, args) in cases.items():
        def run():
            with torch.inference_mode():
                return model(*args)
        t = timed(run, budget)
        print(f"{name:10s} p50 {t['p50_us']:9.1f} µs  (min {t['min_us']:.1f}, max {t['max_us']:.1f}, {t['samples']} samples)")


if __name__ == "__main__":
    serve() if "--serve" in sys.argv[1:] else standalone()
