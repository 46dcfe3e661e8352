"""Errors: unsupported constructs, staging errors, and locations in the user's own code."""

import inspect
import traceback

import pytest

import eagerkit as ek
from eagerkit._src.autograph.errors import StagingError, UnsupportedConstructError

counter = 0


def _line_of(fn, text):
    """Absolute line number of the first line of ``fn`` containing ``text``."""
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


def test_generator_is_refused():
    def gen(n):
        for i in range(n):
            yield i + 1

    with pytest.raises(UnsupportedConstructError, match=r"`yield` is not supported"):
        ek.function(gen)(ek.constant(3))


def test_walrus_is_refused_with_its_line():
    def f(x):
        if (y := x + 1) > 0:
            x = y
        return x

    with pytest.raises(UnsupportedConstructError, match=rf"test_errors.py:{_line_of(f, ':=')}"):
        ek.function(f)(ek.constant(1))


def test_global_modified_in_tensor_loop():
    def f(n):
        global counter
        i = 0
        while i < n:
            counter = counter + 1
            i += 1
        return i

    with pytest.raises(StagingError, match="'counter' is declared global/nonlocal"):
        ek.function(f)(ek.constant(3))

    def python_loop(x):
        global counter
        for _ in range(2):
            counter = counter + 1
        return x

    before = counter
    ek.function(python_loop)(ek.constant(1))  # Python control flow may still update globals
    assert counter == before + 2


def test_try_around_tensor_dependent_if():
    def f(x):
        try:
            if x > 0:
                x = x + 1
        except ValueError:
            x = x - 1
        return x

    with pytest.raises(StagingError, match="inside a `try` block"):
        ek.function(f)(ek.constant(1))


def test_attribute_assignment_in_tensor_branch():
    class Holder:
        value = 0

    h = Holder()

    def f(x):
        if x > 0:
            h.value = x
        return x

    with pytest.raises(StagingError, match=r"`h\.value = \.\.\.`"):
        ek.function(f)(ek.constant(1))


def test_loop_shape_change():
    def f(x, n):
        i = 0
        while i < n:
            x = ek.concat([x, x], 0)
            i += 1
        return x

    with pytest.raises(StagingError, match=r"'x' has shape \(1,\) before the loop, but shape \(2,\) after one"):
        ek.function(f)(ek.constant([1.0]), ek.constant(2))


def test_variable_used_after_zero_iteration_loop():
    def last_value(n):
        i = 0
        while i < n:
            last = i * 2
            i += 1
        return last

    with pytest.raises(UnboundLocalError):
        last_value(ek.constant(0))
    compiled = ek.function(last_value)
    assert int(compiled(ek.constant(3))) == 4
    with pytest.raises(Exception, match="must iterate at least once to initialize .last."):
        compiled(ek.constant(0))


def test_error_inside_branch_points_at_the_user_line():
    def f(x):
        if ek.reduce_sum(x) > 0:
            y = ek.matmul(x, x)  # shape error: (3,) is not a matrix
        else:
            y = x
        return y

    with pytest.raises(Exception) as info:
        ek.function(f)(ek.constant([1.0, 2.0, 3.0]))
    frames = traceback.extract_tb(info.value.__traceback__)
    ours = [fr for fr in frames if fr.filename == __file__]
    assert ours[-1].lineno == _line_of(f, "ek.matmul(x, x)")
    assert "ek.matmul(x, x)" in ours[-1].line


def test_staging_error_names_the_user_line():
    def f(x):
        z = 0
        if x > 0:
            y = 1
            z = y
        return y + z

    with pytest.raises(StagingError) as info:
        ek.function(f)(ek.constant(1))
    assert f"test_errors.py:{_line_of(f, 'if x > 0')}" in str(info.value)
    frames = [fr for fr in traceback.extract_tb(info.value.__traceback__) if fr.filename == __file__]
    assert frames[-1].lineno == _line_of(f, "if x > 0")


def test_error_in_loop_body_points_at_the_user_line():
    def f(n):
        i = 0
        while i < n:
            i = i + undefined_helper(i)  # noqa: F821
        return i

    with pytest.raises(NameError) as info:
        ek.function(f)(ek.constant(2))
    frames = [fr for fr in traceback.extract_tb(info.value.__traceback__) if fr.filename == __file__]
    assert frames[-1].lineno == _line_of(f, "undefined_helper(i)")
