"""Source conversion: to_code, recursion into user code, caching, what stays unconverted."""

import functools
import textwrap

import numpy as np
import pytest

import eagerkit as ek
from eagerkit._src.autograph import conversion
from eagerkit._src.autograph.errors import ConversionError
from eagerkit._src.core.tracing_errors import OperatorNotAllowedInGraphError


def absolute(x):
    if x < 0:
        x = -x
    return x


def test_to_code_shows_the_functional_form():
    code = ek.autograph.to_code(absolute)
    assert code.startswith("def absolute(x):\n")
    assert "ag__.if_stmt(x < 0, if_body, else_body, get_state, set_state, ('x',), 1)" in code
    assert "nonlocal x" in code
    compile(code, "<to_code>", "exec")  # valid Python


def test_to_graph_runs_eagerly_like_the_original():
    converted = ek.autograph.to_graph(absolute)
    assert converted is not absolute
    assert int(converted(ek.constant(-4))) == 4 and converted(-2) == 2


def test_autograph_false_leaves_python_control_flow():
    with pytest.raises(OperatorNotAllowedInGraphError):
        ek.function(absolute, autograph=False)(ek.constant(-1))
    assert int(ek.function(absolute)(ek.constant(-1))) == 1


def helper_relu(x):
    if x > 0:
        return x
    return ek.zeros_like(x)


class Scaler:
    def __init__(self, factor):
        self.factor = factor

    def scale(self, x):
        if x > 10:
            x = x / self.factor
        return x

    def __call__(self, x):
        while x > 100:
            x = x / 2
        return x


def test_user_functions_methods_and_callables_are_converted_recursively():
    s = Scaler(5.0)

    def outer(x):
        return helper_relu(x) + s.scale(x) + s(x) + functools.partial(helper_relu)(x)

    for v in (-3.0, 50.0, 400.0):
        assert float(outer(ek.constant(v))) == pytest.approx(float(ek.function(outer)(ek.constant(v))))


def test_method_decorated_with_function():
    class Model:
        def __init__(self):
            self.bias = ek.Variable(1.0)

        @ek.function
        def __call__(self, x):
            if ek.reduce_sum(x) > 0:
                y = x + self.bias
            else:
                y = x - self.bias
            return y

    m = Model()
    assert m(ek.constant([1.0, 2.0])).numpy().tolist() == [2.0, 3.0]
    assert m(ek.constant([-1.0, -2.0])).numpy().tolist() == [-2.0, -3.0]


class Base:
    def describe(self, x):
        return x + 1


class Child(Base):
    def describe(self, x):
        if x > 0:
            x = x * 10
        return super().describe(x)


def test_zero_argument_super_in_converted_method():
    c = Child()
    assert int(ek.function(c.describe)(ek.constant(2))) == int(c.describe(ek.constant(2))) == 21


def test_closures_see_later_values():
    limit = 5

    def under_limit(x):
        if x > limit:
            x = ek.constant(limit)
        return x

    converted = conversion.convert(under_limit)
    assert int(converted(ek.constant(9))) == 5
    limit = 7  # noqa: F841 - read through the shared closure cell
    assert int(converted(ek.constant(9))) == 7


def test_defaults_and_keyword_only_arguments_are_kept():
    def f(x, y=2, *, z=3):
        if x > 0:
            x = x * y + z
        return x

    g = conversion.convert(f)
    assert g(ek.constant(1)).numpy() == 5 and g(ek.constant(1), z=0).numpy() == 2


def test_conversion_is_cached():
    assert conversion.convert(absolute) is conversion.convert(absolute)


def test_library_and_sourceless_functions_run_unconverted():
    assert conversion.convert(np.sum) is np.sum
    assert conversion.convert(ek.reduce_sum) is ek.reduce_sum
    assert conversion.convert(len) is len
    namespace = {}
    exec(textwrap.dedent("def made(x):\n    return x * 3\n"), namespace)
    assert conversion.convert(namespace["made"]) is namespace["made"]
    assert int(ek.function(namespace["made"])(ek.constant(2))) == 6
    lam = lambda x: x + 1  # noqa: E731
    assert conversion.convert(lam) is lam


def test_do_not_convert():
    @ek.autograph.experimental.do_not_convert
    def raw(x):
        if x > 0:
            return x
        return -x

    assert ek.autograph.to_graph(raw) is raw
    with pytest.raises(OperatorNotAllowedInGraphError):
        ek.function(raw)(ek.constant(1))

    def calls_raw(x):
        return raw(x)

    with pytest.raises(OperatorNotAllowedInGraphError):
        ek.function(calls_raw)(ek.constant(1))


def test_to_code_needs_source():
    with pytest.raises(ConversionError, match="source"):
        ek.autograph.to_code(lambda x: x)


def test_nested_function_is_converted():
    def outer(x):
        def inner(y):
            if y > 0:
                y = y * 2
            return y

        return inner(x) + inner(-x)

    for v in (3, -3):
        assert int(outer(ek.constant(v))) == int(ek.function(outer)(ek.constant(v)))


def test_assert_statement_on_tensor_checks_at_run_time():
    @ek.function
    def f(x):
        assert x > 0, "x must be positive"
        return x

    assert int(f(ek.constant(1))) == 1
    with pytest.raises(Exception, match="x must be positive"):
        f(ek.constant(-1))


def test_chained_comparison_on_tensor():
    def inside(x):
        if 0 < x < 10:
            y = 1
        else:
            y = 0
        return y

    for v in (5, 50, -1):
        assert int(inside(ek.constant(v))) == int(ek.function(inside)(ek.constant(v)))


def _passthrough(f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)

    return wrapper


@_passthrough
def halve_until_small(x):
    while x > 1:
        x = x / 2
    return x


def test_functions_behind_functools_wraps_decorators():
    assert float(halve_until_small(ek.constant(10.0))) == float(ek.function(halve_until_small)(ek.constant(10.0)))


def test_conditional_expression_inside_lambda():
    def f(x):
        g = lambda v: v * 2 if v > 0 else -v  # noqa: E731
        return g(x) + g(-x)

    assert float(f(ek.constant(3.0))) == float(ek.function(f)(ek.constant(3.0))) == 9.0


def test_del_inside_a_converted_branch():
    def f(x):
        t = x + 1
        if x > 0:
            x = t * 2
            del t
        else:
            x = t
        return x

    for v in (1, -1):
        assert int(f(ek.constant(v))) == int(ek.function(f)(ek.constant(v)))


def test_keras_layer_call_is_converted_inside_function():
    import eagerkit as ek

    class SignFlip(ek.keras.layers.Layer):
        def call(self, x):
            if ek.reduce_sum(x) > 0:
                y = x * 2
            else:
                y = -x
            return y

    layer = SignFlip()
    f = ek.function(lambda x: layer(x))
    assert f(ek.constant([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    assert f(ek.constant([-1.0, -2.0])).numpy().tolist() == [1.0, 2.0]
    assert layer(ek.constant([-3.0])).numpy().tolist() == [3.0]  # eager: plain Python
