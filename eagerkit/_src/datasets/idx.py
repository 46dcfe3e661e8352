"""Reading IDX files (the MNIST format), gzip-compressed or not.

An IDX file is: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16,
0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, the dimensions
as big-endian uint32, then the values, big-endian, row-major.

>>> import numpy as np
>>> from eagerkit._src.datasets.idx import encode_idx, parse_idx
>>> parse_idx(encode_idx(np.arange(6, dtype=np.uint8).reshape(2, 3))).tolist()
[[0, 1, 2], [3, 4, 5]]
"""

from __future__ import annotations

import gzip
import struct

import numpy as np

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODES = {np.dtype(v).newbyteorder("="): k for k, v in _TYPES.items()}


def parse_idx(data: bytes, what: str = "IDX data") -> np.ndarray:
    """The array stored in IDX ``data`` (native byte order)."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _TYPES:
        raise ValueError(f"{what} is not an IDX file (bad magic number {data[:4].hex()}).")
    dtype = np.dtype(_TYPES[data[2]])
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{what} is truncated: its header needs {header} bytes, the file has {len(data)}.")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    count = int(np.prod(shape)) if shape else 1
    if len(data) != header + count * dtype.itemsize:
        raise ValueError(
            f"{what} is truncated or padded: shape {shape} needs {header + count * dtype.itemsize} bytes, the "
            f"file has {len(data)}."
        )
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def read_idx(path: str) -> np.ndarray:
    """Reads an IDX file, decompressing it when its name ends in ``.gz``."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        raise ValueError(f"Cannot read {path}: {e}. Replace it with the original file.") from None
    return parse_idx(data, path)


def encode_idx(arr: np.ndarray) -> bytes:
    """IDX bytes for ``arr`` (the inverse of :func:`parse_idx`)."""
    arr = np.asarray(arr)
    code = _CODES[arr.dtype.newbyteorder("=")]
    header = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(np.dtype(_TYPES[code])).tobytes()
