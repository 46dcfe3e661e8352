"""``should_record_summaries``: whether a summary written now would be recorded.

>>> import eagerkit.summary as summary
>>> bool(summary.should_record_summaries())  # no default writer
False
"""

from __future__ import annotations

import jax.numpy as jnp

from eagerkit._src.core.convert import to_array
from eagerkit._src.core.tensor import Tensor
from eagerkit._src.summary import writer as _writer


def should_record_summaries() -> Tensor:
    """A bool Tensor: a recording default writer is set and the ``record_if`` condition holds.

    >>> import eagerkit as ek
    >>> with ek.summary.create_noop_writer().as_default():
    ...     bool(ek.summary.should_record_summaries())
    False
    """
    w = _writer.default_writer()
    if w is None or not w._records:
        return Tensor(jnp.asarray(False))
    cond = _writer.current_condition()
    if isinstance(cond, bool):
        return Tensor(jnp.asarray(cond))
    return Tensor(jnp.asarray(to_array(cond), dtype=jnp.bool_))
