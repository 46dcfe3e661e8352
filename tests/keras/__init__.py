"""Tests of ``ek.keras``."""
