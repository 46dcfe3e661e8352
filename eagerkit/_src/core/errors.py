"""TensorFlow's error classes (``ek.errors``).

Every class derives from :class:`OpError`; those TF maps onto Python built-ins also
derive from the matching built-in, so ``except ValueError`` keeps working.

>>> import eagerkit as ek
>>> issubclass(ek.errors.InvalidArgumentError, ValueError)
True
"""

from __future__ import annotations


class OpError(Exception):
    """Base class of eagerkit's runtime errors (``tf.errors.OpError``).

    >>> import eagerkit as ek
    >>> try:
    ...     ek.reshape([1, 2, 3], [2, 2])
    ... except ek.errors.OpError as e:
    ...     print(type(e).__name__, "-", e.message)
    InvalidArgumentError - Input to reshape is a tensor with 3 values, but the requested shape [2, 2] has 4 [Op:Reshape]
    """

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
    """An op received an argument of the wrong shape, dtype or value.

    >>> import eagerkit as ek
    >>> ek.reshape([1, 2, 3], [2, 2])
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.InvalidArgumentError: Input to reshape is a tensor with 3 values, but the ...
    >>> try:
    ...     ek.reshape([1, 2, 3], [2, 2])
    ... except ValueError:  # it is also a ValueError
    ...     print("caught")
    caught
    """


class ConversionDtypeError(InvalidArgumentError, TypeError):
    """A Python/NumPy value cannot take the dtype an op requires (``2.5`` into an int32 op).

    TF raises ``TypeError`` or ``InvalidArgumentError`` here depending on the code path; this
    class is both, so either ``except`` clause written for TF catches it.
    """


class NotFoundError(OpError):
    """A file or other named entity was not found.

    >>> import eagerkit as ek
    >>> ek.train.load_checkpoint("/no/such/ckpt-1")
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.NotFoundError: Error when restoring from checkpoint '/no/such/ckpt-1': no ...
    """


class AlreadyExistsError(OpError):
    """An entity that was to be created already exists.

    >>> import eagerkit as ek
    >>> e = ek.errors.AlreadyExistsError(None, None, "checkpoint exists")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'checkpoint exists')
    """


class FailedPreconditionError(OpError):
    """The system is not in a state required for the operation.

    >>> import eagerkit as ek
    >>> e = ek.errors.FailedPreconditionError(None, None, "not initialized")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'not initialized')
    """


class OutOfRangeError(OpError):
    """Iteration ran past the end of a sequence.

    >>> import eagerkit as ek
    >>> it = iter(ek.data.Dataset.range(1))
    >>> it.get_next()
    <tf.Tensor: shape=(), dtype=int64, numpy=0>
    >>> it.get_next()
    Traceback (most recent call last):
        ...
    eagerkit._src.core.errors.OutOfRangeError: End of sequence
    """


class UnimplementedError(OpError, NotImplementedError):
    """The operation is not implemented.

    >>> import eagerkit as ek
    >>> e = ek.errors.UnimplementedError(None, None, "not supported")
    >>> isinstance(e, NotImplementedError), e.message
    (True, 'not supported')
    """


class InternalError(OpError):
    """An internal invariant was broken.

    >>> import eagerkit as ek
    >>> e = ek.errors.InternalError(None, None, "invariant broken")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'invariant broken')
    """


class ResourceExhaustedError(OpError):
    """Out of memory or another resource.

    >>> import eagerkit as ek
    >>> e = ek.errors.ResourceExhaustedError(None, None, "out of memory")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'out of memory')
    """


class UnknownError(OpError):
    """An error of unknown kind.

    >>> import eagerkit as ek
    >>> e = ek.errors.UnknownError(None, None, "something failed")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'something failed')
    """


class AbortedError(OpError):
    """The operation was aborted.

    >>> import eagerkit as ek
    >>> e = ek.errors.AbortedError(None, None, "aborted")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'aborted')
    """


class CancelledError(OpError):
    """The operation was cancelled.

    >>> import eagerkit as ek
    >>> e = ek.errors.CancelledError(None, None, "cancelled")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'cancelled')
    """


class DataLossError(OpError):
    """Unrecoverable data loss or corruption (e.g. a truncated checkpoint).

    >>> import eagerkit as ek
    >>> e = ek.errors.DataLossError(None, None, "truncated checkpoint")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'truncated checkpoint')
    """


class PermissionDeniedError(OpError):
    """The caller lacks permission.

    >>> import eagerkit as ek
    >>> e = ek.errors.PermissionDeniedError(None, None, "read-only")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'read-only')
    """


class UnavailableError(OpError):
    """The service is unavailable.

    >>> import eagerkit as ek
    >>> e = ek.errors.UnavailableError(None, None, "try again")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'try again')
    """


class DeadlineExceededError(OpError):
    """A deadline expired.

    >>> import eagerkit as ek
    >>> e = ek.errors.DeadlineExceededError(None, None, "too slow")
    >>> isinstance(e, ek.errors.OpError), e.message
    (True, 'too slow')
    """


def invalid_argument(op: str, message: str) -> InvalidArgumentError:
    """Builds the error for a bad argument to ``op`` in TF's ``[Op:Name]`` format."""
    return InvalidArgumentError(None, op, f"{message} [Op:{op}]")
