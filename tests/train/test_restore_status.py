"""Restore statuses: TF's assertion semantics and messages that name what did not match."""

import logging

import numpy as np
import pytest

import eagerkit as ek
import eagerkit.train as train
from eagerkit._src.core.tracking import AutoTrackable


def _module(**attrs):
    m = AutoTrackable()
    for k, v in attrs.items():
        setattr(m, k, v)
    return m


@pytest.fixture
def saved(tmp_path):
    sub = _module(b=ek.Variable(3.0))
    model = _module(w=ek.Variable([1.0, 2.0]), sub=sub)
    return train.Checkpoint(model=model, extra=ek.Variable(5.0)).write(str(tmp_path / "ck"))


def test_full_match(saved):
    model = _module(w=ek.Variable([0.0, 0.0]), sub=_module(b=ek.Variable(0.0)))
    status = train.Checkpoint(model=model, extra=ek.Variable(0.0)).read(saved)
    assert status.assert_consumed() is status
    assert status.assert_existing_objects_matched() is status
    assert status.assert_nontrivial_match() is status
    assert status.expect_partial() is status
    assert status.run_restore_ops() is None and status.initialize_or_restore() is None
    np.testing.assert_array_equal(model.w.numpy(), [1.0, 2.0])


def test_program_has_unmatched_variable(saved):
    # TF: consumed and existing fail, nontrivial passes (see TF 2.21 oracle)
    model = _module(w=ek.Variable([0.0, 0.0]), other=ek.Variable(1.0))
    status = train.Checkpoint(model=model).read(saved)
    with pytest.raises(AssertionError) as e:
        status.assert_consumed()
    msg = str(e.value)
    assert "model/other (Variable:0)" in msg
    assert "extra" in msg and "model/sub/b" in msg and "model/sub" in msg
    with pytest.raises(AssertionError, match=r"Found 1 Python objects .*model/other"):
        status.assert_existing_objects_matched()
    status.assert_nontrivial_match()
    assert model.w.numpy().tolist() == [1.0, 2.0] and model.other.numpy() == 1.0


def test_partial_program_passes_existing_objects(saved):
    model = _module(w=ek.Variable([0.0, 0.0]))
    status = train.Checkpoint(model=model).read(saved)
    status.assert_existing_objects_matched()
    with pytest.raises(AssertionError, match=r"checkpoint values not restored.*\(3\): extra, model/sub/b, model/sub"):
        status.assert_consumed()


def test_nothing_matched(saved):
    status = train.Checkpoint(unrelated=ek.Variable(1.0)).read(saved)
    with pytest.raises(AssertionError, match="Nothing except the root object matched.*unrelated"):
        status.assert_nontrivial_match()


def test_restore_none_is_a_noop():
    v = ek.Variable(1.0)
    status = train.Checkpoint(v=v).restore(None)
    assert type(status).__name__ == "InitializationOnlyStatus"
    for method in ("assert_consumed", "assert_existing_objects_matched", "assert_nontrivial_match"):
        with pytest.raises(AssertionError, match=r"No checkpoint specified \(save_path=None\)"):
            getattr(status, method)()
    assert status.expect_partial() is status
    status.initialize_or_restore()
    assert v.numpy() == 1.0


def test_dropped_pending_values_warn_unless_expect_partial(saved, caplog):
    import gc

    def restore_and_forget(expect_partial):
        model = _module(w=ek.Variable([0.0, 0.0]))
        status = train.Checkpoint(model=model).read(saved)
        if expect_partial:
            status.expect_partial()
        del model, status
        gc.collect()
        ek.Variable(0.0)  # any later activity notices the dropped objects

    with caplog.at_level(logging.WARNING, logger="eagerkit"):
        restore_and_forget(expect_partial=True)
    assert "never restored" not in caplog.text
    with caplog.at_level(logging.WARNING, logger="eagerkit"):
        restore_and_forget(expect_partial=False)
    assert "never restored" in caplog.text and "extra" in caplog.text
