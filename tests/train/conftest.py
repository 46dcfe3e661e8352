"""Every checkpoint test leaves no deferred-restore machinery behind."""

import gc

import pytest

from eagerkit._src.core import context
from eagerkit._src.train import async_writer, deferred


@pytest.fixture(autouse=True)
def _clean_deferred_state():
    yield
    async_writer.wait_all()
    gc.collect()
    deferred.resolve()
    assert deferred.pending_count() == 0
    assert not any(type(f).__name__ == "_DeferredRestoreFrame" for f in context.frames)
