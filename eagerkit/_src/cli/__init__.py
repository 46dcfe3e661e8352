"""Layer 7: the ``eagerkit`` command."""
