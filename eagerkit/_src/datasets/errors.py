"""Errors raised while obtaining dataset files.

>>> from eagerkit._src.datasets.errors import ChecksumMismatchError, DatasetError
>>> issubclass(ChecksumMismatchError, DatasetError), issubclass(ChecksumMismatchError, ValueError)
(True, True)
"""


class DatasetError(Exception):
    """Base class: a dataset's files could not be obtained or read.

    >>> import eagerkit as ek
    >>> issubclass(ek.keras.datasets.DatasetDownloadError, ek.keras.datasets.DatasetError)
    True
    >>> try:
    ...     raise ek.keras.datasets.ChecksumMismatchError("train-images-idx3-ubyte.gz: wrong SHA-256")
    ... except ek.keras.datasets.DatasetError as e:
    ...     print(type(e).__name__, e)
    ChecksumMismatchError train-images-idx3-ubyte.gz: wrong SHA-256
    """


class DatasetDownloadError(DatasetError, OSError):
    """A file could not be downloaded (network error, HTTP error) or is missing.

    >>> import eagerkit as ek
    >>> issubclass(ek.keras.datasets.DatasetDownloadError, OSError)
    True
    """


class ChecksumMismatchError(DatasetError, ValueError):
    """A downloaded or pre-placed file does not have the expected SHA-256.

    >>> import eagerkit as ek
    >>> issubclass(ek.keras.datasets.ChecksumMismatchError, ValueError)
    True
    """
