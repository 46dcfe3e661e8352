"""Keras-style progress bar (``ek.keras.utils.Progbar``).

On a terminal the bar is redrawn in place (``\\r``) with an ETA and live metrics; when
output is not a terminal (logs, CI) it prints one line when the epoch finishes instead
of a stream of carriage returns.

>>> import io
>>> from eagerkit._src.keras.training.progbar import Progbar
>>> out = io.StringIO()
>>> bar = Progbar(3, stream=out, interactive=False)
>>> for i in range(3):
...     bar.update(i + 1, [("loss", 0.5)])
>>> out.getvalue().startswith("3/3 [==============================]")
True
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


def _format_value(v: float) -> str:
    if abs(v) >= 1e-3 or v == 0:
        return f"{v:.4f}"
    return f"{v:.4e}"


def _format_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(round(seconds))}s"


def _per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class Progbar:
    """Displays progress of ``target`` steps.

    Args:
      target: number of steps (None when unknown).
      width: bar width in characters.
      verbose: 1 shows the bar, 2 one summary line at the end, 0 nothing.
      stateful_metrics: metric names shown as given (others are averaged over the epoch).
      interval: minimum seconds between terminal redraws.
      stream: where to write (default ``sys.stdout``).
      interactive: force terminal (True) or log-file (False) rendering; default: ``stream.isatty()``.

    >>> import sys
    >>> import eagerkit as ek
    >>> bar = ek.keras.utils.Progbar(target=3, stream=sys.stdout, interactive=False)
    >>> for step in range(3):
    ...     bar.update(step + 1, values=[("loss", 0.5)])
    3/3 [==============================] - ... - loss: 0.5000
    """

    def __init__(
        self,
        target: int | None,
        width: int = 30,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Any = None,
        unit_name: str = "step",
        stream: TextIO | None = None,
        interactive: bool | None = None,
    ) -> None:
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self.stream = stream if stream is not None else sys.stdout
        if interactive is None:
            isatty = getattr(self.stream, "isatty", None)
            interactive = bool(isatty and isatty())
        self.interactive = interactive
        self._values: dict[str, list[float]] = {}
        self._order: list[str] = []
        self._start = time.time()
        self._last_update = 0.0
        self._seen = 0
        self._prev_len = 0
        self._finished = False

    def _metrics_text(self) -> str:
        parts = []
        for k in self._order:
            total, count = self._values[k]
            parts.append(f" - {k}: {_format_value(total / max(count, 1))}")
        return "".join(parts)

    def _bar(self, current: int) -> str:
        if self.target is None:
            return f"{current}/Unknown"
        digits = len(str(self.target))
        text = f"{current:{digits}d}/{self.target} ["
        done = int(self.width * current / self.target) if self.target else self.width
        if done > 0:
            text += "=" * (done - 1) + (">" if current < self.target else "=")
        text += "." * (self.width - done) + "]"
        return text

    def update(self, current: int, values: Any = None, finalize: bool | None = None) -> None:
        """Records progress; ``values`` is a list of (name, value) pairs."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or []:
            v = float(v)
            if k not in self._values:
                self._order.append(k)
            if k in self.stateful_metrics:
                self._values[k] = [v, 1]
            else:
                steps = max(current - self._seen, 1)
                tot, cnt = self._values.get(k, [0.0, 0])
                self._values[k] = [tot + v * steps, cnt + steps]
        self._seen = current
        now = time.time()
        if self.verbose == 0 or self._finished:
            return
        elapsed = now - self._start
        timing = f"{_format_time(elapsed)} {_per_step(elapsed / max(current, 1))}"
        if self.verbose == 1 and self.interactive:
            if not finalize and now - self._last_update < self.interval:
                return
            self._last_update = now
            line = self._bar(current)
            if finalize or self.target is None:
                line += f" - {timing}"
            else:
                eta = elapsed / max(current, 1) * (self.target - current)
                line += f" - ETA: {_format_time(eta)}"
            line += self._metrics_text()
            pad = max(self._prev_len - len(line), 0)
            self._prev_len = len(line)
            self.stream.write("\r" + line + " " * pad + ("\n" if finalize else ""))
            self.stream.flush()
        elif finalize:
            if self.verbose == 1:  # not a terminal: the finished bar, once
                line = f"{self._bar(current)} - {timing}{self._metrics_text()}"
            else:  # verbose=2, as tf.keras: "steps - total time - time per step - metrics"
                target = self.target if self.target is not None else current
                line = f"{current}/{target} - {_format_time(elapsed)} - {_per_step(elapsed / max(current, 1))}"
                line += self._metrics_text()
            self.stream.write(line + "\n")
            self.stream.flush()
        if finalize:
            self._finished = True

    def add(self, n: int, values: Any = None) -> None:
        self.update(self._seen + n, values)
