"""Private implementation of ``ek.keras.losses`` (the public module re-exports it)."""
