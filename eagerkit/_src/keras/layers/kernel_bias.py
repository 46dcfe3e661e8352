"""The kernel/bias weight options that Dense, EinsumDense, the convolutions and attention share.

tf.keras spells out ``kernel_initializer``, ``bias_initializer``, ``kernel_regularizer``,
``bias_regularizer``, ``kernel_constraint`` and ``bias_constraint`` on each of these layers'
constructors; :class:`KernelBiasOptions` resolves them, creates the weights with them and
serializes them, once for all of those layers.

>>> import eagerkit as ek
>>> layer = ek.keras.layers.Dense(2, kernel_regularizer="l2", bias_constraint="non_neg")
>>> config = layer.get_config()
>>> config["kernel_regularizer"]["class_name"], config["bias_constraint"]["class_name"]
('L2', 'NonNeg')
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.core.variable import Variable
from eagerkit._src.keras import constraints, initializers, regularizers


class KernelBiasOptions:
    """Mixin for layers with a kernel and a bias (see the module docstring)."""

    def _set_kernel_bias_options(
        self,
        kernel_initializer: Any,
        bias_initializer: Any,
        kernel_regularizer: Any,
        bias_regularizer: Any,
        kernel_constraint: Any,
        bias_constraint: Any,
    ) -> None:
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _kernel_weight(self, name: str, shape: tuple, initializer: Any = None) -> Variable:
        """A kernel weight with the layer's initializer (or ``initializer``), regularizer and constraint."""
        return self.add_weight(  # type: ignore[attr-defined]
            name,
            shape=shape,
            initializer=self.kernel_initializer if initializer is None else initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )

    def _bias_weight(self, shape: tuple) -> Variable:
        """The ``bias`` weight with the layer's bias initializer, regularizer and constraint."""
        return self.add_weight(  # type: ignore[attr-defined]
            "bias",
            shape=shape,
            initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint,
        )

    def _kernel_bias_config(self, activity_regularizer: Any) -> dict[str, Any]:
        """The serialized options, in tf.keras' config order (with the activity regularizer)."""
        return {
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
