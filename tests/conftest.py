"""Shared test set-up: every test starts from a fixed global random seed."""

import pytest

import eagerkit as ek


@pytest.fixture(autouse=True)
def _seed():
    ek.random.set_seed(1234)
    yield
