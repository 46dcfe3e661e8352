"""ek.function: stateful tracing, TF's retracing rules, concrete functions, control flow."""

import logging

import numpy as np
import pytest

import eagerkit as ek


def test_decorator_forms():
    def f(x):
        return x * 2

    assert float(ek.function(f)(ek.constant(2.0))) == 4.0
    assert float(ek.function()(f)(ek.constant(3.0))) == 6.0

    @ek.function
    def g(x):
        return x + 1

    @ek.function(reduce_retracing=True, jit_compile=True)
    def h(x):
        return x - 1

    assert float(g(ek.constant(1.0))) == 2.0
    assert float(h(ek.constant(1.0))) == 0.0


def test_executing_eagerly_false_inside():
    seen = []

    @ek.function
    def f(x):
        seen.append(ek.executing_eagerly())
        return x

    f(ek.constant(1.0))
    assert seen == [False]
    assert ek.executing_eagerly()


def test_variable_assign_inside_updates_outside():
    v = ek.Variable(1.0)

    @ek.function
    def step(x):
        v.assign_add(x)
        return v.read_value()

    out = step(ek.constant(2.0))
    assert float(out) == 3.0 and float(v.numpy()) == 3.0
    step(ek.constant(2.0))
    assert float(v.numpy()) == 5.0
    assert step.experimental_get_tracing_count() == 1


def test_python_side_effects_only_while_tracing():
    traces = []

    @ek.function
    def f(x):
        traces.append(1)
        return x * x

    for _ in range(3):
        f(ek.constant(2.0))
    assert len(traces) == 1


def test_retracing_rules():
    @ek.function
    def f(x):
        return x

    f(1)
    f(2)
    f(2)
    assert f.experimental_get_tracing_count() == 2  # Python values key by value
    f(ek.constant(1.0))
    f(ek.constant(2.0))
    assert f.experimental_get_tracing_count() == 3  # same shape/dtype: one trace
    f(ek.constant([1.0, 2.0]))
    f(ek.constant(1))
    assert f.experimental_get_tracing_count() == 5
    f([ek.constant(1.0), ek.constant(2.0)])
    f((ek.constant(1.0), ek.constant(2.0)))
    assert f.experimental_get_tracing_count() == 7  # nests by structure


def test_retrace_warning(caplog):
    @ek.function
    def f(x):
        return x

    with caplog.at_level(logging.WARNING, logger="eagerkit"):
        for i in range(7):
            f(i)
    assert any("triggered ek.function retracing" in r.message for r in caplog.records)


def test_input_signature_accepts_matching_and_rejects_others():
    @ek.function(input_signature=[ek.TensorSpec(shape=[None], dtype=ek.float32)])
    def f(x):
        return ek.reduce_sum(x)

    assert float(f(ek.constant([1.0, 2.0]))) == 3.0
    assert float(f(ek.constant([1.0, 2.0, 3.0]))) == 6.0
    with pytest.raises(TypeError, match="does not match the input_signature"):
        f(ek.constant([[1.0]]))
    with pytest.raises(TypeError, match="does not match the input_signature"):
        f(ek.constant([1, 2]))


def test_variable_creation_first_trace_only():
    class Model:
        def __init__(self):
            self.v = None

        @ek.function
        def __call__(self, x):
            if self.v is None:
                self.v = ek.Variable(lambda: ek.ones(x.shape))
            return self.v * x

    m = Model()
    assert m(ek.constant(3.0)).numpy() == 3.0
    assert m(ek.constant(4.0)).numpy() == 4.0

    @ek.function
    def bad(x):
        v = ek.Variable(1.0)
        return v * x

    bad(ek.constant(1.0))
    with pytest.raises(ValueError, match="only be created the first time"):
        bad(ek.constant([1.0, 2.0]))

    @ek.function
    def from_argument(x):
        return ek.Variable(x * 2)

    with pytest.raises(ValueError, match="depends on values being traced"):
        from_argument(ek.constant(1.0))


def test_methods_bound_per_instance():
    class Counter:
        def __init__(self, start):
            self.v = ek.Variable(start)

        @ek.function
        def inc(self):
            self.v.assign_add(1.0)
            return self.v.read_value()

    a, b = Counter(0.0), Counter(10.0)
    assert float(a.inc()) == 1.0
    assert float(b.inc()) == 11.0
    assert float(a.inc()) == 2.0
    assert a.inc is a.inc


def test_random_differs_per_call_and_reproducible():
    @ek.function
    def draw():
        return ek.random.normal([3])

    ek.random.set_seed(7)
    a, b = draw().numpy(), draw().numpy()
    assert not np.allclose(a, b)
    ek.random.set_seed(7)
    np.testing.assert_allclose(draw().numpy(), a)


def test_concrete_function_inspection():
    @ek.function
    def my_matmul(x, y):
        return ek.matmul(x, y)

    x = ek.random.uniform([2, 3])
    y = ek.random.uniform([3, 4])
    z1 = my_matmul(x, y)
    cf = my_matmul.get_concrete_function(x, y)
    assert my_matmul.experimental_get_tracing_count() == 1
    np.testing.assert_allclose(cf(x, y).numpy(), z1.numpy())
    assert "dot_general" in str(cf.graph)
    assert "TensorSpec(shape=(2, 4), dtype=tf.float32)" in cf.pretty_printed_signature()
    assert "stablehlo" in cf.as_text() or "dot" in cf.as_text()
    cf2 = my_matmul.get_concrete_function(ek.TensorSpec([1, 3]), ek.TensorSpec([3, 1]))
    assert "TensorSpec(shape=(1, 1)" in cf2.pretty_printed_signature()
    with pytest.raises(ValueError, match="concrete shapes"):
        my_matmul.get_concrete_function(ek.TensorSpec([None, 3]), ek.TensorSpec([3, 1]))


def test_nested_functions_inline():
    @ek.function
    def inner(x):
        return x * 3

    @ek.function
    def outer(x):
        return inner(x) + 1

    assert float(outer(ek.constant(2.0))) == 7.0
    assert inner.experimental_get_tracing_count() == 0


def test_gradient_through_compiled_function():
    w = ek.Variable([[1.0, 2.0]])

    @ek.function
    def loss_fn(a):
        return ek.reduce_sum(w * w * a)

    with ek.GradientTape() as tape:
        loss = loss_fn(ek.constant([[3.0, 4.0]]))
    np.testing.assert_allclose(tape.gradient(loss, w).numpy(), [[6.0, 16.0]])


def test_gradient_inside_compiled_function():
    w = ek.Variable([1.0, 2.0])

    @ek.function
    def step(x):
        with ek.GradientTape() as tape:
            loss = ek.reduce_sum(ek.square(w * x))
        g = tape.gradient(loss, w)
        w.assign_sub(0.1 * g)
        return loss

    assert float(step(ek.constant(1.0))) == pytest.approx(5.0)
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6], rtol=1e-6)


def test_eager_and_compiled_training_agree():
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(16, 3)).astype(np.float32)
    ys = rng.normal(size=(16, 1)).astype(np.float32)

    def make():
        return ek.Variable(np.ones((3, 1), np.float32)), ek.Variable(np.zeros((1,), np.float32))

    def step(w, b, x, y):
        with ek.GradientTape() as tape:
            loss = ek.reduce_mean(ek.square(ek.matmul(x, w) + b - y))
        gw, gb = tape.gradient(loss, [w, b])
        w.assign_sub(0.1 * gw)
        b.assign_sub(0.1 * gb)
        return loss

    w1, b1 = make()
    eager = [float(step(w1, b1, ek.constant(xs), ek.constant(ys))) for _ in range(5)]
    w2, b2 = make()
    compiled_step = ek.function(step)
    compiled = [float(compiled_step(w2, b2, ek.constant(xs), ek.constant(ys))) for _ in range(5)]
    np.testing.assert_allclose(eager, compiled, rtol=1e-5)
    np.testing.assert_allclose(w1.numpy(), w2.numpy(), rtol=1e-5)
    assert compiled_step.experimental_get_tracing_count() == 1


def test_python_control_flow_on_tensor_names_user_line():
    @ek.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(TypeError, match=r"test_function.py:\d+.*ek.cond"):
        f(ek.constant(1.0))


def test_variable_value_not_baked_in():
    v = ek.Variable(1.0)

    @ek.function(autograph=False)
    def f():
        return bool(v > 0)

    with pytest.raises(TypeError, match="symbolic"):
        f()

    @ek.function
    def g():
        return v.numpy()

    with pytest.raises(TypeError, match="not available inside ek.function"):
        g()


def test_print_runs_each_call(capsys):
    @ek.function
    def f(x):
        ek.print("value:", x, output_stream="stdout")
        return x

    f(ek.constant(1.0))
    f(ek.constant(2.0))
    import jax

    jax.effects_barrier()
    out = capsys.readouterr().out
    assert out.count("value:") == 2 and "2" in out


def test_range_with_python_bounds_inside_function():
    @ek.function
    def f():
        return ek.range(3) * 2, ek.range(1, 2, 0.5)

    a, b = f()
    assert a.numpy().tolist() == [0, 2, 4] and a.dtype == ek.int32
    assert b.numpy().tolist() == [1.0, 1.5]

    @ek.function(autograph=False)  # (AutoGraph turns a symbolic ek.range into a loop range instead)
    def g(n):
        return ek.range(n)

    with pytest.raises(ValueError, match="needs bounds known while tracing"):
        g(ek.constant(3))
