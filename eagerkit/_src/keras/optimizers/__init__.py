"""Private implementation of ``ek.keras.optimizers`` (the public package re-exports it)."""
