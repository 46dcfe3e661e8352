"""``Dataset.prefetch``: overlap producing elements with consuming them.

When the pipeline ends with ``prefetch`` and runs no user functions, the background
thread does everything, including putting each finished element on the device
(``jax.device_put``), so the training loop only wraps ready arrays in Tensors. With
user functions upstream, the request is passed down to the stages that call them,
which prefetch their own inputs (see ``background`` for why).

>>> from eagerkit.data import AUTOTUNE, Dataset
>>> [b.numpy().tolist() for b in Dataset.range(4).batch(2).prefetch(AUTOTUNE)]
[[0, 1], [2, 3]]
"""

from __future__ import annotations

from collections.abc import Iterator

from eagerkit._src.core.errors import InvalidArgumentError
from eagerkit._src.data.background import background
from eagerkit._src.data.block import Block
from eagerkit._src.data.dataset import NO_PREFETCH, Dataset, PassContext
from eagerkit._src.data.options import AUTOTUNE, AUTOTUNE_PREFETCH


class PrefetchDataset(Dataset):
    """The input, produced up to ``buffer_size`` elements ahead on a background thread."""

    def __init__(self, dataset: Dataset, buffer_size: int) -> None:
        if buffer_size < 0 and buffer_size != AUTOTUNE:
            raise InvalidArgumentError(
                None, "PrefetchDataset", f"buffer_size must be >= 0 or AUTOTUNE (-1), got {buffer_size}."
            )
        super().__init__(dataset.element_spec)
        self._inputs = (dataset,)
        self._size = AUTOTUNE_PREFETCH if buffer_size == AUTOTUNE else buffer_size

    def _cardinality(self) -> int:
        return self._inputs[0]._cardinality()

    def _blocks(self, ctx: PassContext) -> Iterator[Block]:
        source = self._inputs[0]
        if self._size == 0:
            return source._blocks(ctx)
        if source._has_user_code():
            return source._blocks(PassContext(self._size))
        return background(lambda: source._blocks(NO_PREFETCH), self._size)

    def _device_stream(self) -> Iterator[list]:
        source = self._inputs[0]
        if self._size == 0 or source._has_user_code():
            return super()._device_stream()
        return background(source._device_stream, self._size)
