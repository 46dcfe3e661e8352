"""``Model.summary()``: the table TF 2.21's Keras prints (box drawing, wrapped cells, totals).

The layout reproduces Keras 3's rich table in plain text: column widths come from
``positions`` times ``line_length`` and are shrunk to fit the borders the way rich
does it; cells wrap at spaces. Sequential-like models get three columns (layer,
output shape, parameter count); graphs with branches add "Connected to".

>>> import eagerkit as ek
>>> model = ek.keras.Sequential([ek.keras.Input(shape=(3,)), ek.keras.layers.Dense(2, name="d")])
>>> lines = []
>>> model.summary(line_length=60, print_fn=lines.append)
>>> print(lines[0].splitlines()[4])
│ d (Dense)                │ (None, 2)         │         8 │
"""

from __future__ import annotations

import math
import re
import shutil
import sys
from collections.abc import Callable
from typing import Any

from eagerkit._src.util import nest


def count_params(weights: list[Any]) -> int:
    return int(sum(math.prod(v.shape.as_list()) for v in weights))


def weight_memory_size(weights: list[Any]) -> float:
    unique = {id(w): w for w in weights}.values()
    return float(sum(math.prod(w.shape.as_list()) * w.dtype.size for w in unique))


def readable_memory_size(size: float) -> str:
    """``1234`` -> ``'1.21 KB'`` (Keras' units, powers of 1024)."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {units[-1]}"


def _format_shape(shape: Any) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _format_output_shapes(struct: Any) -> str:
    """Formats a structure of TensorShapes the way Keras' summary does."""
    flat = nest.flatten(struct)
    if len(flat) == 1:
        return _format_shape(flat[0])
    return str(nest.map_structure(_format_shape, struct)).replace("'", "")


def _output_shape_text(layer: Any, model: Any) -> str:
    nodes = [n for n in layer._inbound_nodes if _node_in(model, n)] or layer._inbound_nodes
    if nodes:
        return _format_output_shapes(nest.map_structure(lambda t: t.shape, nodes[-1].outputs))
    if not layer.built or layer._build_input_shape is None:
        return "?"
    try:
        shapes = layer.compute_output_shape(layer._build_input_shape)
    except Exception:  # noqa: BLE001 - a layer whose call cannot run abstractly shows "?", as in Keras
        return "?"
    return _format_output_shapes(shapes)


def _node_in(model: Any, node: Any) -> bool:
    check = getattr(model, "_node_in_model", None)
    return check(node) if check is not None else False


def _column_widths(line_length: int, positions: list[float]) -> list[int]:
    """Cell widths (padding included) after rich's shrinking to fit the borders."""
    widths = []
    current = 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    widths = [w + 2 for w in widths]
    max_width = line_length - (len(widths) + 1)
    excess = sum(widths) - max_width
    if excess > 0:
        total_ratio = len(widths)
        remaining = excess
        reduced = []
        for w in widths:
            cut = min(w, round(remaining / total_ratio))
            reduced.append(w - cut)
            remaining -= cut
            total_ratio -= 1
        widths = reduced
    return widths


def _wrap(text: str, width: int) -> list[str]:
    """Word wrap as rich does it: greedy by words, overlong words cut with an ellipsis."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in re.findall(r"\s*\S+\s*", paragraph) or [""]:
            if len(line) + len(word.rstrip()) <= width:
                line += word
            else:
                if line:
                    lines.append(line)
                line = word
        lines.append(line)
    out = []
    for line in lines:
        line = line.rstrip()
        out.append(line if len(line) <= width else line[: width - 1] + "…")
    return out


def _justify(text: str, width: int, how: str) -> str:
    excess = width - len(text)
    if how == "right":
        return " " * excess + text
    if how == "center":
        return " " * (excess // 2) + text + " " * (excess - excess // 2)
    return text + " " * excess


def _render_table(header: list[str], rows: list[list[str]], widths: list[int], align: list[str]) -> list[str]:
    inner = [w - 2 for w in widths]

    def border(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * w for w in widths) + right

    def cells(values: list[str], sep: str) -> list[str]:
        wrapped = [_wrap(v, w) for v, w in zip(values, inner)]
        height = max(len(c) for c in wrapped)
        out = []
        for i in range(height):
            parts = []
            for c, w, how in zip(wrapped, inner, align):
                text = c[i] if i < len(c) else ""
                parts.append(" " + _justify(text, w, how) + " ")
            out.append(sep + sep.join(parts) + sep)
        return out

    lines = [border("┏", "━", "┳", "┓")]
    lines += cells(header, "┃")
    if rows:
        lines.append(border("┡", "━", "╇", "┩"))
        for i, row in enumerate(rows):
            if i:
                lines.append(border("├", "─", "┼", "┤"))
            lines += cells(row, "│")
    lines.append(border("└", "─", "┴", "┘"))
    return lines


def _layer_range(layers: list[Any], layer_range: Any) -> tuple[int, int]:
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2 or not all(isinstance(s, str) for s in layer_range):
        raise ValueError(f"layer_range must be a list or tuple of 2 strings. Received: layer_range={layer_range!r}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(f"Passed layer_names do not match the layer names in the model. Received: {layer_range}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def _is_sequential_like(model: Any) -> bool:
    nodes_by_depth = getattr(model, "_nodes_by_depth", None)
    if nodes_by_depth is None:
        return True
    nodes = []
    for depth_nodes in nodes_by_depth.values():
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1 and len(depth_nodes[0].input_tensors) > 1):
            return False
        nodes += depth_nodes
    ids = {id(n) for n in nodes}
    for layer in model.layers:
        if sum(1 for n in layer._inbound_nodes if id(n) in ids) > 1:
            return False
    return True


def summary_text(
    model: Any,
    line_length: int | None = None,
    positions: list[float] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    layer_range: Any = None,
) -> str:
    """The summary table of ``model`` as one string (ending with a newline)."""
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        default_line_length = 88
        positions = positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        align = ["left", "left", "right"]
    else:
        default_line_length = 108
        positions = positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        align = ["left", "left", "right", "left"]
    if show_trainable:
        default_line_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        align.append("center")
    default_line_length = min(default_line_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_line_length
    widths = _column_widths(line_length, positions)

    def connections(layer: Any) -> str:
        parts = []
        for node in layer._inbound_nodes:
            if not _node_in(model, node):
                continue
            for kt in node.input_tensors:
                h = kt._keras_history
                parts.append(f"{h.layer.name}[{h.node_index}][{h.tensor_index}]")
        return ", ".join(parts) if parts else "-"

    def fields(layer: Any, prefix: str, owner: Any) -> list[str]:
        name = f"{prefix}{layer.name} ({type(layer).__name__})"
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        row = [name, _output_shape_text(layer, owner), params]
        if not sequential_like:
            row.append(connections(layer))
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        return row

    def layer_rows(layer: Any, level: int, owner: Any) -> list[list[str]]:
        prefix = "   " * level + "└ " if level else ""
        rows = [fields(layer, prefix, owner)]
        if expand_nested and hasattr(layer, "layers") and layer.layers:
            for sub in layer.layers:
                rows += layer_rows(sub, level + 1, layer)
        return rows

    layers = _summary_layers(model)
    lo, hi = _layer_range(layers, layer_range)
    rows: list[list[str]] = []
    for layer in layers[lo:hi]:
        rows += layer_rows(layer, 0, model)

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    t_count, n_count = count_params(trainable), count_params(non_trainable)
    t_mem, n_mem = weight_memory_size(trainable), weight_memory_size(non_trainable)
    opt_vars = _built_optimizer_variables(model)
    o_count, o_mem = count_params(opt_vars), weight_memory_size(opt_vars)
    lines = [f'Model: "{model.name}"']
    lines += _render_table(header, rows, widths, align)
    lines.append(f" Total params: {t_count + n_count + o_count:,} ({readable_memory_size(t_mem + n_mem + o_mem)})")
    lines.append(f" Trainable params: {t_count:,} ({readable_memory_size(t_mem)})")
    lines.append(f" Non-trainable params: {n_count:,} ({readable_memory_size(n_mem)})")
    if opt_vars:
        lines.append(f" Optimizer params: {o_count:,} ({readable_memory_size(o_mem)})")
    return "\n".join(lines) + "\n"


def _built_optimizer_variables(model: Any) -> list[Any]:
    """The optimizer's variables once a compiled model's optimizer has been built (Keras 3 adds them)."""
    if not getattr(model, "_compiled", False):
        return []
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "variables"):
        return []
    built = getattr(optimizer, "built", None)
    if built is None:
        built = bool(getattr(optimizer, "_variable_slots", None))
    return list(optimizer.variables) if built else []


def _summary_layers(model: Any) -> list[Any]:
    return list(model.layers)


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: list[float] | None = None,
    print_fn: Callable[[str], Any] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    layer_range: Any = None,
) -> None:
    """Prints :func:`summary_text` to stdout, or passes it to ``print_fn`` in one call."""
    text = summary_text(model, line_length, positions, expand_nested, show_trainable, layer_range)
    if print_fn is None:
        sys.stdout.write(text)
    else:
        print_fn(text)
