"""Progress bars: a terminal gets a bar redrawn in place, a log file one line per epoch."""

import io
import re
import sys

import numpy as np
import pytest

import eagerkit as ek
from eagerkit._src.keras.training import progbar as progbar_lib

Progbar = ek.keras.utils.Progbar
ProgbarLogger = ek.keras.callbacks.ProgbarLogger

FINAL = r"(\d+s|\d+:\d\d) \d+(us|ms|s)/step"


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


class Clock:
    """A controllable ``time.time`` for the progbar module."""

    def __init__(self, monkeypatch, start=1000.0):
        self.now = start
        monkeypatch.setattr(progbar_lib.time, "time", lambda: self.now)


def test_terminal_bar_redraws_in_place_with_eta_and_ends_like_keras(monkeypatch):
    clock = Clock(monkeypatch)
    out = FakeTTY()
    bar = Progbar(4, stream=out, interval=0.0)
    for step, loss in enumerate([0.9, 0.7, 0.5, 0.3], start=1):
        clock.now += 0.5
        bar.update(step, [("loss", loss)])
    frames = out.getvalue().split("\r")
    assert frames[0] == ""  # every frame starts with a carriage return
    assert frames[1] == "1/4 [======>.......................] - ETA: 2s - loss: 0.9000"
    assert frames[2] == "2/4 [==============>...............] - ETA: 1s - loss: 0.8000"
    assert frames[3] == "3/4 [=====================>........] - ETA: 0s - loss: 0.7000"
    assert frames[4] == "4/4 [==============================] - 2s 500ms/step - loss: 0.6000\n"


def test_terminal_bar_pads_shorter_lines_and_honours_the_interval(monkeypatch):
    clock = Clock(monkeypatch)
    out = FakeTTY()
    bar = Progbar(100, stream=out, interval=1.0, stateful_metrics=["loss"])
    clock.now += 2
    bar.update(1, [("loss", 12345.0)])
    clock.now += 0.1
    bar.update(2, [("loss", 2.0)])  # within the interval: not drawn
    clock.now += 2
    bar.update(3, [("loss", 1.0)])
    frames = out.getvalue().split("\r")[1:]
    assert len(frames) == 2
    assert frames[0].endswith("loss: 12345.0000")
    # 3% of 30 columns rounds down to an empty bar, as in Keras; ETA = 97 steps at 4.1s/3 = 2:12
    assert frames[1] == "  3/100 [" + "." * 30 + "] - ETA: 2:12 - loss: 1.0000" + " " * 4
    assert len(frames[1]) == len(frames[0])


def test_stateful_metrics_are_shown_as_given_others_averaged(monkeypatch):
    Clock(monkeypatch)
    out = io.StringIO()
    bar = Progbar(2, stream=out, stateful_metrics=["acc"])
    bar.update(1, [("loss", 1.0), ("acc", 0.25)])
    bar.update(2, [("loss", 3.0), ("acc", 0.75)])
    assert out.getvalue().endswith(" - loss: 2.0000 - acc: 0.7500\n")
    bar = Progbar(1, stream=io.StringIO())
    assert progbar_lib._format_value(1.5e-5) == "1.5000e-05" and progbar_lib._format_value(0.0) == "0.0000"


def test_non_terminal_output_is_one_line_per_epoch_without_carriage_returns(monkeypatch):
    clock = Clock(monkeypatch)
    out = io.StringIO()
    bar = Progbar(3, stream=out, interval=0.0)
    for step in (1, 2, 3):
        clock.now += 0.02
        bar.update(step, [("loss", 0.5)])
    assert out.getvalue() == "3/3 [==============================] - 0s 20ms/step - loss: 0.5000\n"


def test_verbose_2_and_verbose_0(monkeypatch):
    clock = Clock(monkeypatch)
    out = FakeTTY()
    bar = Progbar(3, stream=out, verbose=2)
    for step in (1, 2, 3):
        clock.now += 1.0
        bar.update(step, [("loss", 0.5)])
    assert out.getvalue() == "3/3 - 3s - 1s/step - loss: 0.5000\n"
    silent = io.StringIO()
    bar = Progbar(3, stream=silent, verbose=0)
    for step in (1, 2, 3):
        bar.update(step, [("loss", 0.5)])
    assert silent.getvalue() == ""


def test_unknown_target(monkeypatch):
    clock = Clock(monkeypatch)
    out = FakeTTY()
    bar = Progbar(None, stream=out, interval=0.0)
    for step in (1, 2):
        clock.now += 0.25
        bar.update(step, [("loss", 1.0)])
    bar.update(2, finalize=True)
    frames = out.getvalue().split("\r")[1:]
    assert frames[0] == "1/Unknown - 0s 250ms/step - loss: 1.0000"
    assert frames[-1] == "2/Unknown - 0s 250ms/step - loss: 1.0000\n"


def test_time_formats():
    assert progbar_lib._format_time(59.4) == "59s"
    assert progbar_lib._format_time(61) == "1:01"
    assert progbar_lib._format_time(3725) == "1:02:05"
    assert progbar_lib._per_step(2.0) == "2s/step"
    assert progbar_lib._per_step(0.0123) == "12ms/step"
    assert progbar_lib._per_step(0.0000456) == "46us/step"


# -- through fit / evaluate / predict ------------------------------------------------------------------
X = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float32)
Y = X.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module")
def model():
    m = ek.keras.Sequential([ek.keras.layers.Dense(1, input_shape=(3,))])
    m.compile(optimizer=ek.keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return m


def _capture(fn, tty=False):
    stream = FakeTTY() if tty else io.StringIO()
    saved, sys.stdout = sys.stdout, stream
    try:
        result = fn()
    finally:
        sys.stdout = saved
    return stream.getvalue(), result


def test_fit_verbose_1_on_a_log_file(model):
    text, history = _capture(lambda: model.fit(X, Y, batch_size=4, epochs=2, validation_data=(X, Y), verbose=1))
    assert "\r" not in text
    lines = text.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    h = history.history
    for epoch, line in ((0, lines[1]), (1, lines[3])):
        pattern = (
            rf"3/3 \[=+\] - {FINAL} - loss: {h['loss'][epoch]:.4f} - mae: {h['mae'][epoch]:.4f}"
            rf" - val_loss: {h['val_loss'][epoch]:.4f} - val_mae: {h['val_mae'][epoch]:.4f}"
        )
        assert re.fullmatch(pattern, line), line


def test_fit_verbose_1_on_a_terminal_updates_each_batch(model):
    text, history = _capture(lambda: model.fit(X, Y, batch_size=4, epochs=1, verbose=1), tty=True)
    assert not text.startswith("Epoch")  # a single epoch has no "Epoch 1/1" header, as in tf.keras
    assert text.count("\r") >= 2 and text.endswith("\n")
    last = text.split("\r")[-1].rstrip("\n").rstrip()
    assert re.fullmatch(rf"3/3 \[=+\] - {FINAL} - loss: {history.history['loss'][0]:.4f} - mae: \d\.\d{{4}}", last)


def test_fit_verbose_2_prints_one_line_per_epoch(model):
    text, history = _capture(lambda: model.fit(X, Y, batch_size=4, epochs=2, verbose=2), tty=True)
    lines = text.splitlines()
    assert "\r" not in text and len(lines) == 4
    assert re.fullmatch(
        rf"3/3 - \d+s - \d+(us|ms|s)/step - loss: {history.history['loss'][1]:.4f} - mae: \d\.\d{{4}}", lines[3]
    )


def test_verbose_0_is_silent(model, capsys):
    model.fit(X, Y, batch_size=4, epochs=2, validation_data=(X, Y), verbose=0)
    model.evaluate(X, Y, verbose=0)
    model.predict(X, verbose=0)
    assert capsys.readouterr() == ("", "")


def test_evaluate_and_predict_show_one_bar(model):
    text, (loss, mae) = _capture(lambda: model.evaluate(X, Y, batch_size=4, verbose=1))
    assert re.fullmatch(rf"3/3 \[=+\] - {FINAL} - loss: {loss:.4f} - mae: {mae:.4f}\n", text)
    text, _ = _capture(lambda: model.predict(X, batch_size=5, verbose=1))
    assert re.fullmatch(rf"2/2 \[=+\] - {FINAL}\n", text)


def test_progbar_logger_can_write_to_a_given_stream(model, capsys):
    out = io.StringIO()
    model.fit(X, Y, batch_size=5, epochs=2, callbacks=[ProgbarLogger(stream=out)], verbose=1)
    assert capsys.readouterr().out == ""
    assert out.getvalue().count("2/2 [") == 2 and out.getvalue().startswith("Epoch 1/2\n")
