"""Converted ``while`` and ``for`` loops: staged on symbolic tensors, unrolled on Python values.

Every compiled result is compared with the eager result of the same Python function.
"""

import jax
import numpy as np
import pytest

import eagerkit as ek
from eagerkit._src.autograph.errors import StagingError


def same(fn, *args):
    eager = fn(*args)
    compiled = ek.function(fn)(*args)
    return np.asarray(eager), np.asarray(compiled)


def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def test_while_with_tensor_condition_collatz():
    eager, compiled = same(collatz_steps, ek.constant(27))
    assert eager == compiled == 111
    jaxpr = str(ek.function(collatz_steps).get_concrete_function(ek.constant(27)).jaxpr)
    assert "while" in jaxpr and "cond" in jaxpr


def odd_sum_until(n, stop):
    total = 0
    for i in ek.range(n):
        if i % 2 == 0:
            continue
        if i > stop:
            break
        total += i
    return total


def test_for_over_range_with_break_and_continue():
    for n, stop in ((20, 9), (5, 100), (0, 3)):
        eager, compiled = same(odd_sum_until, ek.constant(n), ek.constant(stop))
        assert eager == compiled == sum(i for i in range(n) if i % 2 and i <= stop)


def first_square_above(x, n):
    for i in ek.range(n):
        if i * i > x:
            return i
    return -1


def test_early_return_inside_loop():
    for x in (10, 50, 10_000):
        eager, compiled = same(first_square_above, ek.constant(x), ek.constant(100))
        assert eager == compiled


def fizzbuzz_counts(n):
    fizz = 0
    buzz = 0
    fizzbuzz = 0
    for i in ek.range(1, n + 1):
        if i % 15 == 0:
            fizzbuzz += 1
        elif i % 3 == 0:
            fizz += 1
        elif i % 5 == 0:
            buzz += 1
    return fizz, buzz, fizzbuzz


def test_fizzbuzz_counting_compiled():
    eager, compiled = same(fizzbuzz_counts, ek.constant(15))
    assert eager.tolist() == compiled.tolist() == [4, 2, 1]


def test_variables_updated_in_loops():
    counter = ek.Variable(0)
    acc = ek.Variable(0.0)

    def run(n):
        i = 0
        while i < n:
            counter.assign_add(1)
            acc.assign_add(ek.cast(i, ek.float32))
            i += 1
        return i

    assert int(run(ek.constant(4))) == 4
    eager = (int(counter.numpy()), float(acc.numpy()))
    counter.assign(0)
    acc.assign(0.0)
    assert int(ek.function(run)(ek.constant(4))) == 4
    assert (int(counter.numpy()), float(acc.numpy())) == eager == (4, 6.0)


def test_python_loops_stay_unrolled_python():
    side_effects = []

    @ek.function
    def f(x):
        total = x
        for scale in [1.0, 2.0, 3.0]:
            side_effects.append(scale)
            total = total + scale * x
        k = 0
        while k < 2:  # a Python condition: unrolled as well
            total = total + 1.0
            k += 1
        return total

    assert float(f(ek.constant(1.0))) == 9.0
    assert float(f(ek.constant(2.0))) == 16.0
    assert side_effects == [1.0, 2.0, 3.0]  # the Python loop ran once, while tracing
    assert f.experimental_get_tracing_count() == 1
    assert "while" not in str(f.get_concrete_function(ek.constant(1.0)).jaxpr)


def test_for_over_tensor():
    def total_positive(xs):
        s = 0.0
        for x in xs:
            if x > 0:
                s += x
        return s

    eager, compiled = same(total_positive, ek.constant([1.0, -2.0, 3.5, -0.5]))
    assert eager == compiled == 4.5


def last_value(n):
    i = 0
    while i < n:
        last = i * 2
        i += 1
    return last


def test_variable_first_assigned_in_loop():
    eager, compiled = same(last_value, ek.constant(5))
    assert eager == compiled == 8


def test_print_inside_loop_prints_at_run_time(capsys):
    @ek.function
    def count(n):
        i = 0
        while i < n:
            print("step", i)
            i += 1
        return i

    count(ek.constant(3))
    jax.effects_barrier()
    first = capsys.readouterr().out
    count(ek.constant(2))
    jax.effects_barrier()
    second = capsys.readouterr().out
    assert first.split("\n")[:3] == ["step 0", "step 1", "step 2"]
    assert second.strip().split("\n") == ["step 0", "step 1"]  # printed by the compiled program, no retrace


def test_gradient_through_bounded_while():
    def power(x, n):
        with ek.GradientTape() as tape:
            tape.watch(x)
            y = ek.ones_like(x)
            i = 0
            while i < n:
                ek.autograph.experimental.set_loop_options(maximum_iterations=10)
                y = y * x
                i += 1
        return y, tape.gradient(y, x)

    y_e, g_e = power(ek.constant(2.0), ek.constant(3))
    y_c, g_c = ek.function(power)(ek.constant(2.0), ek.constant(3))
    assert float(y_e) == float(y_c) == 8.0
    assert float(g_e) == float(g_c) == 12.0


def test_gradient_through_for_over_tensor():
    def weighted(w, xs):
        with ek.GradientTape() as tape:
            tape.watch(w)
            s = 0.0
            for x in xs:
                s += w * x * x
        return tape.gradient(s, w)

    xs = ek.constant([1.0, 2.0, 3.0])
    assert float(weighted(ek.constant(0.5), xs)) == float(ek.function(weighted)(ek.constant(0.5), xs)) == 14.0


def test_gradient_through_unbounded_while_says_what_to_change():
    @ek.function
    def f(x, n):
        with ek.GradientTape() as tape:
            tape.watch(x)
            y = x
            while n > 0:
                y = y * x
                n -= 1
        return tape.gradient(y, x)

    with pytest.raises(StagingError, match="maximum_iterations"):
        f(ek.constant(2.0), ek.constant(3))


def test_maximum_iterations_bounds_the_loop():
    @ek.function
    def f(n):
        i = 0
        while i < n:
            ek.autograph.experimental.set_loop_options(maximum_iterations=3)
            i += 1
        return i

    assert int(f(ek.constant(10))) == 3


def test_python_list_append_in_tensor_loop_is_an_error():
    @ek.function
    def f(n):
        values = []
        for i in ek.range(n):
            values.append(i)
        return values

    with pytest.raises(StagingError, match=r"values\.append\(\.\.\.\)"):
        f(ek.constant(3))


def test_list_built_inside_python_loop_is_fine():
    @ek.function
    def f(x):
        parts = []
        for k in range(3):
            parts.append(x * k)
        return ek.stack(parts)

    assert f(ek.constant(2.0)).numpy().tolist() == [0.0, 2.0, 4.0]


def test_loop_variable_dtype_change_is_an_error():
    def f(x, n):
        s = 0
        i = 0
        while i < n:
            s = ek.cast(i, ek.float32) * x
            i += 1
        return s

    with pytest.raises(TypeError, match="'s' has dtype int32 before the loop, but dtype float32 after one iteration"):
        ek.function(f)(ek.constant(1.5), ek.constant(3))


def test_symbolic_break_in_python_loop():
    def f(x):
        total = 0.0
        for step in [1.0, 2.0, 3.0, 4.0]:
            if total > x:
                break
            total += step
        return total

    for v in (0.5, 2.5, 100.0):
        eager, compiled = same(f, ek.constant(v))
        assert eager == compiled


def nested(n):
    count = 0
    i = 0
    while i < n:
        j = 0
        while j < i:
            count += 1
            j += 1
        i += 1
    return count


def test_nested_tensor_loops():
    eager, compiled = same(nested, ek.constant(5))
    assert eager == compiled == 10


def test_while_else():
    def f(n, stop):
        i = 0
        found = -1
        while i < n:
            if i == stop:
                found = i
                break
            i += 1
        else:
            found = 100
        return found

    for stop in (3, 50):
        eager, compiled = same(f, ek.constant(10), ek.constant(stop))
        assert eager == compiled


def fibonacci(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def test_builtin_range_with_tensor_bound_and_tuple_assignment():
    eager, compiled = same(fibonacci, ek.constant(10))
    assert eager == compiled == 55


def python_loop_then_tensor_break(x):
    i = 0
    while i < 5:  # starts as a Python loop; the tensor-dependent break makes the rest a graph loop
        if x < i:
            break
        i += 1
    return i


def test_loop_becomes_staged_when_its_condition_becomes_symbolic():
    for v in (2, 20):
        eager, compiled = same(python_loop_then_tensor_break, ek.constant(v))
        assert eager == compiled == min(v + 1, 5)


def until(n):
    i = 0
    while True:
        i += 1
        if i >= n:
            break
    return i


def test_while_true_with_tensor_break():
    eager, compiled = same(until, ek.constant(7))
    assert eager == compiled == 7


def first_below(x):
    for limit in [1, 2, 3]:
        if x < limit:
            return limit
    return 0


def test_return_inside_python_loop_with_tensor_condition():
    for v in (0, 2, 9):
        eager, compiled = same(first_below, ek.constant(v))
        assert eager == compiled


def test_rows_of_a_matrix():
    def row_sum(m):
        s = ek.zeros([3])
        for r in m:
            s = s + r
        return s

    eager, compiled = same(row_sum, ek.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert eager.tolist() == compiled.tolist() == [5.0, 7.0, 9.0]
