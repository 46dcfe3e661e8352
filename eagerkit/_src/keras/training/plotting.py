"""Loss/metric curves with matplotlib (optional extra ``eagerkit[plot]``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def plot_history(history: Any, path: str | None = None, metrics: Iterable[str] | None = None) -> Any:
    """Plots each metric of a ``History`` (or a ``{name: [values]}`` dict) against epochs.

    Returns the matplotlib Figure; writes it to ``path`` when given. Raises ImportError with
    the install command when matplotlib is missing.

    >>> import eagerkit as ek
    >>> fig = ek.keras.utils.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]})
    >>> [ax.get_legend_handles_labels()[1] for ax in fig.axes]
    [['loss', 'val_loss'], ['accuracy']]
    """
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            "Plotting needs matplotlib, an optional extra: pip install 'eagerkit[plot]' (or matplotlib)."
        ) from e
    data = history.history if hasattr(history, "history") else dict(history)
    names = list(metrics) if metrics is not None else [k for k in data if not k.startswith("val_")]
    fig, axes = plt.subplots(1, max(len(names), 1), figsize=(5 * max(len(names), 1), 3.5), squeeze=False)
    for ax, name in zip(axes[0], names):
        ax.plot(data[name], label=name)
        if f"val_{name}" in data:
            ax.plot(data[f"val_{name}"], label=f"val_{name}")
        ax.set_xlabel("Epoch")
        ax.set_ylabel(name)
        ax.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig
