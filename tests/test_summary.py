"""ek.summary: event files read back with TensorBoard's own reader."""

import glob
import os

import jax
import numpy as np
import pytest
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util

import eagerkit as ek
import eagerkit.summary as summary


def read(logdir):
    acc = event_accumulator.EventAccumulator(str(logdir), size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def points(acc, tag):
    if tag not in acc.Tags()["tensors"]:
        return []
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def test_seed_guide_loop_writes_ten_loss_points(tmp_path):
    logdir = str(tmp_path / "tb")
    writer = summary.create_file_writer(logdir)
    with writer.as_default():
        for i in range(1000):
            step = i + 1
            loss = 1 - 0.001 * step
            if step % 100 == 0:
                summary.scalar("loss", loss, step=step)
    files = os.listdir(logdir)
    assert len(files) == 1 and files[0].startswith("events.out.tfevents.") and files[0].endswith(".v2")
    got = points(read(logdir), "loss")
    assert [s for s, _ in got] == list(range(100, 1001, 100))
    np.testing.assert_allclose([float(v) for _, v in got], [1 - 0.1 * k for k in range(1, 11)], atol=1e-6)
    assert read(logdir).SummaryMetadata("loss").plugin_data.plugin_name == "scalars"


def test_histogram_image_text_audio_are_tf2_format(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default():
        summary.histogram("h", [1.0, 2.0, 2.0, 5.0], step=3, buckets=3)
        summary.image("img", np.full((2, 4, 5, 3), 0.5, np.float32), step=4, max_outputs=1)
        summary.text("t", "hello", step=5)
        summary.audio("a", np.zeros((1, 8, 1), np.float32), 8000, step=6)
    acc = read(tmp_path)
    ((step, h),) = points(acc, "h")
    np.testing.assert_allclose(h, [[1.0, 7 / 3, 3.0], [7 / 3, 11 / 3, 0.0], [11 / 3, 5.0, 1.0]])
    ((_, img),) = points(acc, "img")
    assert img[0] == b"5" and img[1] == b"4" and len(img) == 3 and img[2].startswith(b"\x89PNG")
    ((_, txt),) = points(acc, "t")
    assert txt == b"hello"
    ((_, aud),) = points(acc, "a")
    assert aud.shape == (1, 2) and aud[0, 0].startswith(b"RIFF")
    assert {t: acc.SummaryMetadata(t).plugin_data.plugin_name for t in ["h", "img", "t", "a"]} == {
        "h": "histograms",
        "img": "images",
        "t": "text",
        "a": "audio",
    }


def test_default_step_and_no_step_error(tmp_path):
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default(step=7):
        assert int(summary.experimental.get_step()) == 7
        assert bool(summary.scalar("y", 2.0))
    assert summary.experimental.get_step() is None
    with w.as_default(), pytest.raises(ValueError, match="No step set"):
        summary.scalar("x", 1.0)
    step = ek.Variable(3, dtype=ek.int64)
    summary.experimental.set_step(step)
    try:
        with w.as_default():
            summary.scalar("z", 1.0)
            step.assign(4)
            summary.scalar("z", 2.0)
    finally:
        summary.experimental.set_step(None)
    assert [s for s, _ in points(read(tmp_path), "z")] == [3, 4]
    assert [s for s, _ in points(read(tmp_path), "y")] == [7]


def test_no_writer_record_if_and_noop_writer(tmp_path):
    assert not bool(summary.scalar("x", 1.0))  # no default writer: nothing, no step needed
    assert not bool(summary.should_record_summaries())
    w = summary.create_file_writer(str(tmp_path))
    with w.as_default():
        assert bool(summary.should_record_summaries())
        with summary.record_if(False):
            assert not bool(summary.scalar("r", 1.0, step=1))
            assert not bool(summary.should_record_summaries())
        with summary.record_if(lambda: False):
            assert not bool(summary.scalar("r", 1.0, step=2))
        with summary.record_if(ek.constant(True)):
            assert bool(summary.scalar("r", 1.0, step=3))
    with summary.create_noop_writer().as_default():
        assert not bool(summary.scalar("r", 1.0, step=4))
        assert not bool(summary.should_record_summaries())
    assert [s for s, _ in points(read(tmp_path), "r")] == [3]


def test_set_as_default_flush_close_and_suffix(tmp_path):
    w = summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=3_600_000, filename_suffix=".foo")
    w.set_as_default()
    summary.scalar("q", 1.0, step=1)
    assert points(read(tmp_path), "q") == []  # still queued: max_queue not reached, no flush yet
    summary.flush()
    assert [s for s, _ in points(read(tmp_path), "q")] == [1]
    w.close()
    summary.create_noop_writer().set_as_default()
    with w.as_default(), pytest.raises(RuntimeError, match="already closed"):
        summary.scalar("q", 1.0, step=2)
    assert glob.glob(str(tmp_path / "*.foo"))


def test_summaries_inside_compiled_code_use_runtime_steps(tmp_path):
    w = summary.create_file_writer(str(tmp_path))

    @jax.jit
    def step_fn(x, step):
        summary.scalar("traced", ek.Tensor(x) * 2.0, step=ek.Tensor(step))
        return x + 1

    with w.as_default():
        for s in range(3):
            step_fn(np.float32(s), np.int64(100 + s))
    got = points(read(tmp_path), "traced")
    assert [s for s, _ in got] == [100, 101, 102]
    assert [float(v) for _, v in got] == [0.0, 2.0, 4.0]


def test_record_if_with_traced_condition(tmp_path):
    w = summary.create_file_writer(str(tmp_path))

    @jax.jit
    def step_fn(step):
        with summary.record_if(ek.Tensor(step % 2 == 0)):
            summary.scalar("even", ek.cast(ek.Tensor(step), ek.float32), step=ek.Tensor(step))
        return step

    with w.as_default():
        for s in range(5):
            step_fn(np.int64(s))
    assert [s for s, _ in points(read(tmp_path), "even")] == [0, 2, 4]


def test_bad_inputs_raise_clear_errors(tmp_path):
    with summary.create_file_writer(str(tmp_path)).as_default():
        with pytest.raises(ValueError, match="needs a scalar"):
            summary.scalar("s", [1.0, 2.0], step=1)
        with pytest.raises(ValueError, match="channels"):
            summary.image("i", np.zeros((1, 4, 4, 2)), step=1)
        with pytest.raises(TypeError, match="cannot hold strings"):
            summary.text("t", ek.constant(1), step=1)
    with pytest.raises(ValueError, match="logdir cannot be None"):
        summary.create_file_writer(None)
