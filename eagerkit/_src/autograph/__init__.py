"""AutoGraph: Python control flow on tensors inside ``ek.function`` (TF's ``tf.autograph``).

``ek.function`` converts the Python function it traces (and, recursively, the user
functions and methods it calls) by rewriting its AST. The converted code decides at
run time, statement by statement: a condition that is a *symbolic* tensor (known only
when the compiled program runs) becomes graph control flow on ``jax.lax``; Python values
and concrete tensors keep plain Python semantics, so purely-Python control flow behaves
exactly as written (loops over Python lists are unrolled while tracing).

Supported constructs
--------------------
* ``if``/``elif``/``else`` on a tensor -> ``ek.cond`` (both branches traced). Variables
  assigned in a branch and used afterwards become outputs; each must be defined in both
  branches with one dtype/shape (TF's rule and wording). ``return`` in one branch only
  is allowed when the function has a final ``return``.
* ``while`` with a tensor condition -> ``ek.while_loop``; loop variables (assigned in the
  body and used later or by the next iteration) are found by static liveness analysis.
  A variable first assigned in the loop is initialised by tracing the body once.
* ``for x in tensor`` (first dimension, inside ``ek.function``) and ``for i in
  ek.range(n)`` / ``range(n)`` with a symbolic ``n`` -> graph loops. ``for`` over any
  other iterable is a Python loop, unrolled while tracing.
* ``break``, ``continue`` and ``return`` inside converted loops and branches (rewritten
  into flags, as TF does); ``for``/``while`` ... ``else``.
* ``a and b``, ``a or b``, ``not a`` and ``a if c else b`` on tensors (lazy for Python values).
* ``print(...)`` with a tensor argument prints at run time (``ek.print``);
  ``assert`` on a tensor is a run-time check.
* ``ek.Variable`` updates (``v.assign_add``) inside converted branches and loops.
* Gradients: a ``GradientTape`` inside the compiled function differentiates through
  converted ``if`` and through loops with a bound:
  ``ek.autograph.experimental.set_loop_options(maximum_iterations=N)`` in the loop
  body, or a ``for`` over a tensor. Unbounded ``while`` loops are not
  differentiable (XLA); the error says how to add the bound.
* ``with``, ``try``, ``match``, nested functions (converted too), ``global``/``nonlocal``
  declarations, ``del``: supported with Python semantics.

Not supported (clear errors)
----------------------------
* Conversion errors: ``yield``/generator functions, ``async def``/``await``, the
  assignment expression ``:=``.
* Staging errors, raised only when the condition is a symbolic tensor: a ``global`` or
  ``nonlocal`` variable assigned in the statement; in-place changes of Python objects
  from outside it (``lst.append(x)``, ``obj.attr = x``, ``d[k] = x``; TF raises too -
  ``ek.TensorArray`` does not exist yet, keep values in a fixed-shape tensor); the
  statement inside a ``try`` block; loop variables that change dtype/shape/structure; a
  variable defined in one branch only.

Functions whose source is unavailable (builtins, lambdas, code typed at the REPL) and
library code (eagerkit, JAX, NumPy, the standard library, site-packages) run
unconverted; so do functions decorated with ``ek.autograph.experimental.do_not_convert``
and everything under ``ek.function(autograph=False)``.

Errors point at the user's code: converted code is compiled under the original file
name with the original line and column numbers, and staging errors name ``file:line``.

Importing this package installs the converter in
``eagerkit._src.function.autograph_hook``.

>>> import eagerkit as ek
>>> import eagerkit.autograph
>>> @ek.function
... def collatz_steps(n):
...     steps = 0
...     while n != 1:
...         n = n // 2 if n % 2 == 0 else 3 * n + 1
...         steps += 1
...     return steps
>>> int(collatz_steps(ek.constant(27)))
111
"""

from eagerkit._src.autograph.conversion import convert, converted_call, do_not_convert, source_of
from eagerkit._src.autograph.loops import set_loop_options
from eagerkit._src.function import autograph_hook as _hook

_hook.converter = convert

__all__ = ["convert", "converted_call", "do_not_convert", "set_loop_options", "source_of"]
