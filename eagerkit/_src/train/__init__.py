"""Object-based checkpoints (``ek.train``) on orbax; see ``checkpoint.py``."""
