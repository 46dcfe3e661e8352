"""Implementation of ``ek.keras.datasets``: finding, downloading, verifying and reading data files."""
