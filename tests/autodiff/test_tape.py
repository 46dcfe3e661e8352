"""GradientTape recording rules, request structure, tape lifetime and bad input.

Expected values are closed forms or what TensorFlow 2.21 returns for the same program.
"""

import logging

import numpy as np
import pytest

import eagerkit as ek


def close(t, expected, rtol=1e-6):
    assert t is not None
    np.testing.assert_allclose(np.asarray(t), np.asarray(expected, dtype=np.float64), rtol=rtol, atol=1e-6)


# -- recording rules ----------------------------------------------------------------------------------
def test_seed_guide_variable_gradient():
    w = ek.Variable([[1.0]])
    with ek.GradientTape() as tape:
        loss = w * w
    grad = tape.gradient(loss, w)
    assert str(grad) == "tf.Tensor([[2.]], shape=(1, 1), dtype=float32)"


def test_trainable_variables_are_watched_when_read():
    v = ek.Variable([1.0, 2.0, 3.0])
    with ek.GradientTape() as tape:
        y = ek.reduce_sum(v * v * v)
    close(tape.gradient(y, v), [3.0, 12.0, 27.0])
    assert tape.watched_variables() == (v,) or list(tape.watched_variables()) == [v]


def test_constants_are_not_watched():
    x = ek.constant(3.0)
    with ek.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None


def test_watch_tensor():
    x = ek.constant(3.0)
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    close(tape.gradient(y, x), 6.0)


def test_watch_a_nest_of_tensors():
    a, b, c = ek.constant(1.0), ek.constant(2.0), ek.constant(3.0)
    with ek.GradientTape() as tape:
        tape.watch({"a": a, "bc": [b, (c,)]})
        y = a * b * c
    ga, gb, gc = tape.gradient(y, [a, b, c])
    close(ga, 6.0)
    close(gb, 3.0)
    close(gc, 2.0)


def test_non_trainable_variable_needs_watch():
    nt = ek.Variable(2.0, trainable=False)
    tv = ek.Variable(3.0)
    with ek.GradientTape() as tape:
        y = nt * tv
    g_nt, g_tv = tape.gradient(y, [nt, tv])
    assert g_nt is None
    close(g_tv, 2.0)
    assert tape.watched_variables() == (tv,)
    with ek.GradientTape() as tape:
        tape.watch(nt)
        y = nt * tv
    g_nt, g_tv = tape.gradient(y, [nt, tv])
    close(g_nt, 3.0)
    close(g_tv, 2.0)


def test_watch_accessed_variables_false():
    nt = ek.Variable(2.0, trainable=False)
    tv = ek.Variable(3.0)
    with ek.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(nt)
        y = nt * tv
    g_nt, g_tv = tape.gradient(y, [nt, tv])
    close(g_nt, 3.0)
    assert g_tv is None
    assert tape.watched_variables() == (nt,)


def test_watched_variables_in_access_order():
    a, b, c = ek.Variable(1.0), ek.Variable(2.0), ek.Variable(3.0)
    with ek.GradientTape() as tape:
        y = c * a
        tape.watch(b)
        y = y + a
    assert tape.watched_variables() == (c, a, b)


def test_watching_an_int_tensor_warns_and_gives_none(caplog):
    i = ek.constant(3)
    with caplog.at_level(logging.WARNING, logger="eagerkit"):
        with ek.GradientTape() as tape:
            tape.watch(i)
            y = i * i
    assert "must be floating" in caplog.text
    assert "int32" in caplog.text
    assert tape.gradient(y, i) is None


def test_int_variable_is_not_differentiable(caplog):
    v = ek.Variable(3)
    with caplog.at_level(logging.WARNING, logger="eagerkit"):
        with ek.GradientTape() as tape:
            tape.watch(v)
            y = v * 2
    assert "must be floating" in caplog.text
    assert tape.gradient(y, v) is None
    zero = tape_zero_for_int(v)
    assert zero.dtype == ek.int32 and zero.numpy() == 0


def tape_zero_for_int(v):
    with ek.GradientTape() as tape:
        y = ek.constant(1.0) * 2.0
    return tape.gradient(y, v, unconnected_gradients=ek.UnconnectedGradients.ZERO)


def test_watch_after_use_only_affects_later_ops():
    a = ek.constant(3.0)
    with ek.GradientTape() as tape:
        b = a * a  # a is not watched yet: b is a constant to the tape
        tape.watch(a)
        c = b * a
    close(tape.gradient(c, a), 9.0)


def test_python_control_flow_records_only_the_executed_branch():
    def f(x):
        if float(x) > 0:
            return x * x
        return x * x * x

    for value, expected in [(3.0, 6.0), (-2.0, 12.0)]:
        x = ek.constant(value)
        with ek.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        close(tape.gradient(y, x), expected)


def test_python_loop():
    x = ek.constant(1.5)
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = ek.constant(1.0)
        for _ in range(4):
            y = y * x
    close(tape.gradient(y, x), 4 * 1.5**3)


def test_seed_line_search_step():
    """The seed guide's backtracking line search (dynamic model with a Python while loop)."""

    def fn(x):
        return ek.reduce_sum(x * x - 2.0 * x)

    def line_search_step(fn, init_x, rate=1.0):
        with ek.GradientTape() as tape:
            tape.watch(init_x)
            value = fn(init_x)
        grad = tape.gradient(value, init_x)
        grad_norm = ek.reduce_sum(grad * grad)
        init_value = value
        while value > init_value - rate * grad_norm:
            x = init_x - rate * grad
            value = fn(x)
            rate /= 2.0
        return x, value

    x, value = line_search_step(fn, ek.constant([3.0, -1.0]))
    # gradient 2x - 2 = [4, -4], |g|^2 = 32; rate 1 -> x = [-1, 3] (value 6, not below 2 - 32);
    # rate 0.5 -> x = [1, 1] (value -2, below 2 - 16)
    close(x, [1.0, 1.0])
    close(value, -2.0)


def test_assign_between_reads_sums_over_reads():
    v = ek.Variable(2.0)
    with ek.GradientTape() as tape:
        a = v * 1.0
        v.assign(3.0)
        b = v * v
        y = a + b
    close(tape.gradient(y, v), 7.0)  # TF: 1 + 2 * 3
    w = ek.Variable(2.0)
    with ek.GradientTape() as tape:
        a = w * w
        w.assign_add(1.0)
        b = w * a
    close(tape.gradient(b, w), 16.0)  # TF: a + w * 2 * w_old = 4 + 3 * 4


def test_ek_function_is_recorded_as_one_op():
    x = ek.constant([1.0, 2.0])

    @ek.function
    def f(a):
        return ek.reduce_sum(ek.sin(a) * a)

    with ek.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    xv = np.array([1.0, 2.0])
    close(tape.gradient(y, x), np.cos(xv) * xv + np.sin(xv), rtol=1e-5)

    v = ek.Variable([1.0, 2.0])

    @ek.function
    def fv(a):
        return ek.reduce_sum(v * a)

    with ek.GradientTape() as tape:
        y = fv(x)
    close(tape.gradient(y, v), [1.0, 2.0])


# -- targets and sources ------------------------------------------------------------------------------
def test_non_scalar_target_is_summed():
    x = ek.constant([1.0, 2.0, 3.0])
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    close(tape.gradient(y, x), [2.0, 4.0, 6.0])


def test_multiple_targets_are_summed():
    x = ek.constant(2.0)
    with ek.GradientTape() as tape:
        tape.watch(x)
        y1 = x * x
        y2 = x * 3.0
    close(tape.gradient([y1, y2], x), 7.0)


def test_nested_targets_and_sources():
    x = ek.constant([1.0, 2.0])
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = {"a": x * 2.0, "b": (x**2, ek.reduce_sum(x))}
    r = tape.gradient(y, {"p": x, "q": [x], "t": (x,)})
    assert set(r) == {"p", "q", "t"} and isinstance(r["q"], list) and isinstance(r["t"], tuple)
    for g in (r["p"], r["q"][0], r["t"][0]):
        close(g, [5.0, 7.0])  # TF: 2 + 2x + 1


def test_source_list_and_tuple_structure():
    a, b = ek.Variable(1.0), ek.Variable(2.0)
    with ek.GradientTape(persistent=True) as tape:
        y = a * b
    ga, gb = tape.gradient(y, (a, b))
    assert isinstance(tape.gradient(y, (a, b)), tuple)
    assert isinstance(tape.gradient(y, [a, b]), list)
    close(ga, 2.0)
    close(gb, 1.0)


def test_gradient_with_respect_to_an_intermediate_tensor():
    x = ek.constant(3.0)
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    close(tape.gradient(z, y), 18.0)
    close(tape.gradient(z, x), 108.0)
    # TF: an intermediate source does not cut the graph for the other sources
    gx, gy = tape.gradient(z, [x, y])
    close(gx, 108.0)
    close(gy, 18.0)
    r = tape.gradient({"a": z, "b": [y]}, {"x": x, "l": [x, y]})
    close(r["x"], 114.0)
    close(r["l"][0], 114.0)
    close(r["l"][1], 19.0)


def test_target_equal_to_source():
    x = ek.constant([1.0, 2.0])
    with ek.GradientTape() as tape:
        tape.watch(x)
    close(tape.gradient(x, x), [1.0, 1.0])
    v = ek.Variable(2.0)
    with ek.GradientTape() as tape:
        y = v * 1.0
    close(tape.gradient(v, v), 1.0)
    del y


def test_same_source_twice():
    v = ek.Variable(3.0)
    with ek.GradientTape() as tape:
        y = v * v
    g1, g2 = tape.gradient(y, [v, v])
    close(g1, 6.0)
    close(g2, 6.0)


def test_integer_target_contributes_nothing():
    x = ek.constant(2.0)
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        n = ek.cast(y, ek.int32)
    close(tape.gradient([y, n], x), 4.0)
    with ek.GradientTape() as tape:
        tape.watch(x)
        n = ek.cast(x * x, ek.int32)
    assert tape.gradient(n, x) is None


# -- output_gradients ---------------------------------------------------------------------------------
def test_output_gradients_weight_each_target():
    x = ek.constant([1.0, 2.0])
    with ek.GradientTape() as tape:
        tape.watch(x)
        y1 = x * 3.0
        y2 = x * x
    g = tape.gradient([y1, y2], x, output_gradients=[ek.constant([1.0, 0.5]), ek.constant([2.0, 0.0])])
    close(g, [7.0, 1.5])  # TF


def test_output_gradients_single_and_none_entries():
    x = ek.constant([3.0, 4.0])
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = x * 2.0
    close(tape.gradient(y, x, output_gradients=ek.constant([1.0, 2.0])), [6.0, 16.0])
    close(tape.gradient(y, x, output_gradients=[1.0, 2.0]), [6.0, 16.0])  # one value for the one target
    close(tape.gradient({"y": y}, x, output_gradients={"y": np.array([1.0, 2.0])}), [6.0, 16.0])
    close(tape.gradient([y, z], x, output_gradients=[None, ek.constant([1.0, 3.0])]), [8.0, 14.0])
    # a value that broadcasts to the target's shape is accepted (TF broadcasts it too)
    close(tape.gradient(y, x, output_gradients=2.0), [12.0, 16.0])


def test_output_gradients_of_the_wrong_shape():
    x = ek.constant([3.0, 4.0])
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"output_gradients\[0\] has shape \[3\].*\[2\]"):
        tape.gradient(y, x, output_gradients=ek.constant([1.0, 2.0, 3.0]))
    with pytest.raises(ek.errors.InvalidArgumentError, match=r"shape \[2, 2\]"):
        tape.gradient(y, x, output_gradients=[ek.constant([1.0, 2.0]), ek.constant([1.0, 2.0])])
    with pytest.raises(ValueError, match="output_gradients has 1 entries but the target has 2"):
        tape.gradient([y, y], x, output_gradients=[ek.constant([1.0, 2.0])])
    with pytest.raises(ValueError, match="structure of the target"):
        tape.gradient({"a": y}, x, output_gradients={"b": ek.constant([1.0, 2.0])})


# -- unconnected gradients ----------------------------------------------------------------------------
def test_unconnected_gradients_none_and_zero():
    x = ek.constant([1.0, 2.0])
    z = ek.constant([[1.0, 2.0, 3.0]])
    v = ek.Variable([5.0, 6.0, 7.0], dtype=ek.float64)
    with ek.GradientTape(persistent=True) as tape:
        tape.watch([x, z])
        y = x * 2.0
    gx, gz, gv = tape.gradient(y, [x, z, v])
    close(gx, [2.0, 2.0])
    assert gz is None and gv is None
    gx, gz, gv = tape.gradient(y, [x, z, v], unconnected_gradients=ek.UnconnectedGradients.ZERO)
    close(gz, np.zeros((1, 3)))
    assert gz.shape == (1, 3) and gz.dtype == ek.float32
    assert gv.shape == (3,) and gv.dtype == ek.float64
    _, gz, _ = tape.gradient(y, [x, z, v], unconnected_gradients="zero")
    close(gz, np.zeros((1, 3)))
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, x, unconnected_gradients="sometimes")


def test_stop_gradient_disconnects():
    x = ek.constant(2.0)
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = ek.stop_gradient(x * x)
        z = ek.stop_gradient(x) * x
    assert tape.gradient(y, x) is None
    close(tape.gradient(z, x), 2.0)


# -- tape lifetime -------------------------------------------------------------------------------------
def test_non_persistent_tape_second_call_raises():
    x = ek.constant(3.0)
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    close(tape.gradient(y, x), 6.0)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can only be used to compute one set"):
        tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent=True"):
        tape.jacobian(y, x)


def test_non_persistent_gradient_inside_the_block_then_again_raises():
    x = ek.constant(3.0)
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        close(tape.gradient(y, x), 6.0)
        z = y * 2.0
    with pytest.raises(RuntimeError):
        tape.gradient(z, x)


def test_persistent_tape_allows_many_calls():
    x = ek.constant(3.0)
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    for _ in range(3):
        close(tape.gradient(z, x), 108.0)
        close(tape.gradient(y, x), 6.0)
    close(tape.jacobian(y, x), 6.0)
    del tape


def test_reset_clears_the_record():
    x = ek.constant(2.0)
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        tape.watch(x)
        z = x * x * x
    assert tape.gradient(y, x) is None  # y's ops were dropped by reset ...
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        tape.watch(x)
        z = x * x * x
    gy, gz = tape.gradient([y, z], [x, x])
    close(gz, 12.0)  # ... only z's ops remain: d(x^3)/dx (y adds nothing)
    close(gy, 12.0)


def test_reset_makes_a_used_tape_usable_again():
    x = ek.constant(2.0)
    with ek.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        close(tape.gradient(y, x), 4.0)
        tape.reset()
        tape.watch(x)
        z = x * x * x
    close(tape.gradient(z, x), 12.0)


def test_stop_recording():
    x = ek.constant([3.0, 4.0])
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        with tape.stop_recording():
            z = y * y
        w = y * 3.0
    assert tape.gradient(z, x) is None
    close(tape.gradient(w, x), [18.0, 24.0])
    with pytest.raises(ValueError, match="not recording"):
        with tape.stop_recording():
            pass


def test_stop_recording_only_pauses_this_tape():
    x = ek.constant(3.0)
    with ek.GradientTape() as outer:
        outer.watch(x)
        with ek.GradientTape() as inner:
            inner.watch(x)
            with inner.stop_recording():
                y = x * x
    assert inner.gradient(y, x) is None
    close(outer.gradient(y, x), 6.0)


def test_tape_cannot_be_entered_twice():
    tape = ek.GradientTape()
    with tape:
        with pytest.raises(ValueError, match="already recording"):
            tape.__enter__()


def test_repeated_steps_reuse_the_compiled_gradient():
    v = ek.Variable([1.0, 2.0])
    results = []
    for _step in range(4):
        with ek.GradientTape() as tape:
            y = ek.reduce_sum(ek.tanh(v) * v)
        g = tape.gradient(y, v)
        results.append(g.numpy())
        v.assign_sub(0.1 * g)
    vv = np.array([1.0, 2.0])
    for g in results:
        np.testing.assert_allclose(g, np.tanh(vv) + vv * (1 - np.tanh(vv) ** 2), rtol=1e-5)
        vv = vv - 0.1 * g


# -- bad input -----------------------------------------------------------------------------------------
def test_gradient_of_a_non_tensor():
    x = ek.constant(3.0)
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(TypeError, match="target must be an ek.Tensor.*got float"):
        tape.gradient(3.0, x)
    with pytest.raises(TypeError, match="target must be an ek.Tensor.*got str"):
        tape.gradient([y, "loss"], x)


def test_gradient_with_a_source_that_is_not_a_tensor():
    x = ek.constant(3.0)
    with ek.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(TypeError, match="sources must be ek.Tensors or ek.Variables.*got float"):
        tape.gradient(y, 3.0)
    with pytest.raises(TypeError, match="got ndarray"):
        tape.gradient(y, [x, np.ones(2)])


def test_watch_rejects_non_tensors():
    with ek.GradientTape() as tape:
        with pytest.raises(ValueError, match="not an ek.Tensor or ek.Variable"):
            tape.watch(3.0)
        with pytest.raises(ValueError, match="'str'"):
            tape.watch([ek.constant(1.0), "s"])


def test_long_tape_with_many_variables():
    """A plan past the large-plan thresholds (compiled without XLA fusion) gives the chain rule."""
    vs = [ek.Variable(np.float32(1.0 + 0.01 * i)) for i in range(20)]
    with ek.GradientTape() as tape:
        h = ek.constant(0.5)
        for i in range(70):
            h = ek.tanh(h * vs[i % 20] + 0.1)
        loss = h * h
    grads = tape.gradient(loss, vs)
    # reverse-mode chain rule in NumPy
    w = [1.0 + 0.01 * i for i in range(20)]
    hs, h = [], 0.5
    for i in range(70):
        pre = h * w[i % 20] + 0.1
        hs.append((h, pre))
        h = np.tanh(pre)
    d, expected = 2 * h, np.zeros(20)
    for i in reversed(range(70)):
        hin, pre = hs[i]
        d = d * (1 - np.tanh(pre) ** 2)
        expected[i % 20] += d * hin
        d = d * w[i % 20]
    np.testing.assert_allclose([float(g) for g in grads], expected, rtol=2e-4, atol=1e-7)
