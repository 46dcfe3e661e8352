"""Private implementation of ``ek.keras.metrics`` (the public module re-exports it)."""
