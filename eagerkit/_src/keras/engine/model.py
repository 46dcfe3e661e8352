"""``Model``: a Layer with model-level tools (``summary``, ``get_layer``, ``layers``).

Two ways to make one, as in tf.keras:

* subclassing: define layers in ``__init__`` and the forward pass in ``call``;
* functional: ``Model(inputs, outputs)`` with KerasTensors (returns a ``Functional``).

Training methods (``compile``/``fit``/``evaluate``/``predict``) are added on top of this
class by the training engine; nothing here depends on them.

>>> import eagerkit as ek
>>> class Linear(ek.keras.Model):
...     def __init__(self):
...         super().__init__()
...         self.W = ek.Variable(5.0, name="weight")
...         self.B = ek.Variable(10.0, name="bias")
...     def call(self, inputs):
...         return inputs * self.W + self.B
>>> model = Linear()
>>> [v.name for v in model.trainable_variables]
['weight:0', 'bias:0']
>>> model(ek.constant([1.0])).numpy().tolist()
[15.0]
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.tensor_shape import TensorShape
from eagerkit._src.keras.engine import shape_inference
from eagerkit._src.keras.engine.keras_tensor import KerasTensor
from eagerkit._src.keras.engine.layer import Layer, _default_build
from eagerkit._src.keras.training.trainer import Trainer

_FUNCTIONAL_VARIANTS: dict[type, type] = {}


def is_functional_init(args: tuple, kwargs: dict) -> bool:
    """True when ``Model(...)`` arguments describe a functional model (inputs and outputs)."""
    if "inputs" in kwargs and "outputs" in kwargs:
        return True
    if len(args) == 2:
        return True
    return len(args) == 1 and "outputs" in kwargs


def _functional_variant(cls: type) -> type:
    """``cls`` mixed with Functional, for subclasses calling ``super().__init__(inputs, outputs)``."""
    from eagerkit._src.keras.engine.functional import Functional

    variant = _FUNCTIONAL_VARIANTS.get(cls)
    if variant is None:
        variant = type(cls.__name__, (cls, Functional), {"__module__": cls.__module__})
        _FUNCTIONAL_VARIANTS[cls] = variant
    return variant


class Model(Trainer, Layer):
    """A model: a Layer with ``summary``, ``get_layer``, ``layers`` and the training API
    (``compile``/``fit``/``evaluate``/``predict``/``save``) (``tf.keras.Model``).

    ``Model(inputs, outputs, name=None)`` builds a functional model; subclasses define
    ``call`` (and usually ``__init__``).

    Args:
      inputs / outputs: KerasTensors (or nested structures of them) for a functional model.
      name: the model name (default: snake_case class name, ``functional`` for graphs).
      trainable: whether the model's weights are trained.

    >>> import eagerkit as ek
    >>> inputs = ek.keras.Input(shape=(3,))
    >>> outputs = ek.keras.layers.Dense(1)(ek.keras.layers.Dense(4, activation="relu")(inputs))
    >>> model = ek.keras.Model(inputs, outputs)
    >>> model.count_params()
    21
    >>> class TwoLayer(ek.keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = ek.keras.layers.Dense(4, activation="relu")
    ...         self.out = ek.keras.layers.Dense(1)
    ...     def call(self, x):
    ...         return self.out(self.hidden(x))
    >>> sub = TwoLayer()
    >>> sub(ek.ones([2, 3])).shape
    TensorShape([2, 1])
    >>> len(sub.trainable_variables)
    4
    >>> sub.compile(optimizer="sgd", loss="mse")
    >>> history = sub.fit(ek.ones([8, 3]), ek.zeros([8, 1]), batch_size=4, epochs=2, verbose=0)
    >>> len(history.history["loss"])
    2
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and is_functional_init(args, kwargs):
            from eagerkit._src.keras.engine.functional import Functional

            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from eagerkit._src.keras.engine.functional import Functional

        if is_functional_init(args, kwargs) and not isinstance(self, Functional):
            self.__class__ = _functional_variant(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
        if args:
            raise TypeError(
                f"{type(self).__name__}.__init__() got unexpected positional arguments {args}. A functional "
                "model takes `Model(inputs, outputs)`; a subclassed model calls `super().__init__()`."
            )
        super().__init__(**kwargs)

    # -- building -----------------------------------------------------------------------------
    @_default_build
    def build(self, input_shape: Any) -> None:
        """Creates the weights of a subclassed model by running ``call`` on placeholders of
        ``input_shape`` (no computation happens); afterwards ``summary`` and ``count_params`` work.

        >>> import eagerkit as ek
        >>> class M(ek.keras.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.d = ek.keras.layers.Dense(2)
        ...     def call(self, x):
        ...         return self.d(x)
        >>> m = M()
        >>> m.build((None, 3))
        >>> m.count_params()
        8
        """
        if input_shape is None:
            raise ValueError(f"Model {self.name!r}: build() needs an input shape, e.g. model.build((None, 784)).")

        def is_shape(s: Any) -> bool:
            return isinstance(s, TensorShape) or (
                isinstance(s, (list, tuple)) and all(d is None or isinstance(d, int) for d in s)
            )

        def to_kt(s: Any) -> KerasTensor:
            return KerasTensor(TensorShape(s), self._dtype)

        if is_shape(input_shape):
            placeholders: Any = to_kt(input_shape)
            shapes: Any = TensorShape(input_shape)
        elif isinstance(input_shape, dict):
            placeholders = {k: to_kt(v) for k, v in input_shape.items()}
            shapes = {k: TensorShape(v) for k, v in input_shape.items()}
        else:
            placeholders = [to_kt(s) for s in input_shape]
            shapes = [TensorShape(s) for s in input_shape]
        self.built = True
        self._build_input_shape = shapes
        shape_inference.output_spec(self.__call__, (placeholders,), {})

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        """The forward pass; subclasses must override it.

        >>> import eagerkit as ek
        >>> class Residual(ek.keras.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.dense = ek.keras.layers.Dense(3)
        ...     def call(self, inputs, training=False):
        ...         return inputs + self.dense(inputs)
        >>> Residual()(ek.ones([2, 3])).shape
        TensorShape([2, 3])
        """
        raise NotImplementedError(
            f"Model {type(self).__name__} has no call() method. Subclasses of ek.keras.Model must define "
            "`call(self, inputs, training=None)`, or build the model functionally with Model(inputs, outputs)."
        )

    # -- inspection ----------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The model's direct sublayers, in the order they were assigned."""
        return self._flatten_layers(include_self=False, recursive=False)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by ``name`` or by ``index`` into :attr:`layers`.

        >>> import eagerkit as ek
        >>> model = ek.keras.Sequential([ek.keras.layers.Dense(2, name="out")])
        >>> model.get_layer("out").name, model.get_layer(index=0).name
        ('out', 'out')
        """
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name!r}.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model {self.name!r} only has "
                    f"{len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def summary(
        self,
        line_length: int | None = None,
        positions: list[float] | None = None,
        print_fn: Any = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Prints a table of the layers (name and type, output shape, parameter count) and totals.

        Args:
          line_length: total width (default ``min(88, terminal width - 4)``, like Keras).
          positions: relative column boundaries.
          print_fn: called once with the whole summary text (default: printed to stdout).
          expand_nested: also list the layers of nested models.
          show_trainable: add a column saying whether each layer is trainable.
          layer_range: ``(first_name, last_name)`` regexes limiting the rows.

        >>> import eagerkit as ek
        >>> model = ek.keras.Sequential([ek.keras.Input(shape=(3,)), ek.keras.layers.Dense(2, name="out")], name="tiny")
        >>> model.summary(line_length=60)
        Model: "tiny"
        ┏━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓
        ┃ Layer (type)             ┃ Output Shape      ┃   Param # ┃
        ┡━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩
        │ out (Dense)              │ (None, 2)         │         8 │
        └──────────────────────────┴───────────────────┴───────────┘
         Total params: 8 (32.00 B)
         Trainable params: 8 (32.00 B)
         Non-trainable params: 0 (0.00 B)
        """
        from eagerkit._src.keras.engine import summary

        summary.print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Model:
        """Rebuilds a model from ``get_config()`` (functional configs give a functional model).

        >>> import eagerkit as ek
        >>> inputs = ek.keras.Input(shape=(3,))
        >>> model = ek.keras.Model(inputs, ek.keras.layers.Dense(2)(inputs))
        >>> copy = ek.keras.Model.from_config(model.get_config())
        >>> copy.count_params() == model.count_params()
        True
        """
        if "layers" in config and "input_layers" in config:
            from eagerkit._src.keras.engine.functional import Functional

            target = cls if issubclass(cls, Functional) else Functional
            return target.from_config(config, custom_objects=custom_objects)
        return super().from_config(config)
