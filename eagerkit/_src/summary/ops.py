"""The summary functions: ``scalar``, ``histogram``, ``image``, ``text``, ``audio``, ``write``.

Each returns a bool Tensor: ``True`` when the summary was recorded, ``False`` when
there is no default writer or recording is off. Without a step (argument or
``experimental.set_step``) a recording summary raises TF's ``ValueError``.

Inside ``ek.function`` (or any JAX trace) the data, the step and the recording
condition may be symbolic. The summary is then written by a host callback
(``jax.experimental.io_callback``) that receives their run-time values, so a compiled
training step logs at every call with that call's step, not once at trace time.

>>> import tempfile
>>> import eagerkit.summary as summary
>>> w = summary.create_file_writer(tempfile.mkdtemp())
>>> with w.as_default():
...     bool(summary.scalar("loss", 0.25, step=3))
True
>>> bool(summary.scalar("loss", 0.25, step=3))  # no default writer
False
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from tensorboardX.proto import event_pb2, summary_pb2

from eagerkit._src.core import context
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.summary import encoding as _enc
from eagerkit._src.summary import writer as _writer

_NO_STEP = (
    "No step set. Please specify one either through the `step` argument or through tf.summary.experimental.set_step()"
)


def _is_traced(x: Any) -> bool:
    return isinstance(x, jax.core.Tracer)


def _record(
    name: str,
    payload: list[Any],
    build: Callable[..., tuple[Any, summary_pb2.SummaryMetadata]],
    step: Any,
) -> Tensor:
    """Writes one summary value now, or at run time through a host callback when traced."""
    writer = _writer.default_writer()
    if writer is None or not writer._records:
        return Tensor(jnp.asarray(False))
    condition = _writer.current_condition()
    cond = condition if isinstance(condition, bool) else to_array(condition)
    if isinstance(cond, bool) and not cond:
        return Tensor(jnp.asarray(False))
    if step is None:
        step = _writer.get_step()
    if step is None:
        raise ValueError(_NO_STEP)
    step_value = to_array(step)
    traced = context.inside_trace() or any(_is_traced(v) for v in (*payload, step_value, cond))
    if not traced:
        if not bool(np.asarray(cond)):
            return Tensor(jnp.asarray(False))
        tensor, md = build(*[np.asarray(p) for p in payload])
        writer._write(_event(name, tensor, md, int(np.asarray(step_value))))
        return Tensor(jnp.asarray(True))

    def host_write(cond_now: np.ndarray, step_now: np.ndarray, *values: np.ndarray) -> None:
        if bool(cond_now):
            tensor, md = build(*values)
            writer._write(_event(name, tensor, md, int(step_now)))

    writer._uses_callbacks = True
    cond_arr = jnp.asarray(cond, dtype=jnp.bool_)
    args = [jax.lax.stop_gradient(jnp.asarray(a)) for a in (cond_arr, step_value, *payload)]
    jax.experimental.io_callback(host_write, None, *args, ordered=False)
    return Tensor(cond_arr)


def _event(name: str, tensor: Any, md: summary_pb2.SummaryMetadata, step: int) -> event_pb2.Event:
    value = summary_pb2.Summary.Value(tag=name, tensor=tensor, metadata=md)
    return event_pb2.Event(wall_time=_writer.now(), step=step, summary=summary_pb2.Summary(value=[value]))


def scalar(name: str, data: Any, step: Any = None, description: str | None = None) -> Tensor:
    """Writes a scalar (stored as float32) (``tf.summary.scalar``).

    >>> import tempfile
    >>> import eagerkit.summary as summary
    >>> with summary.create_file_writer(tempfile.mkdtemp()).as_default():
    ...     bool(summary.scalar("accuracy", 0.9, step=10))
    True
    """
    value = to_array(data)
    if value.ndim != 0:
        raise ValueError(f"tf.summary.scalar('{name}') needs a scalar, but `data` has shape {tuple(value.shape)}.")
    value = value.astype(jnp.float32) if _is_traced(value) else np.asarray(value).astype(np.float32)

    def build(v: np.ndarray) -> tuple[Any, Any]:
        return _enc.numeric_tensor(np.asarray(v, np.float32)), _enc.metadata("scalars", description)

    return _record(name, [value], build, step)


def histogram(
    name: str, data: Any, step: Any = None, buckets: int | None = None, description: str | None = None
) -> Tensor:
    """Writes a histogram of ``data`` with ``buckets`` buckets (default 30) (``tf.summary.histogram``).

    >>> import shutil, tempfile
    >>> import eagerkit as ek
    >>> logdir = tempfile.mkdtemp()
    >>> with ek.summary.create_file_writer(logdir).as_default(step=0):
    ...     bool(ek.summary.histogram("weights", ek.random.normal([100]), buckets=10))
    True
    >>> shutil.rmtree(logdir)
    """
    value = to_array(data)

    def build(v: np.ndarray) -> tuple[Any, Any]:
        return _enc.numeric_tensor(_enc.histogram_buckets(v, buckets)), _enc.metadata("histograms", description)

    return _record(name, [value], build, step)


def image(name: str, data: Any, step: Any = None, max_outputs: int = 3, description: str | None = None) -> Tensor:
    """Writes up to ``max_outputs`` images from ``[k, height, width, channels]`` data (``tf.summary.image``).

    Float data is taken to lie in [0, 1]; channels must be 1 (grey), 3 (RGB) or 4 (RGBA).

    >>> import shutil, tempfile
    >>> import eagerkit as ek
    >>> logdir = tempfile.mkdtemp()
    >>> with ek.summary.create_file_writer(logdir).as_default(step=0):
    ...     bool(ek.summary.image("samples", ek.zeros([2, 8, 8, 1]), max_outputs=2))
    True
    >>> shutil.rmtree(logdir)
    """
    value = to_array(data)
    if value.ndim != 4 or value.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"tf.summary.image('{name}') needs data of shape [k, height, width, channels] with 1, 3 or 4 "
            f"channels; got shape {tuple(value.shape)}."
        )
    limit = int(max_outputs)

    def build(v: np.ndarray) -> tuple[Any, Any]:
        images = _enc.to_uint8_images(v)[:limit]
        height, width = v.shape[1], v.shape[2]
        strings = [str(width).encode(), str(height).encode()] + [_enc.encode_png(im) for im in images]
        return _enc.string_tensor(np.array(strings, dtype=object)), _enc.metadata("images", description)

    return _record(name, [value], build, step)


def text(name: str, data: Any, step: Any = None, description: str | None = None) -> Tensor:
    """Writes UTF-8 text (a string or a list/array of strings; Markdown) (``tf.summary.text``).

    >>> import shutil, tempfile
    >>> import eagerkit as ek
    >>> logdir = tempfile.mkdtemp()
    >>> with ek.summary.create_file_writer(logdir).as_default(step=0):
    ...     bool(ek.summary.text("notes", "**learning rate** 0.01"))
    True
    >>> shutil.rmtree(logdir)
    """
    if isinstance(data, Tensor) or hasattr(data, "_ek_variable") or _is_traced(data):
        raise TypeError(
            f"tf.summary.text('{name}') needs Python strings: eagerkit tensors cannot hold strings. "
            "Pass a str or a list of str."
        )
    strings = np.asarray(data, dtype=object)

    def build() -> tuple[Any, Any]:
        return _enc.string_tensor(strings), _enc.metadata("text", description)

    return _record(name, [], build, step)


def audio(
    name: str,
    data: Any,
    sample_rate: Any,
    step: Any = None,
    max_outputs: int = 3,
    encoding: str | None = None,
    description: str | None = None,
) -> Tensor:
    """Writes up to ``max_outputs`` WAV clips from ``[k, frames, channels]`` floats in [-1, 1] (``tf.summary.audio``).

    ``sample_rate`` is in Hz; ``encoding`` may only be ``None`` or ``"wav"``.

    >>> import shutil, tempfile
    >>> import eagerkit as ek
    >>> logdir = tempfile.mkdtemp()
    >>> with ek.summary.create_file_writer(logdir).as_default(step=0):
    ...     bool(ek.summary.audio("tone", ek.zeros([1, 800, 1]), sample_rate=8000))
    True
    >>> shutil.rmtree(logdir)
    """
    if encoding not in (None, "wav"):
        raise ValueError(f"Unknown audio encoding: {encoding!r} (only 'wav' is supported).")
    value = to_array(data)
    if value.ndim != 3:
        raise ValueError(
            f"tf.summary.audio('{name}') needs data of shape [k, frames, channels]; got shape {tuple(value.shape)}."
        )
    rate = int(np.asarray(to_array(sample_rate)))
    limit = int(max_outputs)

    def build(v: np.ndarray) -> tuple[Any, Any]:
        clips = [[_enc.encode_wav(clip, rate), b""] for clip in np.asarray(v)[:limit]]
        arr = np.empty((len(clips), 2), dtype=object)
        for i, pair in enumerate(clips):
            arr[i, 0], arr[i, 1] = pair
        return _enc.string_tensor(arr), _enc.audio_metadata(description)

    return _record(name, [value], build, step)


def write(tag: str, tensor: Any, step: Any = None, metadata: Any = None, name: str | None = None) -> Tensor:
    """Writes ``tensor`` under ``tag`` with the given ``SummaryMetadata`` (``tf.summary.write``).

    ``tensor`` may be a callable producing the value (called only when recording);
    ``metadata`` a ``SummaryMetadata`` proto, its serialized bytes, or ``None``.

    >>> import shutil, tempfile
    >>> import eagerkit as ek
    >>> logdir = tempfile.mkdtemp()
    >>> with ek.summary.create_file_writer(logdir).as_default(step=0):
    ...     bool(ek.summary.write("raw", ek.constant([1.0, 2.0])))
    True
    >>> shutil.rmtree(logdir)
    """
    if metadata is None:
        md = summary_pb2.SummaryMetadata()
    elif isinstance(metadata, (bytes, bytearray)):
        md = summary_pb2.SummaryMetadata.FromString(bytes(metadata))
    else:
        md = metadata
    writer = _writer.default_writer()
    if callable(tensor):
        if writer is None or not writer._records:
            return Tensor(jnp.asarray(False))
        tensor = tensor()
    if _holds_strings(tensor):
        strings = np.asarray(tensor, dtype=object)
        return _record(tag, [], lambda: (_enc.string_tensor(strings), md), step)
    value = to_array(tensor)
    return _record(tag, [value], lambda v: (_enc.numeric_tensor(v), md), step)


def _holds_strings(value: Any) -> bool:
    if isinstance(value, (str, bytes)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "SUO"
    if isinstance(value, (list, tuple)):
        return any(isinstance(x, (str, bytes)) for x in np.asarray(value, dtype=object).reshape(-1))
    return False
