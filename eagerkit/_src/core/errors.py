"""TensorFlow's error classes (``ek.errors``).

Every class derives from :class:`OpError`; those TF maps onto Python built-ins also
derive from the matching built-in, so ``except ValueError`` keeps working.

>>> import eagerkit as ek
>>> issubclass(ek.errors.InvalidArgumentError, ValueError)
True
"""

from __future__ import annotations


class OpError(Exception):
    """Base class of eagerkit's runtime errors (``tf.errors.OpError``)."""

    def __init__(self, node_def=None, op=None, message: str = "", *args) -> None:
        # TF's signature is (node_def, op, message); accept a bare message too.
        if message == "" and isinstance(node_def, str) and op is None:
            message, node_def = node_def, None
        super().__init__(message)
        self.node_def = node_def
        self.op = op
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidArgumentError(OpError, ValueError):
    """An op received an argument of the wrong shape, dtype or value."""


class ConversionDtypeError(InvalidArgumentError, TypeError):
    """A Python/NumPy value cannot take the dtype an op requires (``2.5`` into an int32 op).

    TF raises ``TypeError`` or ``InvalidArgumentError`` here depending on the code path; this
    class is both, so either ``except`` clause written for TF catches it.
    """


class NotFoundError(OpError):
    """A file or other named entity was not found."""


class AlreadyExistsError(OpError):
    """An entity that was to be created already exists."""


class FailedPreconditionError(OpError):
    """The system is not in a state required for the operation."""


class OutOfRangeError(OpError):
    """Iteration ran past the end of a sequence."""


class UnimplementedError(OpError, NotImplementedError):
    """The operation is not implemented."""


class InternalError(OpError):
    """An internal invariant was broken."""


class ResourceExhaustedError(OpError):
    """Out of memory or another resource."""


class UnknownError(OpError):
    """An error of unknown kind."""


class AbortedError(OpError):
    """The operation was aborted."""


class CancelledError(OpError):
    """The operation was cancelled."""


class DataLossError(OpError):
    """Unrecoverable data loss or corruption (e.g. a truncated checkpoint)."""


class PermissionDeniedError(OpError):
    """The caller lacks permission."""


class UnavailableError(OpError):
    """The service is unavailable."""


class DeadlineExceededError(OpError):
    """A deadline expired."""


def invalid_argument(op: str, message: str) -> InvalidArgumentError:
    """Builds the error for a bad argument to ``op`` in TF's ``[Op:Name]`` format."""
    return InvalidArgumentError(None, op, f"{message} [Op:{op}]")
