"""The row numbers of a big roll-up, held compactly: one read-only int64 array
instead of a tuple of a million Python ints.

Why: an Altaro customer's users or an Acronis tenant's storage sum thousands of
rows, and a million-row report's records together cite every row.  As tuples
that is a million int objects built and kept (about 30 ms and 36 MB at a
million rows) only to be printed later as "rows 2-40,57".  `RowNumbers` holds
the numbers as a slice of one array, and behaves as the tuple it stands for:
equal to it (either way round), same hash, same iteration and indexing, `+`
joins, pickles; `ranges_text()` prints the compressed form from the array.
Readers use it for large row sets; everything else may keep plain tuples (the
core's Source prints any rows that offer ranges_text(); it imports no numpy).
"""
from __future__ import annotations

from typing import Iterator, Sequence


class RowNumbers(Sequence[int]):
    """Read-only row numbers (1-based, as a spreadsheet shows them) that equal
    the tuple of the same numbers.  Build it from an int array the caller will
    not change; it is made read-only here (a view of a read-only array stays
    read-only, so slices share the one buffer)."""

    __slots__ = ("_array", "_hash")

    def __init__(self, numbers) -> None:
        import numpy as np

        array = np.asarray(numbers, dtype=np.int64)
        if array.ndim != 1:
            raise ValueError(f"row numbers: expected one dimension, found shape {array.shape}")
        if array.flags.writeable:
            array = array.view()
            array.flags.writeable = False
        self._array = array
        self._hash: int | None = None

    @property
    def array(self):
        """The numbers as a read-only int64 array (no copy)."""
        return self._array

    def __array__(self, dtype=None, copy=None):
        """numpy's view of the numbers (np.asarray(rows) copies nothing)."""
        if copy:
            return self._array.astype(dtype or self._array.dtype, copy=True)
        return self._array if dtype is None else self._array.astype(dtype, copy=False)

    def __len__(self) -> int:
        return len(self._array)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return RowNumbers(self._array[index])
        return int(self._array[index])

    def __iter__(self) -> Iterator[int]:
        return iter(self._array.tolist())

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and bool((self._array == value).any())

    def tolist(self) -> list[int]:
        return self._array.tolist()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowNumbers):
            return len(self) == len(other) and bool((self._array == other._array).all())
        if isinstance(other, tuple):  # a tuple equals only a tuple: a list of the same numbers does not
            return len(self) == len(other) and tuple(self._array.tolist()) == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        if self._hash is None:  # the tuple's hash (equal objects hash alike), computed once
            self._hash = hash(tuple(self._array.tolist()))
        return self._hash

    def __add__(self, other: object) -> "RowNumbers":
        if not isinstance(other, (RowNumbers, tuple)):
            return NotImplemented
        return _joined(self, other)

    def __radd__(self, other: object) -> "RowNumbers":
        if not isinstance(other, tuple):
            return NotImplemented
        return _joined(other, self)

    def __reduce__(self):
        return (RowNumbers, (self._array.copy(),))

    def __repr__(self) -> str:
        if len(self) <= 6:
            return f"RowNumbers({tuple(self._array.tolist())!r})"
        text = self.ranges_text()
        return f"RowNumbers({len(self):,} rows: {text if len(text) <= 60 else text[:60] + '...'})"

    def ranges_text(self) -> str:
        """'2-4,7': the distinct numbers in order, runs of consecutive numbers as
        first-last (what Source prints), computed on the array."""
        return ranges_text(self._array)


def _joined(first: Sequence[int], second: Sequence[int]) -> RowNumbers:
    import numpy as np

    def part(x: Sequence[int]):
        return x.array if isinstance(x, RowNumbers) else np.asarray(x, dtype=np.int64)

    return RowNumbers(np.concatenate([part(first), part(second)]))


def ranges_text(numbers) -> str:
    """(2,3,4,7) -> '2-4,7' for an int array: sorted distinct numbers, each run of
    consecutive numbers written first-last."""
    import numpy as np

    ordered = np.unique(np.asarray(numbers, dtype=np.int64))
    if not len(ordered):
        return ""
    breaks = np.flatnonzero(np.diff(ordered) != 1)
    starts = np.r_[ordered[0], ordered[breaks + 1]].tolist()
    ends = np.r_[ordered[breaks], ordered[-1]].tolist()
    return ",".join(f"{a}-{b}" if b != a else f"{a}" for a, b in zip(starts, ends))
