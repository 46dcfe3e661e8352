"""``ek.autodiff``: tapes and forward-mode accumulators (mirrors ``tf.autodiff``)."""

from eagerkit._src.autodiff.forward import ForwardAccumulator  # noqa: F401
from eagerkit._src.autodiff.tape import GradientTape  # noqa: F401
