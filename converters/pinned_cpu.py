"""Pin PyTorch's CPU code paths so generated files are reproducible.

Import this module before anything imports torch (the environment variables
are read when the libraries load). Measured on this repo's fixtures: with
PyTorch's defaults, float32 logits move by up to ~3e-5 (relative) between
oneDNN ISA levels (AVX-512 vs AVX2), thread counts and ATen kernels, and
torch's uniform_ init changes in the last bit with ATEN_CPU_CAPABILITY.
Pinned, every x86-64 machine with AVX2 + FMA runs the same kernels:

  - 1 thread (ATen/OpenMP and OpenBLAS),
  - oneDNN (mkldnn) off: convolutions run as im2col + OpenBLAS sgemm/dgemm,
  - OPENBLAS_CORETYPE=Haswell: the same OpenBLAS kernels on Intel and AMD,
  - ATEN_CPU_CAPABILITY=avx2: the same vectorised tanh/relu/max kernels.

It needs an OpenBLAS-backed torch (Debian: libopenblas0-pthread installed).
"""

import os
import platform
import sys

PINNED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
if platform.machine().lower() in ("x86_64", "amd64"):
    PINNED.update({"OPENBLAS_CORETYPE": "Haswell", "ATEN_CPU_CAPABILITY": "avx2"})

if "torch" in sys.modules and any(os.environ.get(k) != v for k, v in PINNED.items()):
    raise RuntimeError("pinned_cpu must be imported before torch (it sets environment "
                       "variables the libraries read when they load)")
os.environ.update(PINNED)

import torch  # noqa: E402

torch.set_num_threads(1)
torch.backends.mkldnn.enabled = False

DESCRIPTION = ("1 thread, oneDNN off (convolutions as im2col + OpenBLAS gemm), "
               + ", ".join(f"{k}={v}" for k, v in PINNED.items() if "THREADS" not in k))
