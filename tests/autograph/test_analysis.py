"""Static analysis: which variables become outputs of a converted if / carried by a loop."""

import ast

import eagerkit as ek
from eagerkit._src.autograph import analysis


def _annotated(source):
    fn = ast.parse(source).body[0]
    analysis.annotate(fn)
    return fn


def test_liveness_of_branch_outputs():
    fn = _annotated("def f(x):\n    y = 0\n    if x:\n        y = 1\n        t = 2\n    return y\n")
    stmt = fn.body[1]
    assert stmt.ag_modified == {"y", "t"}
    assert stmt.ag_live_out == {"y"}  # t is a temporary of the branch


def test_loop_header_liveness():
    fn = _annotated(
        "def f(n):\n    s = 0\n    i = 0\n    while i < n:\n        tmp = i * 2\n        s += tmp\n        i += 1\n"
        "    return s\n"
    )
    loop = fn.body[2]
    assert loop.ag_modified == {"tmp", "s", "i"}
    assert loop.ag_live_in == {"i", "n", "s"}
    assert loop.ag_live_out == {"s"}


def accumulate(n):
    total = 0
    i = 0
    while i < n:
        tmp = i * 2
        total += tmp
        i += 1
    return total


def test_temporaries_are_not_loop_variables():
    code = ek.autograph.to_code(accumulate)
    assert "ag__.while_stmt(loop_test, loop_body, get_state, set_state, ('i', 'total'))" in code
    assert "nonlocal i, total\n" in code  # tmp stays local to the loop body
    assert int(ek.function(accumulate)(ek.constant(4))) == accumulate(4) == 12


def test_for_target_is_carried_only_when_used_after_the_loop():
    def last_index(xs):
        i = -1
        for i in ek.range(ek.size(xs)):  # noqa: B007 - the target itself is the result
            pass
        return i

    assert "('i',)" in ek.autograph.to_code(last_index)
    assert int(ek.function(last_index)(ek.constant([3.0, 4.0, 5.0]))) == int(last_index(ek.constant([3.0, 4.0, 5.0])))
