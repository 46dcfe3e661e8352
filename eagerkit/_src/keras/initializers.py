"""Weight initializers (``tf.keras.initializers``) with TF's defaults.

An initializer is called as ``init(shape, dtype=None)`` and returns a Tensor. Random
initializers without a seed draw from eagerkit's global generator, so
``ek.random.set_seed(s)`` makes model construction reproducible; an initializer given
a ``seed`` returns the same values on every call (as Keras documents).

>>> import eagerkit as ek
>>> init = ek.keras.initializers.get("glorot_uniform")
>>> type(init).__name__, init((2, 3)).shape
('GlorotUniform', TensorShape([2, 3]))
>>> ek.keras.initializers.Constant(2.0)((2,)).numpy().tolist()
[2.0, 2.0]
"""

from __future__ import annotations

import math
from typing import Any

from eagerkit._src.core import convert
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.keras.engine import backend_config, serialization
from eagerkit._src.ops import array_ops, linalg_ops, math_ops, random_ops


def _dtype(dtype: Any) -> _dtypes.DType:
    return _dtypes.as_dtype(dtype or backend_config.floatx())


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    dims = tuple(shape)
    if any(d is None for d in dims):
        raise ValueError(
            f"Initializers need a fully known shape, got {tuple(dims)}. Give every weight dimension a size "
            "(e.g. build the layer with a known last input dimension)."
        )
    return tuple(int(d) for d in dims)


def _require_float(dtype: _dtypes.DType, who: str) -> None:
    if not dtype.is_floating:
        raise ValueError(f"{who} only supports floating dtypes, got {dtype.name}. Use a float dtype such as 'float32'.")


class Initializer:
    """Base class: subclasses implement ``__call__(shape, dtype=None)`` and ``get_config``.

    >>> import eagerkit as ek
    >>> class Twos(ek.keras.initializers.Initializer):
    ...     def __call__(self, shape, dtype=None, **kwargs):
    ...         return ek.fill(shape, ek.constant(2.0, dtype or ek.float32))
    >>> layer = ek.keras.layers.Dense(2, kernel_initializer=Twos())
    >>> layer(ek.ones([1, 3]))
    <tf.Tensor: shape=(1, 2), dtype=float32, numpy=array([[6., 6.]], dtype=float32)>
    """

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        raise NotImplementedError(f"Initializer subclass {type(self).__name__} must implement __call__.")

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.get_config()}>"


class Zeros(Initializer):
    """All zeros.

    >>> Zeros()((2,)).numpy().tolist()
    [0.0, 0.0]
    """

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        return array_ops.zeros(_shape(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones.

    >>> Ones()((2,)).numpy().tolist()
    [1.0, 1.0]
    """

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        return array_ops.ones(_shape(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every element set to ``value`` (a scalar, or an array broadcastable to the shape).

    >>> Constant(3)((2,)).numpy().tolist()
    [3.0, 3.0]
    """

    def __init__(self, value: Any = 0) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        import numpy as np

        dt = _dtype(dtype)
        value = np.asarray(self.value.numpy() if hasattr(self.value, "numpy") else self.value)
        return array_ops.broadcast_to(convert.convert_to_tensor(value.astype(dt.as_numpy_dtype)), _shape(shape))

    def get_config(self) -> dict[str, Any]:
        import numpy as np

        value = self.value
        if isinstance(value, np.ndarray) or hasattr(value, "numpy"):
            value = np.asarray(value).tolist()
        return {"value": value}


class _Seeded(Initializer):
    """Shared seed handling: unseeded draws use the global generator, seeded ones a fresh one
    (so a seeded initializer returns the same values on every call)."""

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and not isinstance(seed, int):
            raise ValueError(f"`seed` must be an integer or None, got {seed!r}.")
        self.seed = seed

    def _draw(self, kind: str, shape: tuple[int, ...], dtype: _dtypes.DType, **params: Any) -> Tensor:
        # Draws come in flat power-of-two batches that are then sliced and reshaped: every new
        # shape would otherwise compile a new (slow to compile) random program.
        n = math.prod(shape)
        bucket = 1 << max(8, (n - 1).bit_length())
        if self.seed is None:
            fn = {"normal": random_ops.normal, "uniform": random_ops.uniform, "truncated": random_ops.truncated_normal}
        else:
            gen = random_ops.Generator.from_seed(self.seed)
            fn = {"normal": gen.normal, "uniform": gen.uniform, "truncated": gen.truncated_normal}
        flat = fn[kind]((bucket,), dtype=dtype, **params)
        return array_ops.reshape(array_ops.slice(flat, [0], [n]), shape)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class RandomNormal(_Seeded):
    """Normal samples with ``mean`` (0) and ``stddev`` (0.05).

    >>> RandomNormal(seed=1)((2,)).shape
    TensorShape([2])
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        dt = _dtype(dtype)
        _require_float(dt, "RandomNormal")
        return self._draw("normal", _shape(shape), dt, mean=self.mean, stddev=self.stddev)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Seeded):
    """Uniform samples in ``[minval, maxval)`` (default ``[-0.05, 0.05)``).

    >>> float(RandomUniform(seed=1)((100,)).numpy().max()) < 0.05
    True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        dt = _dtype(dtype)
        if not (dt.is_floating or dt.is_integer):
            raise ValueError(f"RandomUniform supports float and integer dtypes, got {dt.name}.")
        return self._draw("uniform", _shape(shape), dt, minval=self.minval, maxval=self.maxval)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_Seeded):
    """Normal samples re-drawn beyond two standard deviations (``mean`` 0, ``stddev`` 0.05).

    >>> float(abs(TruncatedNormal(seed=1)((100,)).numpy()).max()) <= 0.1
    True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        dt = _dtype(dtype)
        _require_float(dt, "TruncatedNormal")
        return self._draw("truncated", _shape(shape), dt, mean=self.mean, stddev=self.stddev)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def compute_fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """(fan_in, fan_out) the way Keras computes them (receptive field times channels for convs)."""
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


class VarianceScaling(_Seeded):
    """Samples scaled to the layer's fan: ``stddev = sqrt(scale / n)``.

    Args:
      scale: positive scaling factor.
      mode: ``n`` is ``fan_in``, ``fan_out`` or ``fan_avg``.
      distribution: ``truncated_normal``, ``untruncated_normal`` or ``uniform``.
      seed: makes the initializer deterministic.

    >>> VarianceScaling(2.0, "fan_in", "truncated_normal", seed=0)((3, 4)).shape
    TensorShape([3, 4])
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform", "normal")

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        mode = mode.lower()
        if mode not in self._MODES:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Expected one of {self._MODES}.")
        distribution = distribution.lower()
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. Expected one of {self._DISTRIBUTIONS}."
            )
        if distribution == "normal":
            distribution = "truncated_normal"
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        dt = _dtype(dtype)
        _require_float(dt, type(self).__name__)
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            # 0.879... is the stddev of a unit normal truncated to [-2, 2].
            return self._draw("truncated", shape, dt, mean=0.0, stddev=math.sqrt(scale) / 0.87962566103423978)
        if self.distribution == "untruncated_normal":
            return self._draw("normal", shape, dt, mean=0.0, stddev=math.sqrt(scale))
        limit = math.sqrt(3.0 * scale)
        return self._draw("uniform", shape, dt, minval=-limit, maxval=limit)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class _FixedVarianceScaling(VarianceScaling):
    _ARGS: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed: int | None = None) -> None:
        scale, mode, distribution = self._ARGS
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class GlorotUniform(_FixedVarianceScaling):
    """Uniform in ``[-l, l]`` with ``l = sqrt(6 / (fan_in + fan_out))``: Keras' default kernel initializer.

    >>> import eagerkit as ek
    >>> w = ek.keras.initializers.GlorotUniform(seed=0)((100, 100))
    >>> limit = (6 / (100 + 100)) ** 0.5
    >>> bool(ek.reduce_all(ek.abs(w) <= limit))
    True
    """

    _ARGS = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))``.

    >>> import eagerkit as ek
    >>> w = ek.keras.initializers.GlorotNormal(seed=0)((100, 100))
    >>> w.shape, round(float(ek.math.reduce_std(w)), 2)  # sqrt(2 / (100 + 100)) = 0.1
    (TensorShape([100, 100]), 0.1)
    """

    _ARGS = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_FixedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(2 / fan_in)``.

    >>> import eagerkit as ek
    >>> w = ek.keras.initializers.HeNormal(seed=0)((100, 100))
    >>> round(float(ek.math.reduce_std(w)), 2)  # sqrt(2 / 100) = 0.14
    0.14
    """

    _ARGS = (2.0, "fan_in", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """Uniform in ``[-l, l]`` with ``l = sqrt(6 / fan_in)``.

    >>> import eagerkit as ek
    >>> w = ek.keras.initializers.HeUniform(seed=0)((100, 100))
    >>> bool(ek.reduce_all(ek.abs(w) <= (6 / 100) ** 0.5))
    True
    """

    _ARGS = (2.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal with ``stddev = sqrt(1 / fan_in)``.

    >>> import eagerkit as ek
    >>> w = ek.keras.initializers.LecunNormal(seed=0)((100, 100))
    >>> round(float(ek.math.reduce_std(w)), 2)  # sqrt(1 / 100) = 0.1
    0.1
    """

    _ARGS = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """Uniform in ``[-l, l]`` with ``l = sqrt(3 / fan_in)``.

    >>> import eagerkit as ek
    >>> w = ek.keras.initializers.LecunUniform(seed=0)((100, 100))
    >>> bool(ek.reduce_all(ek.abs(w) <= (3 / 100) ** 0.5))
    True
    """

    _ARGS = (1.0, "fan_in", "uniform")


class Orthogonal(_Seeded):
    """An orthogonal matrix (from the QR decomposition of a normal sample), times ``gain``.

    Shapes of rank > 2 are flattened to ``(prod(shape[:-1]), shape[-1])``.

    >>> import numpy as np
    >>> q = Orthogonal(seed=0)((3, 3)).numpy()
    >>> bool(np.allclose(q @ q.T, np.eye(3), atol=1e-5))
    True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        dt = _dtype(dtype)
        _require_float(dt, "Orthogonal")
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(
                f"The tensor to initialize must be at least two-dimensional, got shape {shape}. "
                "Use another initializer for vectors."
            )
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = self._draw("normal", flat, dt, mean=0.0, stddev=1.0)
        q, r = linalg_ops.qr(a)
        q = math_ops.multiply(q, math_ops.sign(linalg_ops.diag_part(r)))
        if rows < cols:
            q = array_ops.transpose(q)
        return math_ops.multiply(array_ops.reshape(q, shape), math_ops.cast(self.gain, dt))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only).

    >>> Identity()((2, 2)).numpy().tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        dt = _dtype(dtype)
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. Received: shape={shape}")
        return math_ops.multiply(array_ops.eye(shape[0], shape[1], dtype=dt), math_ops.cast(self.gain, dt))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


_CLASSES = {
    c.__name__: c
    for c in (
        Zeros,
        Ones,
        Constant,
        RandomNormal,
        RandomUniform,
        TruncatedNormal,
        VarianceScaling,
        GlorotUniform,
        GlorotNormal,
        HeNormal,
        HeUniform,
        LecunNormal,
        LecunUniform,
        Orthogonal,
        Identity,
    )
}
_ALIASES = {
    "zeros": Zeros,
    "zero": Zeros,
    "ones": Ones,
    "one": Ones,
    "constant": Constant,
    "random_normal": RandomNormal,
    "normal": RandomNormal,
    "random_uniform": RandomUniform,
    "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_normal": HeNormal,
    "he_uniform": HeUniform,
    "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal,
    "identity": Identity,
}
_TABLE = {**_CLASSES, **_ALIASES}


def serialize(initializer: Initializer) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}`` for an initializer.

    >>> import eagerkit as ek
    >>> ek.keras.initializers.serialize(ek.keras.initializers.Constant(2.0))
    {'class_name': 'Constant', 'config': {'value': 2.0}}
    """
    return serialization.serialize_object(initializer)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Initializer:
    """Builds an initializer from :func:`serialize`'s output (or a name).

    >>> import eagerkit as ek
    >>> init = ek.keras.initializers.deserialize({"class_name": "Constant", "config": {"value": 2.0}})
    >>> init((2,))
    <tf.Tensor: shape=(2,), dtype=float32, numpy=array([2., 2.], dtype=float32)>
    """
    obj = serialization.deserialize_object(config, _TABLE, "initializer", custom_objects)
    return obj() if isinstance(obj, type) else obj


def get(identifier: Any) -> Any:
    """An initializer from a name (``'glorot_uniform'``), a config dict, an instance or a callable.

    >>> type(get("he_normal")).__name__
    'HeNormal'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. Pass a name such as 'glorot_uniform', "
        "an Initializer instance, or a callable `(shape, dtype) -> tensor`."
    )


# Functional aliases, as in tf.keras.initializers.
zeros = Zeros
ones = Ones
constant = Constant
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
identity = Identity
