"""``ek.autograph.experimental``: ``do_not_convert`` and ``set_loop_options`` (as in TF).

>>> import eagerkit as ek
>>> import eagerkit.autograph
>>> @ek.autograph.experimental.do_not_convert
... def plain(x):
...     return x + 1
>>> int(ek.function(plain)(ek.constant(1)))
2
"""

from eagerkit._src.autograph.conversion import do_not_convert
from eagerkit._src.autograph.loops import set_loop_options

__all__ = ["do_not_convert", "set_loop_options"]
