"""Turning summary data into TensorBoard's protos, exactly as TF 2 writes them.

TF 2 writes every summary as a ``Summary.Value`` holding a ``TensorProto`` plus plugin
metadata: scalars as a float32 scalar (plugin ``scalars``), histograms as a float64
``[k, 3]`` tensor of ``(left, right, count)`` (``histograms``), images as strings
``[width, height, png, ...]`` (``images``), text as strings (``text``), audio as
``[k, 2]`` strings of ``(wav, label)`` (``audio``). The protos are tensorboardX's
copies of TensorBoard's, so the files are what TensorBoard reads for TF 2 runs. PNG
and WAV encoding use only ``zlib``/``wave`` from the standard library.

>>> import numpy as np
>>> from eagerkit._src.summary import encoding
>>> encoding.histogram_buckets(np.array([1.0, 2.0, 2.0, 5.0]), 3)[:, 2].tolist()
[3.0, 0.0, 1.0]
"""

from __future__ import annotations

import io
import struct
import wave
import zlib
from typing import Any

import numpy as np
from tensorboardX.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2

_DT = {
    np.dtype(np.float32): types_pb2.DT_FLOAT,
    np.dtype(np.float64): types_pb2.DT_DOUBLE,
    np.dtype(np.float16): types_pb2.DT_HALF,
    np.dtype(np.int8): types_pb2.DT_INT8,
    np.dtype(np.int16): types_pb2.DT_INT16,
    np.dtype(np.int32): types_pb2.DT_INT32,
    np.dtype(np.int64): types_pb2.DT_INT64,
    np.dtype(np.uint8): types_pb2.DT_UINT8,
    np.dtype(np.uint16): types_pb2.DT_UINT16,
    np.dtype(np.bool_): types_pb2.DT_BOOL,
    np.dtype(np.complex64): types_pb2.DT_COMPLEX64,
    np.dtype(np.complex128): types_pb2.DT_COMPLEX128,
}

#: ``AudioPluginData(version=0, encoding=WAV)`` serialised (field 2, varint 11).
_AUDIO_PLUGIN_CONTENT = b"\x10\x0b"

DEFAULT_BUCKET_COUNT = 30


def _shape_proto(shape: tuple[int, ...]) -> tensor_shape_pb2.TensorShapeProto:
    return tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=int(d)) for d in shape])


def numeric_tensor(arr: np.ndarray) -> tensor_pb2.TensorProto:
    """A TensorProto for a numeric or bool array (little-endian ``tensor_content``)."""
    arr = np.asarray(arr)
    try:
        dt = _DT[arr.dtype]
    except KeyError:
        raise TypeError(f"Summaries cannot store values of dtype {arr.dtype}.") from None
    data = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    return tensor_pb2.TensorProto(dtype=dt, tensor_shape=_shape_proto(arr.shape), tensor_content=data.tobytes())


def string_tensor(values: Any) -> tensor_pb2.TensorProto:
    """A DT_STRING TensorProto from a str/bytes or a (nested) list/array of them."""
    arr = np.asarray(values, dtype=object)
    flat = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in arr.reshape(-1)]
    return tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, tensor_shape=_shape_proto(arr.shape), string_val=flat)


def metadata(plugin_name: str, description: str | None = None, content: bytes = b"") -> summary_pb2.SummaryMetadata:
    """``SummaryMetadata`` naming the TensorBoard plugin that displays the value."""
    md = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin_name))
    if content:
        md.plugin_data.content = content
    if description:
        md.summary_description = description
    return md


def histogram_buckets(data: np.ndarray, bucket_count: int | None = None) -> np.ndarray:
    """TensorBoard's ``[k, 3]`` histogram (left edge, right edge, count) of ``data``."""
    k = DEFAULT_BUCKET_COUNT if bucket_count is None else max(0, int(bucket_count))
    x = np.asarray(data, dtype=np.float64).reshape(-1)
    if x.size == 0 or k == 0:
        return np.zeros((k, 3), np.float64)
    lo, hi = x.min(), x.max()
    if hi - lo == 0:
        counts = np.zeros(k, np.float64)
        counts[-1] = x.size
        edges = np.full(k, hi)
        return np.stack([edges, edges, counts], axis=1)
    width = (hi - lo) / k
    idx = np.minimum(np.floor((x - lo) / width).astype(np.int64), k - 1)
    counts = np.bincount(idx, minlength=k).astype(np.float64)
    edges = np.linspace(lo, hi, k + 1)
    edges[-1] = hi
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def to_uint8_images(data: np.ndarray) -> np.ndarray:
    """``tf.image.convert_image_dtype(data, uint8, saturate=True)`` for a batch of images."""
    x = np.asarray(data)
    if x.dtype == np.uint8:
        return x
    if x.dtype.kind == "f":
        return np.clip(x.astype(np.float64) * 255.5, 0, 255).astype(np.uint8)
    if x.dtype.kind in "iu":
        shift = max(0, x.dtype.itemsize * 8 - (1 if x.dtype.kind == "i" else 0) - 8)
        return np.clip(x.astype(np.int64) >> shift, 0, 255).astype(np.uint8)
    if x.dtype == np.bool_:
        return x.astype(np.uint8) * 255
    raise TypeError(f"Images must be numeric, got dtype {x.dtype}.")


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes for one ``[height, width, channels]`` uint8 image (1, 3 or 4 channels)."""
    h, w, c = image.shape
    color_type = {1: 0, 3: 2, 4: 6}[c]
    raw = b"".join(b"\x00" + image[y].tobytes() for y in range(h))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV bytes for ``[frames, channels]`` float samples in [-1, 1] (as TF's encode_wav)."""
    pcm = np.clip(np.round(np.asarray(samples, np.float32) * 32768.0), -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def audio_metadata(description: str | None) -> summary_pb2.SummaryMetadata:
    return metadata("audio", description, _AUDIO_PLUGIN_CONTENT)
