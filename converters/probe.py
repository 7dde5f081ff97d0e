"""Deterministic test inputs shared with the TypeScript side.

`probe_values` is a bit-exact mirror of `probeValues` in src/model/probe.ts
(mulberry32 over uint32). Every value is (u >> 8) / 2**23 - 1 for a 32-bit
u, a float in [-1, 1) with at most 24 significant bits, so float32 and
float64 both hold it exactly and both languages agree to the bit.

Input recipe (used by the parity certificate in every exported weight file,
by the golden fixtures in test/golden/ and by converters/make_checkpoints.py).
A recipe is a JSON object

    {"seed": S, "tokens": n, "channels": c, "dim": d, "scale": p,
     "zero_rows": [t, ...], "negative_rows": [t, ...]}

and denotes the float32 tensor x of shape (c, n, d) built as follows:

  1. v = probe_values(S, c * n * d)            (float32, exact)
  2. x[ch, t, j] = v[(ch * n + t) * d + j] * p  (row-major; p is a power of
     two, so the product is exact unless it overflows, which it never does
     for the scales used here)
  3. for every t in zero_rows:     x[:, t, :] = +0.0       (every channel)
  4. for every t in negative_rows: x[:, t, :] = -abs(x[:, t, :])
     (every channel; note -abs(+0.0) is -0.0, which matters for sha256)

zero_rows and negative_rows must hold distinct in-range token indices and
must not overlap (make_input refuses otherwise), so steps 3 and 4 commute.
"zero_rows" / "negative_rows" may be omitted (= []), "scale" defaults to 1.

Kim CNN takes x as one batch item (C_in, n, dim). SM CNN uses channels = 1
and takes x[0], shape (n, dim), per sentence.

SM external features: {"seed": S, "scale": p} denotes the float32 vector
probe_values(S, 4) * p, shape (4,).

input_sha256 is the sha256 hex digest of the tensor's float32 little-endian
bytes in row-major order (for a recipe: exactly the c * n * d values above).
"""

import hashlib

import numpy as np

_MASK = np.uint64(0xFFFFFFFF)


def _imul(a, b):
    """Math.imul on uint32 values held in uint64: low 32 bits of a * b.

    uint64 multiplication wraps modulo 2**64, and the low 32 bits of a
    product modulo 2**64 are the low 32 bits of the true product.
    """
    return (a * b) & _MASK


def probe_values(seed, count):
    """float32 array of `count` mulberry32 values in [-1, 1) from `seed`.

    Vectorised: the i-th state (0-based) is seed + (i + 1) * 0x6d2b79f5 mod
    2**32, then each step of the TS loop body is applied elementwise. All
    arithmetic is on uint32 bit patterns (JS `| 0` / `>>> 0` only change how
    the same 32 bits are read, never the bits themselves).
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    count = int(count)
    if count < 0:
        raise ValueError("count must be >= 0")
    s = np.uint64(int(seed) & 0xFFFFFFFF)  # JS `seed | 0`, as uint32 bits
    i = np.arange(1, count + 1, dtype=np.uint64)
    state = (s + i * np.uint64(0x6D2B79F5)) & _MASK
    t = _imul(state ^ (state >> np.uint64(15)), state | np.uint64(1))
    t = ((t + _imul(t ^ (t >> np.uint64(7)), t | np.uint64(61))) & _MASK) ^ t
    u = t ^ (t >> np.uint64(14))
    top24 = (u >> np.uint64(8)).astype(np.float64)
    return (top24 / 8388608.0 - 1.0).astype(np.float32)


def probe_values_slow(seed, count):
    """Scalar reference version of probe_values (a readable cross-check)."""
    out = []
    state = int(seed) & 0xFFFFFFFF
    for _ in range(count):
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = ((state ^ (state >> 15)) * (state | 1)) & 0xFFFFFFFF
        t = ((t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF) ^ t
        u = t ^ (t >> 14)
        out.append((u >> 8) / 8388608.0 - 1.0)
    return np.array(out, dtype=np.float32)


def _check_power_of_two(scale):
    m, _ = np.frexp(float(scale))
    if scale <= 0 or m != 0.5:
        raise ValueError(f"scale must be a positive power of two, got {scale!r}")


def make_input(recipe):
    """float32 numpy array (channels, tokens, dim) for a recipe (see module doc)."""
    seed = recipe["seed"]
    n, c, d = int(recipe["tokens"]), int(recipe["channels"]), int(recipe["dim"])
    scale = recipe.get("scale", 1)
    zero_rows = list(recipe.get("zero_rows", []))
    negative_rows = list(recipe.get("negative_rows", []))
    if n < 1 or c < 1 or d < 1:
        raise ValueError(f"tokens, channels and dim must be >= 1: {recipe!r}")
    _check_power_of_two(scale)
    for rows in (zero_rows, negative_rows):
        if len(set(rows)) != len(rows) or any(not 0 <= t < n for t in rows):
            raise ValueError(f"rows must be distinct and in [0, {n}): {rows!r}")
    if set(zero_rows) & set(negative_rows):
        raise ValueError("zero_rows and negative_rows overlap")
    x = probe_values(seed, c * n * d).reshape(c, n, d) * np.float32(scale)
    x = x.astype(np.float32)
    for t in zero_rows:
        x[:, t, :] = 0.0
    for t in negative_rows:
        x[:, t, :] = -np.abs(x[:, t, :])
    return x


def make_ext(spec):
    """float32 numpy array (4,) of SM external features: probe_values(seed, 4) * scale."""
    scale = spec.get("scale", 1)
    _check_power_of_two(scale)
    return (probe_values(spec["seed"], 4) * np.float32(scale)).astype(np.float32)


def recipe(seed, tokens, channels, dim, scale=1, zero_rows=(), negative_rows=()):
    """A complete recipe dict with every key spelled out (fixture JSON form)."""
    return {"seed": seed, "tokens": tokens, "channels": channels, "dim": dim,
            "scale": scale, "zero_rows": list(zero_rows),
            "negative_rows": list(negative_rows)}


def sha256_f32(array):
    """sha256 hex of an array's float32 little-endian row-major bytes."""
    a = np.ascontiguousarray(np.asarray(array, dtype="<f4"))
    return hashlib.sha256(a.tobytes()).hexdigest()
