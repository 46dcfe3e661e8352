"""Small optax ``GradientTransformation``s for the places where Keras' formulas differ from
optax's built-ins. Everything else the optimizers use is optax itself.

* :func:`scale_by_keras_adam` - Adam/AdamW with Keras' "epsilon hat": the update is
  ``m * sqrt(1 - b2^t) / (1 - b1^t) / (sqrt(v) + eps)``, i.e. optax's
  ``m_hat / (sqrt(v_hat) + eps_t)`` with ``eps_t = eps / sqrt(1 - b2^t)``; with
  ``amsgrad`` the running maximum is taken of the *raw* second moment ``v`` (optax's
  ``scale_by_amsgrad`` takes it of the bias-corrected one).
* :func:`scale_by_keras_adamax` - ``m / ((1 - b1^t) * (u + eps))`` with
  ``u = max(b2 * u, |g|)`` (optax adds ``eps`` inside the max).
* :func:`scale_by_keras_nadam` - Keras' Nadam (Dozat 2016 with the 0.96 momentum
  schedule and the running product ``u_product``); optax's ``nadam`` is a different
  simplification.
* :func:`clip_by_norm` - Keras' per-tensor ``clipnorm``: ``g * c / max(||g||, c)``.

Each takes ``step`` - the 1-based update number (``optimizer.iterations + 1``, possibly
traced) - so bias corrections follow ``optimizer.iterations`` exactly as in Keras, and
uses optax's moment helpers. States are NamedTuples of per-parameter trees (plus scalars).

>>> import jax.numpy as jnp
>>> tx = scale_by_keras_adam(step=jnp.asarray(1))
>>> updates, _ = tx.update([jnp.asarray([2.0])], tx.init([jnp.asarray([0.0])]))
>>> updates[0].round(4).tolist()  # first Adam step: g / (|g| + eps) ~ 1
[1.0]
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax
import optax.tree_utils as otu


def _power(base: float, step: Any, like: Any) -> Any:
    """``base ** step`` in the dtype of ``like`` (no float64 promotion under x64)."""
    return jnp.power(jnp.asarray(base, like.dtype), jnp.asarray(step).astype(like.dtype))


class KerasAdamState(NamedTuple):
    """First and second moments (Keras' ``momentum`` and ``velocity`` slots)."""

    momentum: Any
    velocity: Any


class KerasAMSGradState(NamedTuple):
    """Adam moments plus the running maximum of the second moment (``velocity_hat``)."""

    momentum: Any
    velocity: Any
    velocity_hat: Any


def scale_by_keras_adam(
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, step: Any = 1
) -> optax.GradientTransformation:
    """Keras' Adam direction (multiply by ``-learning_rate`` afterwards)."""

    def init_fn(params: Any) -> Any:
        zeros = otu.tree_zeros_like(params)
        if amsgrad:
            return KerasAMSGradState(zeros, otu.tree_zeros_like(params), otu.tree_zeros_like(params))
        return KerasAdamState(zeros, otu.tree_zeros_like(params))

    def update_fn(updates: Any, state: Any, params: Any = None) -> tuple[Any, Any]:
        m = otu.tree_update_moment(updates, state.momentum, beta_1, 1)
        v = otu.tree_update_moment_per_elem_norm(updates, state.velocity, beta_2, 2)
        v_used = v
        if amsgrad:
            v_used = jax.tree.map(jnp.maximum, state.velocity_hat, v)

        def direction(m_: Any, v_: Any) -> Any:
            alpha = jnp.sqrt(1 - _power(beta_2, step, m_)) / (1 - _power(beta_1, step, m_))
            return m_ * alpha / (jnp.sqrt(v_) + jnp.asarray(epsilon, m_.dtype))

        out = jax.tree.map(direction, m, v_used)
        new_state = KerasAMSGradState(m, v, v_used) if amsgrad else KerasAdamState(m, v)
        return out, new_state

    return optax.GradientTransformation(init_fn, update_fn)


class KerasAdamaxState(NamedTuple):
    """First moment and exponentially weighted infinity norm (Keras' ``momentum``/``norm``)."""

    momentum: Any
    norm: Any


def scale_by_keras_adamax(
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7, step: Any = 1
) -> optax.GradientTransformation:
    """Keras' Adamax direction (multiply by ``-learning_rate`` afterwards)."""

    def init_fn(params: Any) -> Any:
        return KerasAdamaxState(otu.tree_zeros_like(params), otu.tree_zeros_like(params))

    def update_fn(updates: Any, state: Any, params: Any = None) -> tuple[Any, Any]:
        m = otu.tree_update_moment(updates, state.momentum, beta_1, 1)
        u = jax.tree.map(lambda g, n: jnp.maximum(beta_2 * n, jnp.abs(g)), updates, state.norm)
        out = jax.tree.map(
            lambda m_, u_: m_ / ((1 - _power(beta_1, step, m_)) * (u_ + jnp.asarray(epsilon, u_.dtype))), m, u
        )
        return out, KerasAdamaxState(m, u)

    return optax.GradientTransformation(init_fn, update_fn)


class KerasNadamState(NamedTuple):
    """Nadam moments plus the running product of momentum-schedule terms (a float32 scalar)."""

    momentum: Any
    velocity: Any
    u_product: Any


def scale_by_keras_nadam(
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7, step: Any = 1
) -> optax.GradientTransformation:
    """Keras' Nadam direction (multiply by ``-learning_rate`` afterwards)."""

    def init_fn(params: Any) -> Any:
        return KerasNadamState(otu.tree_zeros_like(params), otu.tree_zeros_like(params), jnp.ones((), jnp.float32))

    def update_fn(updates: Any, state: Any, params: Any = None) -> tuple[Any, Any]:
        t = jnp.asarray(step).astype(jnp.float32)
        u_t = beta_1 * (1.0 - 0.5 * jnp.power(jnp.float32(0.96), t))
        u_t_1 = beta_1 * (1.0 - 0.5 * jnp.power(jnp.float32(0.96), t + 1))
        u_product = state.u_product * u_t
        u_product_1 = u_product * u_t_1
        m = otu.tree_update_moment(updates, state.momentum, beta_1, 1)
        v = otu.tree_update_moment_per_elem_norm(updates, state.velocity, beta_2, 2)

        def direction(g: Any, m_: Any, v_: Any) -> Any:
            dt = m_.dtype
            m_hat = (u_t_1.astype(dt) * m_) / (1 - u_product_1.astype(dt)) + ((1 - u_t.astype(dt)) * g) / (
                1 - u_product.astype(dt)
            )
            v_hat = v_ / (1 - _power(beta_2, step, v_))
            return m_hat / (jnp.sqrt(v_hat) + jnp.asarray(epsilon, dt))

        out = jax.tree.map(direction, updates, m, v)
        return out, KerasNadamState(m, v, u_product)

    return optax.GradientTransformation(init_fn, update_fn)


def clip_by_norm(clipnorm: float) -> optax.GradientTransformation:
    """Keras' per-tensor ``clipnorm``: each gradient is scaled to L2 norm at most ``clipnorm``."""

    def clip(g: Any) -> Any:
        l2sum = jnp.sum(jnp.square(g))
        positive = l2sum > 0
        l2norm = jnp.where(positive, jnp.sqrt(jnp.where(positive, l2sum, 1)), l2sum)
        c = jnp.asarray(clipnorm, g.dtype)
        return g * c / jnp.maximum(l2norm, c)

    return optax.stateless(lambda updates, params=None: jax.tree.map(clip, updates))
