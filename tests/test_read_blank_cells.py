"""The CSV loader's blank-record test (readers/base.py _blank_cells) says what
`column.str.strip() == ""` says, on every code point and on mixed columns."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from xlbilling.readers import read_report
from xlbilling.readers.tables.delimited import _blank_cells


def _strip_blank(column: pd.Series) -> np.ndarray:
    return (column.str.strip() == "").to_numpy(dtype=bool)


def test_every_code_point_is_blank_exactly_when_strip_empties_it():
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    column = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(chars, pa.large_string())])))
    blank = _blank_cells(column)
    assert (blank == _strip_blank(column)).all()
    # and the space characters are Python's own (str.isspace): 29 of them
    assert [c for c, b in zip(chars, blank) if b] == [c for c in chars if c.isspace()]


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_mixed_cells_over_several_chunks(kind):
    cells = ["", " ", "\t\u3000 ", "a", " a ", "\u00a0", "\u200b", "x\u2028", "\u2028\u2029", "\x1c", "0"]
    column = pd.Series(pd.arrays.ArrowStringArray(
        pa.chunked_array([pa.array(cells[:4], kind), pa.array(cells[4:], kind)]).cast(pa.large_string())))
    assert _blank_cells(column).tolist() == _strip_blank(column).tolist()
    assert _blank_cells(column).tolist() == [True, True, True, False, False, True, False, False, True, True, False]


def test_whitespace_only_records_are_dropped_and_rows_keep_their_numbers(tmp_path):
    path = tmp_path / "altaro.csv"
    path.write_text("Customer,Object Type Backed Up,Object Name\n"
                    "Contoso,Mailbox,Ann\n"
                    "\u3000, ,\t\n"            # blank in every column: dropped
                    "\u200b,Mailbox,Bob\n"      # zero-width space is not whitespace: a customer
                    "Contoso,Mailbox,Cy\n", encoding="utf-8")
    result = read_report(path)
    assert result.rows_read == 3
    assert sorted((r.account, r.quantity, r.source.rows) for r in result.records) == [
        ("Contoso", 2, (2, 5)), ("\u200b", 1, (4,))]
    assert pc.utf8_is_space(pa.array(["\u200b"])).to_pylist() == [False]
