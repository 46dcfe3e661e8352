"""Layer 4: ``ek.function`` on ``jax.jit`` and graph control flow on ``jax.lax``."""
