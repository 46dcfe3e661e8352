"""Layer 2: the op-definition mechanism (``op.py``) and the op catalogue built on it."""
