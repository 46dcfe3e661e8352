"""The ``ag__`` namespace: every name converted code refers to.

Converted functions get this module in a closure cell named ``ag__`` (never a global,
so the user's module namespace is untouched). ``ek.autograph.to_code(f)`` shows how the
names below are used.

>>> from eagerkit._src.autograph import operators as ag__
>>> ag__.and_(True, lambda: 3), ag__.not_(0)
(3, True)
"""

from eagerkit._src.autograph.conditionals import if_exp, if_stmt
from eagerkit._src.autograph.conversion import converted_call
from eagerkit._src.autograph.logical import and_, not_, or_
from eagerkit._src.autograph.loops import for_stmt, set_loop_options, while_stmt
from eagerkit._src.autograph.py_builtins import assert_stmt
from eagerkit._src.autograph.returns import return_value
from eagerkit._src.autograph.undefined import Undefined, UndefinedReturnValue, ld

__all__ = [
    "Undefined",
    "UndefinedReturnValue",
    "and_",
    "assert_stmt",
    "converted_call",
    "for_stmt",
    "if_exp",
    "if_stmt",
    "ld",
    "not_",
    "or_",
    "return_value",
    "set_loop_options",
    "while_stmt",
]
