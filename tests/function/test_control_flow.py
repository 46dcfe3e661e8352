"""ek.cond / ek.while_loop / ek.case / ek.switch_case: eager, compiled, differentiable."""

import numpy as np
import pytest

import eagerkit as ek


def test_cond_eager_runs_only_taken_branch():
    ran = []

    def t():
        ran.append("t")
        return ek.constant(1)

    def f():
        ran.append("f")
        return ek.constant(2)

    assert int(ek.cond(ek.constant(False), t, f)) == 2
    assert ran == ["f"]


def test_cond_compiled_both_values():
    @ek.function
    def f(x):
        return ek.cond(x > 0, lambda: x * 2, lambda: -x)

    assert float(f(ek.constant(3.0))) == 6.0
    assert float(f(ek.constant(-3.0))) == 3.0
    assert f.experimental_get_tracing_count() == 1


def test_cond_branch_structure_mismatch():
    @ek.function
    def f(x):
        return ek.cond(x > 0, lambda: (x, x), lambda: x)

    with pytest.raises(ValueError, match="same structure"):
        f(ek.constant(1.0))


def test_collatz_while_with_variable_updates():
    steps_var = ek.Variable(0)

    @ek.function
    def collatz(n):
        def body(n, s):
            n = ek.cond(n % 2 == 0, lambda: n // 2, lambda: 3 * n + 1)
            steps_var.assign_add(1)
            return n, s + 1

        return ek.while_loop(lambda n, s: n != 1, body, [n, ek.constant(0)])[1]

    assert int(collatz(ek.constant(27))) == 111
    assert int(steps_var.numpy()) == 111


def test_while_loop_eager_matches_compiled():
    def run(n):
        return ek.while_loop(
            lambda i, acc: i < n, lambda i, acc: (i + 1, acc + i * i), [ek.constant(0), ek.constant(0)]
        )

    eager = run(ek.constant(6))
    compiled = ek.function(run)(ek.constant(6))
    assert [int(t) for t in eager] == [int(t) for t in compiled] == [6, 55]


def test_gradient_through_compiled_cond_and_bounded_while():
    x = ek.Variable(2.0)

    @ek.function
    def f(a):
        with ek.GradientTape() as t:
            y = ek.cond(a > 0, lambda: x * x * a, lambda: x)
        return t.gradient(y, x)

    assert float(f(ek.constant(3.0))) == 12.0
    assert float(f(ek.constant(-1.0))) == 1.0

    @ek.function
    def g(a):
        with ek.GradientTape() as t:
            t.watch(a)
            y = ek.while_loop(
                lambda i, s: i < 3,
                lambda i, s: (i + 1, s * a),
                [ek.constant(0), ek.constant(1.0)],
                maximum_iterations=5,
            )[1]
        return y, t.gradient(y, a)

    y, dy = g(ek.constant(2.0))
    assert float(y) == 8.0 and float(dy) == 12.0


def test_eager_tape_through_cond_and_while():
    x = ek.constant(3.0)
    with ek.GradientTape() as t:
        t.watch(x)
        y = ek.cond(x > 0, lambda: x * x, lambda: x)
        z = ek.while_loop(lambda i, s: i < 2, lambda i, s: (i + 1, s * x), [0, y])[1]
    assert float(z) == 81.0
    assert float(t.gradient(z, x)) == pytest.approx(108.0)  # d(x^4)/dx


def test_switch_case_and_case():
    fns = [lambda: ek.constant(10), lambda: ek.constant(20)]
    assert int(ek.switch_case(ek.constant(1), fns)) == 20
    assert int(ek.switch_case(ek.constant(5), fns, default=lambda: ek.constant(-1))) == -1

    @ek.function
    def pick(i):
        return ek.switch_case(i, fns, default=lambda: ek.constant(-1))

    assert [int(pick(ek.constant(i))) for i in (0, 1, 7)] == [10, 20, -1]

    @ek.function
    def classify(x):
        return ek.case(
            [(x < 0, lambda: ek.constant(-1)), (x > 0, lambda: ek.constant(1))], default=lambda: ek.constant(0)
        )

    assert [int(classify(ek.constant(v))) for v in (-2.0, 0.0, 5.0)] == [-1, 0, 1]
    assert int(ek.case([(ek.constant(False), lambda: ek.constant(1))], default=lambda: ek.constant(2))) == 2


def test_while_loop_shape_change_error():
    @ek.function
    def f(x):
        return ek.while_loop(lambda v: ek.reduce_sum(v) < 10.0, lambda v: (ek.concat([v, v], 0),), [x])

    with pytest.raises(ValueError, match="keep their shape"):
        f(ek.constant([1.0]))


def test_loop_body_traced_once_when_pure():
    calls = []

    @ek.function
    def f(n):
        def body(i):
            calls.append(1)
            return (i + 1,)

        return ek.while_loop(lambda i: i < n, body, [ek.constant(0)])

    assert int(f(ek.constant(7))[0]) == 7
    assert len(calls) == 1
    np.testing.assert_equal(int(f(ek.constant(3))[0]), 3)


def test_gradient_through_loop_that_writes_a_variable():
    v = ek.Variable(0.0)

    @ek.function
    def h(x, n):
        with ek.GradientTape() as tape:
            tape.watch(x)

            def body(i, s):
                v.assign_add(1.0)
                return i + 1, s + x * x

            s = ek.while_loop(lambda i, s: i < n, body, [ek.constant(0), ek.constant(0.0)], maximum_iterations=5)[1]
        return s, tape.gradient(s, x)

    s, g = h(ek.constant(2.0), ek.constant(3))
    assert float(s) == 12.0 and float(g) == 12.0  # d(3 x^2)/dx at 2, as TF 2.21 gives
    assert float(v.numpy()) == 3.0
