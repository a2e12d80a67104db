"""RowNumbers (core/row_numbers.py) stands for the tuple of its numbers
everywhere a Source's rows are used: equality both ways, hash, indexing,
slicing, iteration as Python ints, joining, pickling, and the compressed text
Source prints - checked against plain tuples and the tuple code path."""
from __future__ import annotations

import json
import pickle
import random

import numpy as np
import pytest

from xlbilling.core.records import Source, _compress_rows
from xlbilling.readers.row_numbers import RowNumbers, ranges_text


def tuple_ranges(rows) -> str:
    """The pre-RowNumbers text, written again here from its definition."""
    ordered = sorted(set(rows))
    out, start, prev = [], ordered[0], ordered[0]
    for r in ordered[1:] + [None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        out.append(f"{start}-{prev}" if prev != start else f"{start}")
        if r is not None:
            start = prev = r
    return ",".join(out)


def test_equals_its_tuple_both_ways_and_hashes_alike():
    t = (2, 3, 4, 9)
    r = RowNumbers(np.array(t))
    assert r == t and t == r and not (r != t) and not (t != r)
    assert hash(r) == hash(t)
    assert r != (2, 3, 4) and r != (2, 3, 4, 10) and (2, 3, 4, 10) != r
    assert r != [2, 3, 4, 9]  # like a tuple: not equal to a list
    assert {t: "x"}[r] == "x"


def test_sequence_behaviour_gives_python_ints():
    r = RowNumbers(np.array([5, 6, 7, 20], dtype=np.int64))
    assert len(r) == 4 and r[0] == 5 and r[-1] == 20 and type(r[0]) is int
    assert list(r) == [5, 6, 7, 20] and all(type(x) is int for x in r)
    assert r[1:3] == (6, 7) and isinstance(r[1:3], RowNumbers)
    assert 7 in r and 8 not in r and "7" not in r
    assert bool(RowNumbers(np.array([], dtype=np.int64))) is False
    assert json.dumps(list(r)) == "[5, 6, 7, 20]"


def test_read_only_and_shares_no_writable_buffer():
    base = np.arange(10)
    r = RowNumbers(base)
    with pytest.raises(ValueError):
        r.array[0] = 99
    assert base.flags.writeable  # the caller's array is left as it was


def test_joining_and_pickling():
    a, b = RowNumbers(np.array([2, 3])), (7, 8)
    assert a + b == (2, 3, 7, 8) and b + a == (7, 8, 2, 3) and a + a == (2, 3, 2, 3)
    assert pickle.loads(pickle.dumps(a)) == a
    with pytest.raises(TypeError):
        a + [1]  # noqa: B018


def test_source_equality_and_text_match_the_tuple_source():
    rows = (2, 3, 4, 7, 9, 10)
    plain = Source("f.csv", None, rows)
    compact = Source("f.csv", None, RowNumbers(np.array(rows)))
    assert plain == compact and compact == plain and hash(plain) == hash(compact)
    assert str(plain) == str(compact) == "f.csv rows 2-4,7,9-10"
    assert str(Source("f.csv", "S", RowNumbers(np.array([5])))) == "f.csv!S row 5"


def test_ranges_text_matches_the_tuple_code_on_random_rows():
    rnd = random.Random(13)
    for _ in range(500):
        n = rnd.randrange(1, 60)
        rows = [rnd.randrange(2, 80) for _ in range(n)]
        expected = tuple_ranges(rows)
        assert ranges_text(np.array(rows)) == expected
        assert _compress_rows(tuple(rows)) == expected
        assert _compress_rows(RowNumbers(np.array(rows))) == expected


def test_refuses_more_than_one_dimension():
    with pytest.raises(ValueError, match="one dimension"):
        RowNumbers(np.zeros((2, 2), dtype=np.int64))
