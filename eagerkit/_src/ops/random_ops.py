"""Random numbers from a stateful generator whose state is a Variable (``ek.random``).

DESIGN: the global generator keeps a JAX PRNG key in a non-trainable Variable. Every
draw splits the key, writes the new key back and samples with the other half, in one
compiled call. Because the state is a Variable, ``ek.function`` threads it through the
compiled program (so each call gives new numbers) and checkpoints can save it.
``ek.random.set_seed(s)`` resets the global key, making runs reproducible. The numbers
differ from TF's (different PRNG), the distributions do not. An op-level ``seed``
is folded into the key of that draw.

>>> import eagerkit as ek
>>> ek.random.set_seed(1)
>>> a = ek.random.normal([2])
>>> ek.random.set_seed(1)
>>> bool(ek.reduce_all(a == ek.random.normal([2])))
True
"""

from __future__ import annotations

import os
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from eagerkit._src.core import context
from eagerkit._src.core import dtypes as _dtypes
from eagerkit._src.core.convert import to_array
from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.core.variable import Variable
from eagerkit._src.ops.array_ops import _shape_arg
from eagerkit._src.ops.op import defop


def _key_from_seed(seed: int) -> jax.Array:
    return jax.random.key_data(jax.random.key(int(seed) % (2**63), impl="threefry2x32"))


def _fold(key: Any, seed: Any) -> Any:
    if seed is None:
        return key
    return jax.random.key_data(jax.random.fold_in(jax.random.wrap_key_data(key, impl="threefry2x32"), int(seed)))


def _split(key: Any) -> tuple[Any, Any]:
    k = jax.random.wrap_key_data(key, impl="threefry2x32")
    new, sub = jax.random.split(k)
    return jax.random.key_data(new), sub


@defop("RandomStandardNormal", tensors=("key", "mean", "stddev"))
def _normal(key, mean, stddev, shape, dtype, seed):
    new, sub = _split(_fold(key, seed))
    return [new, jax.random.normal(sub, shape, dtype) * stddev + mean]


@defop("RandomUniform", tensors=("key", "minval", "maxval"))
def _uniform(key, minval, maxval, shape, dtype, seed):
    new, sub = _split(_fold(key, seed))
    if jnp.issubdtype(dtype, jnp.integer):
        return [new, jax.random.randint(sub, shape, minval, maxval, dtype)]
    return [new, jax.random.uniform(sub, shape, dtype, minval, maxval)]


@defop("TruncatedNormal", tensors=("key", "mean", "stddev"))
def _truncated_normal(key, mean, stddev, shape, dtype, seed):
    new, sub = _split(_fold(key, seed))
    return [new, jax.random.truncated_normal(sub, -2.0, 2.0, shape, dtype) * stddev + mean]


@defop("Multinomial", tensors=("key", "logits"))
def _categorical(key, logits, num_samples, dtype, seed):
    if logits.ndim != 2:
        raise InvalidArgumentError(
            None,
            "Multinomial",
            f"logits should be a matrix, got shape [{','.join(map(str, logits.shape))}] [Op:Multinomial]. "
            "Pass [batch_size, num_classes] logits (e.g. logits[ek.newaxis] for one distribution).",
        )
    new, sub = _split(_fold(key, seed))
    draws = jax.random.categorical(sub, logits, axis=-1, shape=(num_samples, logits.shape[0]))
    return [new, draws.T.astype(dtype)]


@defop("RandomShuffle", tensors=("key", "value"))
def _shuffle(key, value, seed):
    new, sub = _split(_fold(key, seed))
    return [new, jax.random.permutation(sub, value, axis=0)]


@defop("RandomUniformFullInt", tensors=("key",))
def _full_int(key, shape, dtype, seed):
    new, sub = _split(_fold(key, seed))
    np_dtype = _dtypes.as_dtype(dtype)._np
    unsigned = jnp.uint64 if np_dtype.itemsize == 8 else jnp.uint32
    return [new, jax.random.bits(sub, shape, unsigned).view(np_dtype)]


@defop("StatelessRandomBits", tensors=("key",))
def _bits(key, shape, seed):
    new, sub = _split(_fold(key, seed))
    return [new, jax.random.bits(sub, shape, jnp.uint32)]


class Generator:
    """A random number generator with its state in a Variable (``tf.random.Generator``).

    >>> import eagerkit as ek
    >>> g = ek.random.Generator.from_seed(42)
    >>> g.normal([2, 3]).shape
    TensorShape([2, 3])
    """

    def __init__(
        self, copy_from: Generator | None = None, state: Any = None, alg: Any = None, seed: int | None = None
    ) -> None:
        if copy_from is not None:
            key = copy_from.state._read()
        elif state is not None:
            key = to_array(state).astype(jnp.uint32).reshape(-1)[:2]
        else:
            key = _key_from_seed(int.from_bytes(os.urandom(8), "little") if seed is None else seed)
        self.state = Variable(key, trainable=False, name="generator_state")

    @classmethod
    def from_seed(cls, seed: int, alg: Any = None) -> Generator:
        return cls(seed=seed)

    @classmethod
    def from_non_deterministic_state(cls, alg: Any = None) -> Generator:
        return cls()

    def reset_from_seed(self, seed: int) -> None:
        self.state.assign(_key_from_seed(seed))

    def _draw(self, op: Any, *args: Any, **static: Any) -> Tensor:
        new, out = op(self.state, *args, **static)
        self.state.assign(new)
        return out

    def normal(
        self, shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = _dtypes.float32, name: str | None = None
    ) -> Tensor:
        """Normal samples of ``shape`` (advances this generator)."""
        dt = _float_dtype(dtype, "normal")
        return self._draw(_normal, _as(mean, dt), _as(stddev, dt), shape=_shape_arg(shape), dtype=dt, seed=None)

    def uniform(
        self, shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = _dtypes.float32, name: str | None = None
    ) -> Tensor:
        """Uniform samples in ``[minval, maxval)``; integer dtypes need ``maxval``."""
        dt, maxval = _uniform_args(dtype, minval, maxval)
        return self._draw(
            _uniform, _as(minval, dt._np), _as(maxval, dt._np), shape=_shape_arg(shape), dtype=dt._np, seed=None
        )

    def truncated_normal(
        self, shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = _dtypes.float32, name: str | None = None
    ) -> Tensor:
        """Normal samples re-drawn beyond two standard deviations."""
        dt = _float_dtype(dtype, "truncated_normal")
        return self._draw(
            _truncated_normal, _as(mean, dt), _as(stddev, dt), shape=_shape_arg(shape), dtype=dt, seed=None
        )

    def uniform_full_int(self, shape: Any, dtype: Any = _dtypes.uint64, name: str | None = None) -> Tensor:
        """Integers uniform over the whole range of ``dtype`` (int32, int64, uint32 or uint64)."""
        dt = _dtypes.as_dtype(dtype)
        if dt.name not in ("int32", "int64", "uint32", "uint64"):
            raise ValueError(f"uniform_full_int supports int32, int64, uint32 and uint64, got {dt.name}")
        return self._draw(_full_int, shape=_shape_arg(shape), dtype=dt.name, seed=None)

    def split(self, count: int = 1) -> list[Generator]:
        """``count`` new independent generators (advances this one)."""
        out = []
        for _ in range(count):
            bits = self._draw(_bits, shape=(2,), seed=None)
            out.append(Generator(state=bits))
        return out


def _float_dtype(dtype: Any, fn: str) -> Any:
    dt = _dtypes.as_dtype(dtype)
    if not dt.is_floating:
        raise ValueError(f"Invalid dtype {dt.name} for random.{fn}: it must be a floating dtype (e.g. ek.float32).")
    return dt._np


def _uniform_args(dtype: Any, minval: Any, maxval: Any) -> tuple[Any, Any]:
    dt = _dtypes.as_dtype(dtype)
    if not (dt.is_floating or dt.is_integer):
        raise ValueError(f"Invalid dtype {dt.name} for random.uniform: use a floating or integer dtype.")
    if maxval is None:
        if dt.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dt.name}")
        maxval = 1
    if dt.is_integer:
        lo, hi = np.asarray(to_array(minval)), np.asarray(to_array(maxval))
        if not context.is_symbolic(to_array(minval)) and not context.is_symbolic(to_array(maxval)):
            if lo.shape == () and hi.shape == () and int(lo) >= int(hi):
                raise InvalidArgumentError(
                    None,
                    "RandomUniformInt",
                    f"Need minval < maxval: {int(lo)} >= {int(hi)} [Op:RandomUniformInt]",
                )
    return dt, maxval


def _as(value: Any, np_dtype: Any) -> Any:
    arr = to_array(value)
    return arr.astype(np_dtype) if arr.dtype != np_dtype else arr


_global: Generator | None = None


def get_global_generator() -> Generator:
    """The generator used by ``ek.random.*`` functions (created on first use).

    >>> import eagerkit as ek
    >>> g = ek.random.get_global_generator()
    >>> g.normal([2]).shape
    TensorShape([2])
    """
    global _global
    if _global is None:
        with context.init_scope():
            _global = Generator()
    return _global


def set_global_generator(generator: Generator) -> None:
    """Replaces the generator used by ``ek.random.*`` functions (``tf.random.set_global_generator``).

    >>> import eagerkit as ek
    >>> old = ek.random.get_global_generator()
    >>> ek.random.set_global_generator(ek.random.Generator.from_seed(1))
    >>> a = ek.random.uniform([2])
    >>> ek.random.set_global_generator(ek.random.Generator.from_seed(1))
    >>> bool(ek.reduce_all(a == ek.random.uniform([2])))
    True
    >>> ek.random.set_global_generator(old)
    """
    global _global
    _global = generator


def set_seed(seed: int) -> None:
    """Makes the global generator (and so every ``ek.random`` op) reproducible.

    >>> import eagerkit as ek
    >>> ek.random.set_seed(7)
    >>> a = ek.random.uniform([3])
    >>> ek.random.set_seed(7)
    >>> b = ek.random.uniform([3])
    >>> bool(ek.reduce_all(a == b))
    True
    """
    g = get_global_generator()
    with context.init_scope():
        g.reset_from_seed(int(seed))


def normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = _dtypes.float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Samples from a normal distribution (``tf.random.normal``).

    >>> import eagerkit as ek
    >>> ek.random.normal([2, 3]).shape
    TensorShape([2, 3])
    """
    g = get_global_generator()
    dt = _float_dtype(dtype, "normal")
    return g._draw(_normal, _as(mean, dt), _as(stddev, dt), shape=_shape_arg(shape), dtype=dt, seed=seed)


def uniform(
    shape: Any,
    minval: Any = 0,
    maxval: Any = None,
    dtype: Any = _dtypes.float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Samples uniformly from ``[minval, maxval)``; integer dtypes need ``maxval``.

    >>> import eagerkit as ek
    >>> x = ek.random.uniform([100], 0, 10, dtype=ek.int32)
    >>> x.dtype, bool(ek.reduce_all((x >= 0) & (x < 10)))
    (tf.int32, True)
    """
    dt, maxval = _uniform_args(dtype, minval, maxval)
    g = get_global_generator()
    return g._draw(_uniform, _as(minval, dt._np), _as(maxval, dt._np), shape=_shape_arg(shape), dtype=dt._np, seed=seed)


def truncated_normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: Any = _dtypes.float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Normal samples re-drawn beyond two standard deviations.

    >>> import eagerkit as ek
    >>> x = ek.random.truncated_normal([1000], stddev=1.0)
    >>> bool(ek.reduce_all(ek.abs(x) <= 2.0))
    True
    """
    g = get_global_generator()
    dt = _float_dtype(dtype, "truncated_normal")
    return g._draw(_truncated_normal, _as(mean, dt), _as(stddev, dt), shape=_shape_arg(shape), dtype=dt, seed=seed)


def categorical(
    logits: Any, num_samples: int, dtype: Any = None, seed: int | None = None, name: str | None = None
) -> Tensor:
    """Draws class indices from ``[batch, classes]`` logits: result ``[batch, num_samples]``.

    >>> import eagerkit as ek
    >>> ek.random.categorical([[0.0, -1e9]], 3).numpy().tolist()
    [[0, 0, 0]]
    """
    dt = _dtypes.as_dtype(dtype or _dtypes.int64)._np
    return get_global_generator()._draw(_categorical, logits, num_samples=int(num_samples), dtype=dt, seed=seed)


def shuffle(value: Any, seed: int | None = None, name: str | None = None) -> Tensor:
    """Randomly permutes along the first dimension.

    >>> import eagerkit as ek
    >>> sorted(ek.random.shuffle([1, 2, 3]).numpy().tolist())
    [1, 2, 3]
    """
    return get_global_generator()._draw(_shuffle, value, seed=seed)
