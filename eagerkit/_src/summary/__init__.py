"""Implementation of ``ek.summary`` (``tf.summary``); the public names live in ``eagerkit.summary``."""
