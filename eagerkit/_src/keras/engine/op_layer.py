"""``OpLayer``: a Python operator (``+``, ``*``, ``[]``, ...) applied to KerasTensors, as a graph node.

``x + y`` on KerasTensors creates ``OpLayer("__add__")`` and calls it, so the functional
graph records the operation (``tf.keras`` names these layers ``tf.__operators__.add``).

>>> import eagerkit as ek
>>> x = ek.keras.Input(shape=(2,))
>>> y = x * 2.0 + 1.0
>>> model = ek.keras.Model(x, y)
>>> model(ek.constant([[1.0, 2.0]])).numpy().tolist()
[[3.0, 5.0]]
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.keras.engine import backend_config
from eagerkit._src.keras.engine.layer import Layer


class OpLayer(Layer):
    """Applies one of eagerkit's Tensor operators (named by its dunder, e.g. ``'__add__'``).

    Args:
      operator: the operator's method name on Tensor (``'__add__'``, ``'__getitem__'``, ...).
      name: default ``tf.__operators__.<op>``.
    """

    def __init__(self, operator: str, name: str | None = None, **kwargs: Any) -> None:
        from eagerkit._src.ops import operators

        if operator not in operators.OPERATORS:
            raise ValueError(f"Unknown operator {operator!r}; expected one of {sorted(operators.OPERATORS)}.")
        self.operator = operator
        self._fn = operators.OPERATORS[operator]
        if name is None:
            name = backend_config.unique_name(f"tf.__operators__.{operator.strip('_')}")
        kwargs.setdefault("autocast", False)
        super().__init__(name=name, **kwargs)

    def call(self, x: Any, *args: Any) -> Any:
        return self._fn(x, *args)

    def get_config(self) -> dict[str, Any]:
        return {"operator": self.operator, "name": self.name, "trainable": self.trainable, "dtype": self.dtype}
