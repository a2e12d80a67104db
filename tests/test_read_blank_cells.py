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


def test_a_coded_column_is_blank_exactly_where_its_text_column_is():
    """Columns a reader loads dictionary-encoded (Reader.coded_cols: pandas
    Categorical) are decided per distinct value by the same predicate: every code
    point again, repeated and shuffled so codes and values differ in order."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    rng = np.random.default_rng(5)
    cells = [chars[i] for i in rng.integers(0, len(chars), 300_000)] + ["", " ", "a", "\u3000\t"]
    text = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(cells, pa.large_string())])))
    coded = pd.Series(pd.Categorical(cells))
    assert (_blank_cells(coded) == _blank_cells(text)).all()
    assert (_blank_cells(coded) == _strip_blank(text)).all()


def test_blank_records_drop_alike_with_and_without_coded_columns(tmp_path, monkeypatch):
    from xlbilling.readers.altaro_itemised import AltaroItemisedReader

    path = tmp_path / "altaro.csv"
    path.write_text("Customer,Object Type Backed Up,Object Name,Month\n"
                    "Contoso,Mailbox,Ann,2026-10\n"
                    "\u3000, ,\t,\u2003\n"           # blank everywhere: dropped
                    "\x1c,Mailbox,Bob,2026-10\n"    # \x1c strips to nothing: a blank customer cell
                    " ,SharePoint Site,Site,2026-10\n"
                    "Contoso,Mailbox,Cy,2026-10\n", encoding="utf-8")

    def outcome():
        try:
            r = read_report(path)
        except Exception as err:
            return type(err).__name__, str(err)
        return r.records, r.skipped, r.rows_read, r.period, r.warnings

    coded = outcome()
    monkeypatch.setattr(AltaroItemisedReader, "coded_cols", ())
    assert outcome() == coded
    assert coded[0] == "BadCellsError" and "row 4" in coded[1]  # the \x1c customer, named by its row


def test_coded_columns_read_alike_across_parse_blocks(tmp_path, monkeypatch):
    """A file of several pyarrow blocks (4 MiB each) whose later blocks bring new
    customers, types and months: dictionaries unified across blocks give the
    same records, skipped rows, warnings and problems as plain text columns."""
    from xlbilling.readers.altaro_itemised import AltaroItemisedReader

    path = tmp_path / "altaro.csv"
    lines = ["Customer,Object Type Backed Up,Object Name,Month"]
    for i in range(260_000):
        late = i > 200_000  # past the first block: customers, a type and a month not seen before
        cust = f"Late {i % 5}" if late and i % 3 == 0 else f"Customer {i % 40}"
        kind = "Teams" if late and i % 7 == 0 else ("Mailbox", "OneDrive", "SharePoint Site")[i % 3]
        month = "sometime" if late and i % 11 == 0 else "2026-10"
        lines.append(f"{cust},{kind},{'user' if i % 97 == 0 else 'User'} {i % 50},{month}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 2 * (4 << 20)

    def outcome():
        r = read_report(path)
        return r.records, r.skipped, r.warnings, r.problems, r.period, r.rows_read

    coded = outcome()
    monkeypatch.setattr(AltaroItemisedReader, "coded_cols", ())
    assert outcome() == coded
    assert any(r.account == "Late 0" for r in coded[0]) and any("sometime" in w for w in coded[2])
