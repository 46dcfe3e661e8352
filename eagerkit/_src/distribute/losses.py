"""Loss scaling for distributed training (``tf.nn.compute_average_loss`` and friends).

Under a strategy each replica computes the loss of its slice of the global batch and the
optimizer *sums* the replicas' gradients, so a replica's loss must be divided by the
global batch size, not its own.

>>> import eagerkit as ek
>>> ek.nn.compute_average_loss([1.0, 2.0, 3.0, 6.0]).numpy()
np.float32(3.0)
>>> ek.nn.compute_average_loss([1.0, 2.0, 3.0, 6.0], global_batch_size=8).numpy()
np.float32(1.5)
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.convert import convert_to_tensor
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.distribute import distribute_lib
from eagerkit._src.core.convert import constant
from eagerkit._src.ops import math_ops


def _check_replica_context(what: str) -> None:
    if distribute_lib.in_cross_replica_context():
        raise RuntimeError(
            f"You are calling `{what}` in cross replica context, while it was expected to be called in replica "
            "context (inside strategy.run)."
        )


def compute_average_loss(per_example_loss: Any, sample_weight: Any = None, global_batch_size: Any = None) -> Tensor:
    """``sum(per_example_loss * sample_weight) / global_batch_size`` (0 when that size is 0).

    ``global_batch_size`` defaults to this replica's batch size times the number of replicas
    in sync.

    >>> import eagerkit as ek
    >>> ek.nn.compute_average_loss([1.0, 2.0, 3.0, 6.0], sample_weight=[1.0, 1.0, 0.0, 0.5])  # (1 + 2 + 0 + 3) / 4
    <tf.Tensor: shape=(), dtype=float32, numpy=1.5>

    Under a strategy each replica divides by the *global* batch size, so the replicas' sum is
    the mean over the global batch:

    >>> strategy = ek.distribute.MirroredStrategy()
    >>> batch = strategy.distribute_batch(ek.constant([1.0, 2.0, 3.0, 6.0]))
    >>> per_replica = strategy.run(ek.nn.compute_average_loss, args=(batch,))
    >>> strategy.reduce(ek.distribute.ReduceOp.SUM, per_replica, axis=None)
    <tf.Tensor: shape=(), dtype=float32, numpy=3.0>
    """
    loss = convert_to_tensor(per_example_loss)
    if loss.shape.rank == 0:
        raise ValueError(
            f"Invalid value passed for `per_example_loss`. Expected a tensor with at least rank 1, received: {loss}"
        )
    dtype = loss.dtype
    if sample_weight is not None:
        weight = math_ops.cast(convert_to_tensor(sample_weight), dtype)
        loss = math_ops.cast(loss * weight, dtype)
    if global_batch_size is None:
        _check_replica_context("compute_average_loss")
        global_batch_size = loss.shape[0] * distribute_lib.current_replica_count()
    size = convert_to_tensor(global_batch_size)
    if size.shape.rank != 0:
        raise ValueError(f"global_batch_size must be scalar, got shape {size.shape}.")
    if not size.dtype.is_integer:
        raise TypeError(f"global_batch_size must be an integer, got dtype {size.dtype.name}.")
    return math_ops.divide_no_nan(math_ops.reduce_sum(loss), math_ops.cast(size, dtype))


def scale_regularization_loss(regularization_loss: Any) -> Tensor:
    """``sum(regularization_loss) / num_replicas_in_sync`` (the replicas' gradients are summed).

    >>> import eagerkit as ek
    >>> ek.nn.scale_regularization_loss([0.5, 1.5])  # no strategy: one replica
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> per_replica = strategy.run(lambda: ek.nn.scale_regularization_loss(ek.constant([0.5, 1.5])))
    >>> strategy.reduce(ek.distribute.ReduceOp.SUM, per_replica, axis=None)  # the replicas add up to the sum
    <tf.Tensor: shape=(), dtype=float32, numpy=2.0>
    """
    _check_replica_context("scale_regularization_loss")
    total = math_ops.reduce_sum(convert_to_tensor(regularization_loss))
    return total / constant(distribute_lib.current_replica_count(), total.dtype)
