"""Implementation of ``ek.data`` (``tf.data``); the public names live in ``eagerkit.data``."""
