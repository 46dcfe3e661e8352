"""Errors raised while obtaining dataset files.

>>> from eagerkit._src.datasets.errors import ChecksumMismatchError, DatasetError
>>> issubclass(ChecksumMismatchError, DatasetError), issubclass(ChecksumMismatchError, ValueError)
(True, True)
"""


class DatasetError(Exception):
    """Base class: a dataset's files could not be obtained or read."""


class DatasetDownloadError(DatasetError, OSError):
    """A file could not be downloaded (network error, HTTP error) or is missing."""


class ChecksumMismatchError(DatasetError, ValueError):
    """A downloaded or pre-placed file does not have the expected SHA-256."""
