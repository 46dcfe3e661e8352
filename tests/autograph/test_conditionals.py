"""Converted ``if`` statements, conditional expressions and logical operators.

Every compiled result is compared with the eager result of the same Python function.
"""

import numpy as np
import pytest

import eagerkit as ek
from eagerkit._src.autograph.errors import StagingError


def same(fn, *args):
    """Runs ``fn`` eagerly and compiled (converted); returns both results as NumPy values."""
    eager = fn(*args)
    compiled = ek.function(fn)(*args)
    return np.asarray(eager), np.asarray(compiled)


def sign_label(x):
    if x > 0:
        y = x * 2
    else:
        y = -x
    return y


def test_if_else_on_tensor():
    for v in (3.0, -4.0):
        eager, compiled = same(sign_label, ek.constant(v))
        assert eager == compiled == (6.0 if v > 0 else 4.0)
    f = ek.function(sign_label)
    f(ek.constant(1.0))
    f(ek.constant(-1.0))
    assert f.experimental_get_tracing_count() == 1  # one trace serves both branches


def clip_negative(x):
    y = x
    if x < 0:
        y = ek.zeros_like(x)
    return y


def test_if_without_else():
    for v in (-2.5, 2.5):
        eager, compiled = same(clip_negative, ek.constant(v))
        assert eager == compiled == max(v, 0.0)


def quadrant(x, y):
    if x >= 0:
        if y >= 0:
            q = 1
        else:
            q = 4
    else:
        if y >= 0:
            q = 2
        else:
            q = 3
    return q


def test_nested_ifs():
    for x, y, want in ((1.0, 1.0, 1), (-1.0, 1.0, 2), (-1.0, -1.0, 3), (1.0, -1.0, 4)):
        eager, compiled = same(quadrant, ek.constant(x), ek.constant(y))
        assert eager == compiled == want


def grade(score):
    if score >= 90:
        g = 4
    elif score >= 80:
        g = 3
    elif score >= 70:
        g = 2
    else:
        g = 0
    return g


def test_elif_chain():
    for s, want in ((95, 4), (85, 3), (75, 2), (10, 0)):
        eager, compiled = same(grade, ek.constant(s))
        assert eager == compiled == want


def early_return(x):
    if x > 10:
        return x - 10
    y = x * 3
    return y


def test_return_in_one_branch_moves_the_rest_into_the_other():
    for v in (15, 4):
        eager, compiled = same(early_return, ek.constant(v))
        assert eager == compiled == (5 if v > 10 else 12)


def python_condition(x, use_square):
    if use_square:
        out = x * x
    else:
        out = x + 1
    return out


def test_python_predicate_stays_python():
    traced = ek.function(python_condition)
    assert float(traced(ek.constant(3.0), True)) == 9.0
    assert float(traced(ek.constant(3.0), False)) == 4.0
    assert traced.experimental_get_tracing_count() == 2  # a Python bool is part of the cache key
    code = traced.get_concrete_function(ek.constant(3.0), True).jaxpr
    assert "cond" not in str(code)


def logic(x, y):
    both = x > 0 and y > 0
    either = x > 0 or y > 0
    neither = not (x > 0 or y > 0)
    return both, either, neither


def test_and_or_not_on_tensors():
    for x, y in ((1.0, 1.0), (1.0, -1.0), (-1.0, -1.0)):
        eager, compiled = same(logic, ek.constant(x), ek.constant(y))
        assert eager.tolist() == compiled.tolist() == [x > 0 and y > 0, x > 0 or y > 0, not (x > 0 or y > 0)]


def test_and_or_stay_lazy_for_python_values():
    calls = []

    def side(v):
        calls.append(v)
        return v

    @ek.function
    def f(x):
        a = side(0) and side(1)
        b = side(2) or side(3)
        return x + a + b

    assert int(f(ek.constant(1))) == 3
    assert calls == [0, 2]


def pick(x):
    return x * 2 if x > 0 else x - 1


def test_conditional_expression():
    for v in (3, -3):
        eager, compiled = same(pick, ek.constant(v))
        assert eager == compiled


def test_gradient_through_converted_branch():
    w = ek.Variable(3.0)

    def step(x):
        with ek.GradientTape() as tape:
            if x > 0:
                y = w * w * x
            else:
                y = w * x
        return y, tape.gradient(y, w)

    compiled = ek.function(step)
    for v in (2.0, -2.0):
        y_e, g_e = step(ek.constant(v))
        y_c, g_c = compiled(ek.constant(v))
        assert float(y_e) == pytest.approx(float(y_c))
        assert float(g_e) == pytest.approx(float(g_c)) == (2 * 3.0 * v if v > 0 else v)


def test_variable_assigned_in_branch():
    total = ek.Variable(0.0)

    @ek.function
    def add_positive(x):
        if x > 0:
            total.assign_add(x)
        return total.read_value()

    add_positive(ek.constant(2.0))
    add_positive(ek.constant(-5.0))
    add_positive(ek.constant(0.5))
    assert float(total.numpy()) == 2.5


def only_in_one_branch(x):
    if x > 0:
        y = 1
    return y


def test_variable_defined_in_one_branch_only():
    assert int(only_in_one_branch(ek.constant(1))) == 1  # eager Python is fine on this path
    with pytest.raises(StagingError, match="'y' must also be initialized in the else branch"):
        ek.function(only_in_one_branch)(ek.constant(1))


def test_branch_dtype_mismatch():
    def f(x):
        if x > 0:
            y = 1
        else:
            y = 2.0 * x
        return y

    with pytest.raises(TypeError, match="'y' has dtype int32 in the main branch, but dtype float32 in the else"):
        ek.function(f)(ek.constant(5.0))


def test_python_values_equal_in_both_branches_stay_python():
    seen = []

    @ek.function
    def f(x):
        mode = "a"
        if x > 0:
            mode = "a"
            y = x
        else:
            y = -x
        seen.append(mode)
        return y

    assert float(f(ek.constant(-2.0))) == 2.0
    assert seen == ["a"]


def test_return_tensor_on_some_paths_only_is_an_error():
    def f(x):
        if x > 0:
            return x

    with pytest.raises(StagingError, match="can also reach its end without a return"):
        ek.function(f)(ek.constant(1.0))
