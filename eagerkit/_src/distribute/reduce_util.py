"""``ReduceOp``: how values from several replicas are combined (``tf.distribute.ReduceOp``).

>>> ReduceOp.SUM, ReduceOp.from_variable_aggregation(2)
(<ReduceOp.SUM: 'SUM'>, <ReduceOp.MEAN: 'MEAN'>)
"""

from __future__ import annotations

import enum


class ReduceOp(enum.Enum):
    """``SUM`` adds the replicas' values, ``MEAN`` averages them.

    >>> import eagerkit as ek
    >>> ek.distribute.ReduceOp.SUM, ek.distribute.ReduceOp("MEAN")
    (<ReduceOp.SUM: 'SUM'>, <ReduceOp.MEAN: 'MEAN'>)
    >>> strategy = ek.distribute.MirroredStrategy()
    >>> batch = strategy.distribute_batch(ek.constant([1.0, 2.0, 3.0, 6.0]))
    >>> rows = strategy.run(lambda x: x * 1.0, args=(batch,))
    >>> [float(strategy.reduce(op, rows, axis=0)) for op in ek.distribute.ReduceOp]  # SUM, MEAN
    [12.0, 3.0]
    """

    SUM = "SUM"
    MEAN = "MEAN"

    @staticmethod
    def from_variable_aggregation(aggregation: int) -> ReduceOp:
        """The ReduceOp of a ``VariableAggregation`` (SUM=1, MEAN=2), as in TF."""
        if aggregation == 1:
            return ReduceOp.SUM
        if aggregation == 2:
            return ReduceOp.MEAN
        raise ValueError(f"Could not convert VariableAggregation {aggregation} to a ReduceOp: use SUM (1) or MEAN (2).")
