"""Private implementation of ``ek.keras`` (public modules under ``eagerkit/keras`` re-export it)."""
