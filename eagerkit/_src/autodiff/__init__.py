"""Layer 3: GradientTape, custom gradients and forward-mode autodiff on jax.vjp / jax.jvp."""
