"""The xlwings double may only offer what real xlwings 0.37.8 has: every
public name of each fake class exists on the real class (with the keyword
arguments the code passes), so code that passes against the double cannot
lean on something Excel's xlwings lacks.  And the double is strict."""
from __future__ import annotations

import inspect
from decimal import Decimal

import pytest
import xlwings.main as xwm

import xlwings_double as d

PAIRS = [
    (d.FakeApp, xwm.App),
    (d.FakeBook, xwm.Book),
    (d.FakeSheets, xwm.Sheets),
    (d.FakeSheet, xwm.Sheet),
    (d.FakeRange, xwm.Range),
    (d.FakeTables, xwm.Tables),
    (d.FakeTable, xwm.Table),
]


def public(cls):
    names = set(getattr(cls, "__slots__", ())) | {n for n in vars(cls) if not n.startswith("_")}
    return {n for n in names if not n.startswith("_")} - d.TEST_ONLY


@pytest.mark.parametrize("fake, real", PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_every_public_name_of_the_double_exists_in_xlwings(fake, real):
    missing = {n for n in public(fake) if not hasattr(real, n)}
    assert not missing, f"{fake.__name__} offers {sorted(missing)}, which xlwings.{real.__name__} lacks"


@pytest.mark.parametrize("real, method, params", [
    (xwm.App, "alert", {"prompt", "title"}),
    (xwm.Sheets, "add", {"name", "before", "after"}),
    (xwm.Tables, "add", {"source", "name", "table_style_name"}),
    (xwm.Table, "resize", {"range"}),
    (xwm.Sheet, "range", {"cell1", "cell2"}),
])
def test_the_keywords_the_code_uses_exist(real, method, params):
    assert params <= set(inspect.signature(getattr(real, method)).parameters)


def test_range_options_used_are_xlwings_options():
    # Range.options(**options) takes converter options; ndim and chunksize are documented ones.
    src = inspect.getsource(xwm.Range.options) + inspect.getsource(xwm)
    assert "chunksize" in src and "ndim" in src
    assert d._OPTIONS == {"ndim", "chunksize"}


def test_book_caller_and_the_properties_used():
    assert callable(xwm.Book.caller)
    for cls, names in [(xwm.App, ["screen_updating", "status_bar", "api"]),
                       (xwm.Sheet, ["used_range", "tables", "name", "activate"]),
                       (xwm.Range, ["value", "number_format", "last_cell", "row", "column", "address",
                                    "clear_contents", "clear"])]:
        for n in names:
            assert hasattr(cls, n), (cls, n)


def test_the_double_is_strict():
    book = d.FakeBook()
    sheet = book.sheets.add("S")
    with pytest.raises(AttributeError):
        book.app.screenupdating = False          # a typo fails, as it would do nothing in Excel
    with pytest.raises(AttributeError):
        sheet.range("A1").formula               # not part of the surface the code may use
    with pytest.raises(TypeError, match="Decimal"):
        sheet.range("A1").value = Decimal("1.10")
    with pytest.raises(ValueError, match="already present"):
        book.sheets.add("s")
    sheet.range("A1").value = "=1+1"
    with pytest.raises(AssertionError, match="does not calculate"):
        sheet.range("A1").value
    with pytest.raises(AssertionError, match="unexpected file picker"):
        book.app.api.GetOpenFilename("x", 1, "t")


def test_the_double_reads_like_xlwings():
    sheet = d.FakeBook().sheets.add("S")
    sheet.range("A1").value = [["'a", 1], ["'b", None]]
    assert sheet.range("A1").value == "a"
    assert sheet.range("A1:B1").value == ["a", 1.0]                    # one row: 1-D, as xlwings
    assert sheet.range("A1:A2").value == ["a", "b"]
    assert sheet.range("A1:A2").options(ndim=2).value == [["a"], ["b"]]
    assert sheet.used_range.address == "$A$1:$B$2"
    sheet.range("B1").number_format = "0.00"
    sheet.range("A1:B2").clear_contents()
    assert sheet.cells == {} and sheet.range("B1").number_format == "0.00"   # formats survive, as in Excel
