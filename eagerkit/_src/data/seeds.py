"""Seeds for ``shuffle``: reproducible after ``ek.random.set_seed`` or with an explicit seed.

An explicit ``seed`` alone fixes the order. Without one, the seed is derived from the
global generator's current state and a counter of the datasets created since that
state was last written (by ``set_seed`` or a random op), so a program that calls
``ek.random.set_seed`` first makes the same shuffles every run, while reading the
state never consumes random numbers.

>>> import eagerkit as ek
>>> from eagerkit._src.data.seeds import dataset_seed
>>> ek.random.set_seed(7); a = dataset_seed(None)
>>> ek.random.set_seed(7); a == dataset_seed(None), dataset_seed(5) == dataset_seed(5)
(True, True)
"""

from __future__ import annotations

import numpy as np

from eagerkit._src.core import context

_last_state: object = None
_count = 0
_EXPLICIT_SALT = 0x5EED_DA7A


def dataset_seed(seed: int | None) -> tuple[int, ...]:
    """Seed words for a new shuffling dataset (see the module docstring)."""
    global _last_state, _count
    if seed is not None:
        words = [_EXPLICIT_SALT, int(seed) & 0xFFFFFFFF, (int(seed) >> 32) & 0xFFFFFFFF]
    else:
        from eagerkit._src.ops.random_ops import get_global_generator

        with context.init_scope():
            state = get_global_generator().state._read()
        # Every write (set_seed, a draw) stores a new array object: identity tells "written since".
        if state is not _last_state:
            _last_state, _count = state, 0
        key = tuple(int(k) for k in np.asarray(state).reshape(-1))
        _count += 1
        words = [*key, _count]
    return tuple(int(w) for w in np.random.SeedSequence(words).generate_state(4))
