"""Turns what ``fit``/``evaluate``/``predict`` accept into batches of Tensors.

Accepted: NumPy arrays, Tensors, lists/tuples/dicts of them, ``ek.data.Dataset`` objects
(elements ``x``, ``(x, y)`` or ``(x, y, sample_weight)``), and Python generators or
iterators yielding the same. In-memory arrays are shuffled per epoch with one
permutation (drawn from eagerkit's global generator: ``ek.random.set_seed`` fixes it) and
sliced batch by batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from eagerkit._src.core.convert import is_tensor
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.util import nest


def _is_array_like(x: Any) -> bool:
    return isinstance(x, (np.ndarray, list, tuple, dict)) or is_tensor(x) or hasattr(x, "__array__")


def _is_dataset(x: Any) -> bool:
    return type(x).__module__.startswith("eagerkit") and hasattr(x, "element_spec") and hasattr(x, "__iter__")


def _to_numpy(x: Any) -> Any:
    return nest.map_structure(lambda a: np.asarray(a) if a is not None else None, x)


def _num_samples(x: Any) -> list[int]:
    return [int(np.shape(a)[0]) for a in nest.flatten(x) if a is not None]


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """Splits a batch into (x, y, sample_weight) like ``keras.utils.unpack_x_y_sample_weight``.

    >>> import eagerkit as ek
    >>> ek.keras.utils.unpack_x_y_sample_weight(([1.0], [0.0]))
    ([1.0], [0.0], None)
    >>> ek.keras.utils.unpack_x_y_sample_weight([1.0])
    (1.0, None, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(
        f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found: {data!r}"
    )


def _tensorize(batch: Any) -> Any:
    return nest.map_structure(lambda a: a if a is None or isinstance(a, Tensor) else Tensor(_device_put(a)), batch)


def _device_put(a: Any) -> Any:
    import jax.numpy as jnp

    arr = np.asarray(a)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)  # Keras casts float64 inputs to the float32 compute dtype
    return jnp.asarray(arr)


def _class_weights(y: Any, class_weight: dict) -> np.ndarray:
    if isinstance(y, (list, tuple, dict)) and len(nest.flatten(y)) > 1:
        raise ValueError(
            "`class_weight` is only supported for models with a single output; for several outputs pass "
            "`sample_weight` instead."
        )
    y = np.asarray(nest.flatten(y)[0] if isinstance(y, (list, tuple, dict)) else y)
    if y.ndim == 0 or y.shape[0] == 0:
        raise ValueError(f"`class_weight` needs targets with a batch dimension, got shape {y.shape}.")
    labels = y.reshape(y.shape[0], -1)
    idx = labels.argmax(axis=1) if labels.shape[1] > 1 else labels[:, 0].astype(np.int64)
    max_cls = int(max(class_weight)) + 1
    table = np.ones(max(max_cls, int(idx.max()) + 1), np.float32)
    for k, v in class_weight.items():
        table[int(k)] = float(v)
    return table[idx]


def _shuffle_rng() -> np.random.Generator:
    """A NumPy generator seeded from eagerkit's global generator, so ``ek.random.set_seed`` makes
    the shuffling of ``fit`` reproducible (as ``tf.random.set_seed`` does for tf.keras)."""
    from eagerkit._src.ops.random_ops import get_global_generator

    bits = np.asarray(get_global_generator().uniform_full_int([2], dtype="uint32"))
    return np.random.default_rng([int(b) for b in bits])


class DataHandler:
    """Yields ``(step, batch)`` per epoch; ``steps`` is the number of batches (None if unknown)."""

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int | None = None,
        steps_per_epoch: int | None = None,
        shuffle: bool = True,
        class_weight: dict | None = None,
        predict: bool = False,
    ) -> None:
        self.steps_per_epoch = steps_per_epoch
        self._iterator: Iterator | None = None
        if (
            _is_dataset(x)
            or (not _is_array_like(x) and hasattr(x, "__next__"))
            or (not _is_array_like(x) and hasattr(x, "__iter__"))
        ):
            if y is not None:
                raise ValueError(
                    "`y` argument is not supported when using a dataset or generator as input; "
                    "the elements must already be (x, y) pairs."
                )
            if sample_weight is not None:
                raise ValueError(
                    "`sample_weight` is not supported with a dataset or generator; put the weights "
                    "in its elements as (x, y, sample_weight)."
                )
            self.kind = "dataset" if _is_dataset(x) else "generator"
            self._source = x
            self.steps = steps_per_epoch
            if self.kind == "dataset" and steps_per_epoch is None:
                card = int(np.asarray(x.cardinality()))
                self.steps = card if card >= 0 else None
            self.class_weight = class_weight
            return
        self.kind = "arrays"
        xs = _to_numpy(x)
        ys = _to_numpy(y) if y is not None else None
        sws = np.asarray(sample_weight) if sample_weight is not None else None
        sizes = {
            "x": _num_samples(xs),
            "y": _num_samples(ys) if ys is not None else [],
            "sample_weight": [len(sws)] if sws is not None else [],
        }
        all_sizes = {n for v in sizes.values() for n in v}
        if len(all_sizes) > 1:
            detail = "\n".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items() if v)
            raise ValueError(
                f"Data cardinality is ambiguous:\n{detail}\nMake sure all arrays contain the same number of samples."
            )
        if not all_sizes:
            raise ValueError("No data provided: pass `x` (and `y` for training).")
        self.n = all_sizes.pop()
        if class_weight is not None:
            if ys is None:
                raise ValueError("`class_weight` needs `y`.")
            cw = _class_weights(ys, class_weight)
            sws = cw if sws is None else sws * cw
        self._x, self._y, self._sw = xs, ys, sws
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        full = -(-self.n // self.batch_size)
        self.steps = min(full, steps_per_epoch) if steps_per_epoch else full

    def _batches_from_arrays(self) -> Iterator[Any]:
        order = _shuffle_rng().permutation(self.n) if self.shuffle else np.arange(self.n)
        steps = self.steps
        for s in range(steps):
            idx = order[(s * self.batch_size) % self.n :][: self.batch_size]
            take = lambda a, idx=idx: None if a is None else a[idx]  # noqa: E731
            bx = nest.map_structure(take, self._x)
            parts = [bx]
            if self._y is not None:
                parts.append(nest.map_structure(take, self._y))
                if self._sw is not None:
                    parts.append(self._sw[idx])
            elif self._sw is not None:
                parts += [None, self._sw[idx]]
            yield _tensorize(tuple(parts) if len(parts) > 1 else parts[0])

    def epoch_batches(self) -> Iterator[tuple[int, Any]]:
        """``(step, batch)`` pairs for one epoch."""
        if self.kind == "arrays":
            yield from enumerate(self._batches_from_arrays())
            return
        if self.kind == "dataset":
            if self.steps_per_epoch is not None and self._iterator is None:
                self._iterator = iter(self._source.repeat() if self.steps is None else self._source)
            it = self._iterator if self.steps_per_epoch is not None else iter(self._source)
        else:
            if self._iterator is None:
                self._iterator = iter(self._source)
            it = self._iterator
        step = 0
        while self.steps_per_epoch is None or step < self.steps_per_epoch:
            try:
                batch = next(it)
            except StopIteration:
                if self.kind == "dataset" and self.steps_per_epoch is not None:
                    self._iterator = iter(self._source)
                    it = self._iterator
                    continue
                break
            if self.class_weight is not None:
                bx, by, bsw = unpack_x_y_sample_weight(batch)
                cw = _class_weights(by, self.class_weight)
                batch = (bx, by, cw if bsw is None else np.asarray(bsw) * cw)
            yield step, _tensorize(batch)
            step += 1
        if self.steps is None:
            self.steps = step


def train_validation_split(x: Any, y: Any, sample_weight: Any, validation_split: float) -> tuple[tuple, tuple]:
    """Keras' split: the last ``validation_split`` fraction of the arrays, before shuffling."""
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split must be in (0, 1), got {validation_split}")
    if _is_dataset(x) or not _is_array_like(x):
        raise ValueError(
            "`validation_split` is only supported for NumPy arrays and Tensors, not datasets or "
            "generators; pass `validation_data` instead."
        )
    xs = _to_numpy(x)
    n = _num_samples(xs)[0]
    cut = int(n * (1.0 - validation_split))
    if cut == 0 or cut == n:
        raise InvalidArgumentError(
            None, "fit", f"validation_split={validation_split} leaves an empty split of {n} samples."
        )
    head = lambda a: None if a is None else np.asarray(a)[:cut]  # noqa: E731
    tail = lambda a: None if a is None else np.asarray(a)[cut:]  # noqa: E731
    return (
        (
            nest.map_structure(head, xs),
            None if y is None else nest.map_structure(head, _to_numpy(y)),
            head(sample_weight),
        ),
        (
            nest.map_structure(tail, xs),
            None if y is None else nest.map_structure(tail, _to_numpy(y)),
            tail(sample_weight),
        ),
    )
