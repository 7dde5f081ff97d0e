"""Hand-written safetensors reader and writer (no `safetensors` package).

Format: u64 little-endian header length N, N bytes of UTF-8 JSON, then the raw
tensor data. The header maps each tensor name to {"dtype", "shape",
"data_offsets": [begin, end]} (offsets relative to the end of the header) and
may hold "__metadata__": {str: str}.

The writer emits only F32, tensors back to back in sorted-name order, and
pads the JSON with trailing spaces so that 8 + N is a multiple of 8: the data
block starts 8-byte aligned and every tensor can be a zero-copy Float32Array
view. Output bytes depend only on the tensors and the metadata.
"""

import json
import struct

import numpy as np

# safetensors dtype -> numpy dtype (little-endian). BF16 is handled apart.
_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
           "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}
_MAX_HEADER = 100 * 1024 * 1024


class SafetensorsError(ValueError):
    """The bytes are not a well-formed safetensors file."""


def looks_like_safetensors(head):
    """Cheap sniff on the first 9+ bytes of a file."""
    if len(head) < 9:
        return False
    (n,) = struct.unpack("<Q", head[:8])
    return 2 <= n <= _MAX_HEADER and head[8:9] == b"{"


def read_safetensors(data):
    """Parse bytes -> ({name: numpy array, native dtype}, metadata dict).

    Validates what the TS loader validates: header length within the file,
    offsets contiguous from 0 to the end of the file, end - begin equal to
    numel * itemsize.
    """
    if len(data) < 8:
        raise SafetensorsError("file shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > _MAX_HEADER or 8 + n > len(data):
        raise SafetensorsError(f"header length {n} exceeds the file size {len(data)}")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"header is not valid JSON: {e}") from None
    if not isinstance(header, dict):
        raise SafetensorsError("header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    body = memoryview(data)[8 + n:]
    for name, info in header.items():
        ok = (isinstance(info, dict) and isinstance(info.get("shape"), list)
              and all(isinstance(d, int) and d >= 0 for d in info["shape"])
              and isinstance(info.get("data_offsets"), list) and len(info["data_offsets"]) == 2
              and all(isinstance(o, int) for o in info["data_offsets"]))
        if not ok:
            raise SafetensorsError(f"tensor {name}: malformed header entry {info!r}")
    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    tensors, expected_begin = {}, 0
    for name, info in entries:
        dtype, shape = info.get("dtype"), info.get("shape")
        begin, end = info["data_offsets"]
        if begin != expected_begin:
            raise SafetensorsError(f"tensor {name}: data_offsets not contiguous")
        numel = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if dtype == "BF16":
            itemsize = 2
        elif dtype in _DTYPES:
            itemsize = np.dtype(_DTYPES[dtype]).itemsize
        else:
            raise SafetensorsError(f"tensor {name}: unsupported dtype {dtype}")
        if end - begin != numel * itemsize or end > len(body):
            raise SafetensorsError(f"tensor {name}: data_offsets {begin},{end} do not fit "
                                   f"shape {shape} {dtype}")
        raw = bytes(body[begin:end])
        if dtype == "BF16":  # bfloat16 = the high half of a float32
            arr = (np.frombuffer(raw, "<u2").astype("<u4") << 16).view("<f4")
        else:
            arr = np.frombuffer(raw, _DTYPES[dtype])
        tensors[name] = arr.reshape(shape)
        expected_begin = end
    if expected_begin != len(body):
        raise SafetensorsError(f"{len(body) - expected_begin} trailing bytes after the last tensor")
    return tensors, metadata


def write_safetensors(tensors, metadata):
    """Serialise {name: float32 array} + {str: str} metadata -> bytes."""
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"metadata must map str to str: {key!r}")
    header, chunks, offset = {"__metadata__": dict(metadata)}, [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype="<f4")
        raw = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)
