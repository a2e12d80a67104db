"""The price book is read with python-calamine (files/xlsx_open.read_sheet_grids), and
every value a validation message quotes must read as openpyxl's data_only read
gave it before: None for an empty cell, 15 (not 15.0) for a whole number, a
datetime for a date, '#N/A' for an error cell.  Checked cell by cell against
openpyxl on one workbook holding each kind, and through the loader's messages."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlbilling.errors import PriceBookError
from xlbilling.files.xlsx_open import read_sheet_grids
from xlbilling.pricing.pricebook import load_pricebook

SAMPLE = Path(__file__).resolve().parents[1] / "xlbilling" / "samples" / "pricebook_sample.xlsx"


def _with_error_cell(src: Path, dst: Path, sheet_member: str, ref: str, error: str) -> None:
    """Copy an xlsx, turning cell `ref` of one sheet into a cached error value
    (openpyxl cannot write one: what Excel saves for =NA() is <c t="e"><v>#N/A</v>)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == sheet_member:
                text = data.decode()
                text, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', f'<c r="{ref}" t="e"><f>NA()</f><v>{error}</v></c>',
                                  text, count=1)
                assert n == 1, ref
                data = text.encode()
            zout.writestr(info, data)


def _trim(rows):
    out = [list(r) for r in rows]
    for r in out:
        while r and r[-1] is None:
            r.pop()
    while out and not out[-1]:
        out.pop()
    return out


def test_grids_read_like_openpyxl_data_only(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws.append(["Header", None, "x"])
    ws.append([15, 15.5, -3])
    ws.append([dt.date(2026, 10, 1), dt.datetime(2026, 10, 1, 12, 30), dt.time(12, 30)])
    ws.append([True, "  text  ", "0042"])
    ws.append([None, 1e20, 0.1])
    ws.append(["placeholder", 1234567890123, "=1+1"])   # a formula without a cached value reads as empty
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    book = tmp_path / "book.xlsx"
    _with_error_cell(plain, book, "xl/worksheets/sheet1.xml", "A6", "#N/A")

    names, grids = read_sheet_grids(book, ["S", "Missing"])
    assert names == ["S"] and set(grids) == {"S"}
    ref = openpyxl.load_workbook(book, read_only=True, data_only=True)
    expected = _trim(ref["S"].iter_rows(values_only=True))
    got = _trim(grids["S"])
    assert got == expected
    # the kinds, by hand: whole numbers are ints, dates datetimes, the error its text
    assert got[1] == [15, 15.5, -3] and type(got[1][0]) is int
    assert got[2][0] == dt.datetime(2026, 10, 1, 0, 0) and got[2][2] == dt.time(12, 30)
    assert got[4] == [None, 1e20, 0.1] and got[5] == ["#N/A", 1234567890123]


def test_sample_pricebook_grids_equal_openpyxl():
    names, grids = read_sheet_grids(SAMPLE, ["Settings", "Customers", "Accounts", "Rates", "ExchangeRates"])
    ref = openpyxl.load_workbook(SAMPLE, read_only=True, data_only=True)
    assert names == ref.sheetnames
    for name, grid in grids.items():
        assert _trim(grid) == _trim(ref[name].iter_rows(values_only=True)), name


def test_messages_quote_the_cell_as_typed(tmp_path):
    """Bad Rates cells: the message names sheet, row, column and the value as the user typed it."""
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb["Rates"]
    price_col = [c.value for c in ws[1]].index("Unit price") + 1
    ws.cell(2, price_col).value = -5                      # whole number: quoted as -5, not -5.0
    ws.cell(3, price_col).value = dt.date(2026, 10, 1)    # a date where a price belongs
    ws.cell(4, price_col).value = "abc"
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    book = tmp_path / "pricebook.xlsx"
    member = f"xl/worksheets/sheet{wb.sheetnames.index('Rates') + 1}.xml"
    _with_error_cell(plain, book, member, f"{openpyxl.utils.get_column_letter(price_col)}5", "#N/A")
    with pytest.raises(PriceBookError) as err:
        load_pricebook(book)
    text = str(err.value)
    assert "sheet 'Rates', row 2, column 'Unit price': found -5, expected a number >= 0" in text
    assert ("sheet 'Rates', row 3, column 'Unit price': found datetime.datetime(2026, 10, 1, 0, 0),"
            " expected a number such as 0.25") in text
    assert "sheet 'Rates', row 4, column 'Unit price': found 'abc', expected a number such as 0.25" in text
    assert "sheet 'Rates', row 5, column 'Unit price': found '#N/A', expected a number such as 0.25" in text
