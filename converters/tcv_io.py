"""Read a tinycnn vector store (.tcv) into {word: float32 vector} (Python side, offline).

The format is documented in src/vectors/format.ts; this reader needs only the header's
dtype / dim / count and the offsets, words and vectors sections (not the hash table),
and checks the magic and the section bounds. Used to compute PyTorch's predictions
from exactly the files tinycnn serves (converters/train/predict.py).
"""

import json
import struct

import numpy as np

MAGIC = b"TCNNVEC\0"


def read_tcv(path):
    """-> (words [str], vectors float32 (count, dim), metadata dict)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a tinycnn vector store")
    version, dtype_code, dim, count = struct.unpack_from("<IIII", data, 8)
    if version != 2:
        raise ValueError(f"{path}: format version {version}, this reader knows 2")
    meta_offset, meta_bytes, vectors_offset, _table, offsets_offset, pool_offset, pool_bytes, file_bytes = \
        struct.unpack_from("<8Q", data, 40)
    if file_bytes != len(data) or pool_offset + pool_bytes > file_bytes:
        raise ValueError(f"{path}: sections do not match the file size")
    dtype = {1: "<f4", 2: "<f2"}[dtype_code]
    vectors = np.frombuffer(data, dtype=dtype, count=count * dim, offset=vectors_offset)
    vectors = vectors.reshape(count, dim).astype(np.float32)
    offsets = np.frombuffer(data, dtype="<u4", count=count + 1, offset=offsets_offset)
    pool = data[pool_offset:pool_offset + pool_bytes]
    words = [pool[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(count)]
    meta = json.loads(data[meta_offset:meta_offset + meta_bytes] or b"{}")
    return words, vectors, meta
