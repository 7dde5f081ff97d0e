#!/usr/bin/python3
"""Cold start of the same Kim CNN in PyTorch (castorini's module, converters/reference_models.py):
import torch, build the module from the same safetensors file, one forward, exit.

    /usr/bin/python3 pytorch.py KIM.safetensors        (env: COLD_T0 = spawn time, ms since the epoch)
"""
import json
import os
import resource
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "converters"))

import torch  # noqa: E402

import tinycnn_file  # noqa: E402

torch.set_num_threads(1)
model = tinycnn_file.load_module(sys.argv[1])
model = model[0] if isinstance(model, tuple) else model
model.eval()
init_done = time.time() * 1000
g = torch.Generator().manual_seed(12345)
with torch.no_grad():
    logits = model(torch.rand(1, 1, 20, 300, generator=g) * 0.5 - 0.25)
assert logits.shape == (1, model.fc1.out_features)
end = time.time() * 1000
print(json.dumps({
    "init_ms": init_done - float(os.environ["COLD_T0"]),
    "invoke_ms": end - init_done,
    "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
