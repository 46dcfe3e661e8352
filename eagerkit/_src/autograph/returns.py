"""The value a converted function returns.

A function with ``return`` inside an ``if`` or a loop is rewritten to set ``do_return``
and ``retval_`` (see ``jumps``) and to end with ``return ag__.return_value(...)``.

>>> from eagerkit._src.autograph.returns import return_value
>>> from eagerkit._src.autograph.undefined import UndefinedReturnValue
>>> return_value(UndefinedReturnValue(), False, False, "f") is None
True
"""

from __future__ import annotations

from typing import Any

from eagerkit._src.autograph import staging
from eagerkit._src.autograph.errors import StagingError, at_user_code
from eagerkit._src.autograph.undefined import UndefinedReturnValue


def return_value(retval: Any, do_return: Any, always_returns: bool, function_name: str) -> Any:
    """``retval`` (``None`` if no return statement ran).

    When a ``return`` sits in a tensor-dependent branch and the function can also reach
    its end without returning, Python would return ``None`` on some run-time paths and a
    tensor on others, which a compiled function cannot do: that raises, as in TF.
    """
    if staging.is_symbolic(do_return) and not always_returns and not isinstance(retval, UndefinedReturnValue):
        raise StagingError(
            at_user_code(
                f"{function_name}() returns a value inside a tensor-dependent if/loop but can also reach its end "
                "without a return statement (returning None). A compiled function must return the same kind of "
                "value on every path: add a final `return` with a default value."
            )
        )
    return None if isinstance(retval, UndefinedReturnValue) else retval
