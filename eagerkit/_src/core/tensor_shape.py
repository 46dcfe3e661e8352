"""``TensorShape``: a shape whose dimensions may be unknown (None), as in TF.

>>> import eagerkit as ek
>>> s = ek.TensorShape([None, 3])
>>> s.rank, s.as_list(), s == [None, 3], str(s)
(2, [None, 3], True, '(None, 3)')
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


class TensorShape:
    """The (possibly partially known) shape of a tensor.

    >>> import eagerkit as ek
    >>> s = ek.TensorShape([None, 3])
    >>> s
    TensorShape([None, 3])
    >>> s.rank, s.as_list(), s.is_fully_defined()
    (2, [None, 3], False)
    >>> s.is_compatible_with([8, 3])
    True
    >>> s.merge_with([8, None])
    TensorShape([8, 3])
    """

    __slots__ = ("_dims",)

    def __init__(self, dims: Any) -> None:
        if dims is None:
            self._dims = None
        elif isinstance(dims, TensorShape):
            self._dims = dims._dims
        elif isinstance(dims, int):
            self._dims = (dims,)
        else:
            self._dims = tuple(None if d is None else int(d) for d in dims)

    @property
    def rank(self) -> int | None:
        return None if self._dims is None else len(self._dims)

    @property
    def ndims(self) -> int | None:
        return self.rank

    @property
    def dims(self) -> list[int | None] | None:
        return None if self._dims is None else list(self._dims)

    def as_list(self) -> list[int | None]:
        """The dimensions as a list (``None`` for unknown ones); ValueError for an unknown rank.

        >>> import eagerkit as ek
        >>> ek.TensorShape([None, 3]).as_list()
        [None, 3]
        """
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def is_fully_defined(self) -> bool:
        """Whether the rank and every dimension are known.

        >>> import eagerkit as ek
        >>> ek.TensorShape([2, 3]).is_fully_defined(), ek.TensorShape([None, 3]).is_fully_defined()
        (True, False)
        """
        return self._dims is not None and all(d is not None for d in self._dims)

    def num_elements(self) -> int | None:
        """The number of elements, or ``None`` when a dimension is unknown.

        >>> import eagerkit as ek
        >>> ek.TensorShape([2, 3]).num_elements()
        6
        >>> print(ek.TensorShape([None, 3]).num_elements())
        None
        """
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self._dims:
            n *= d
        return n

    def is_compatible_with(self, other: Any) -> bool:
        """Whether the shapes could describe the same tensor (unknown dimensions match anything).

        >>> import eagerkit as ek
        >>> ek.TensorShape([None, 3]).is_compatible_with([5, 3])
        True
        >>> ek.TensorShape([None, 3]).is_compatible_with([5, 4])
        False
        """
        other = TensorShape(other)
        if self._dims is None or other._dims is None:
            return True
        if len(self._dims) != len(other._dims):
            return False
        return all(a is None or b is None or a == b for a, b in zip(self._dims, other._dims))

    def assert_is_compatible_with(self, other: Any) -> None:
        """Raises ValueError unless ``is_compatible_with(other)``.

        >>> import eagerkit as ek
        >>> ek.TensorShape([None, 3]).assert_is_compatible_with([5, 3])
        >>> ek.TensorShape([None, 3]).assert_is_compatible_with([5, 4])  # raises
        Traceback (most recent call last):
            ...
        ValueError: Shapes (None, 3) and (5, 4) are incompatible
        """
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {TensorShape(other)} are incompatible")

    def merge_with(self, other: Any) -> TensorShape:
        """The most specific shape compatible with both (ValueError if they are incompatible).

        >>> import eagerkit as ek
        >>> ek.TensorShape([None, 3]).merge_with([5, None])
        TensorShape([5, 3])
        """
        other = TensorShape(other)
        self.assert_is_compatible_with(other)
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        return TensorShape([a if a is not None else b for a, b in zip(self._dims, other._dims)])

    def concatenate(self, other: Any) -> TensorShape:
        """The dimensions of ``self`` followed by those of ``other``.

        >>> import eagerkit as ek
        >>> ek.TensorShape([2]).concatenate([None, 3])
        TensorShape([2, None, 3])
        """
        other = TensorShape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other._dims)

    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __iter__(self) -> Iterator[int | None]:
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter(self._dims)

    def __getitem__(self, key: int | slice) -> Any:
        if self._dims is None:
            return TensorShape(None) if isinstance(key, slice) else None
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return self._dims[key]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TensorShape):
            return self._dims == other._dims
        if isinstance(other, Iterable) and not isinstance(other, (str, bytes)):
            try:
                return self._dims is not None and self._dims == tuple(other)
            except TypeError:
                return False
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._dims)

    def __add__(self, other: Any) -> TensorShape:
        return self.concatenate(other)

    def __bool__(self) -> bool:
        return self._dims is not None

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        if len(self._dims) == 1:
            return f"({self._dims[0]},)"
        return "(" + ", ".join(str(d) for d in self._dims) + ")"

    def __repr__(self) -> str:
        if self._dims is None:
            return "TensorShape(None)"
        return f"TensorShape({list(self._dims)})"

    def __reduce__(self):
        return TensorShape, (self._dims,)
