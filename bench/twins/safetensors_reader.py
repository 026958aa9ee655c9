"""A minimal safetensors reader (json + numpy; Debian has no python3-safetensors).

Layout: 8 bytes little-endian header length N, N bytes of JSON
{"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}}, then the raw
little-endian data, offsets counted from the end of the header.
"""
import json
import struct

import numpy as np

DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "BOOL": "?"}


def load(path):
    """Returns ({name: numpy array}, {metadata key: value})."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, not one of {sorted(DTYPES)}")
        begin, end = info["data_offsets"]
        raw = data[8 + n + begin : 8 + n + end]
        tensors[name] = np.frombuffer(raw, dtype=DTYPES[info["dtype"]]).reshape(info["shape"]).copy()
    return tensors, metadata
