"""Layer 1: dtypes, shapes, Tensor, Variable, errors, devices and the execution context."""
