"""The one cell-parsing point of the readers (readers/cells.py): locale numbers,
flags, dates, header matching, file sniffing."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from xlbilling.readers.cells import Cells, detect_decimal_comma, parse_number_text, quantity_text
from xlbilling.readers.headers import Col, match_header, norm_header
from xlbilling.readers.tables import sniff_type


@pytest.mark.parametrize("text, decimal_comma, expected", [
    ("1234.5", False, "1234.5"),
    ("1,234.5", False, "1234.5"),
    ("1.234,5", True, "1234.5"),
    ("1.234,5", False, "1234.5"),        # both separators: the rightmost is the decimal one
    ("12,5", False, "12.5"),             # a lone comma not followed by 3 digits is decimal
    ("1,234", False, "1234"),            # ambiguous: the file's convention (dot) decides
    ("1,234", True, "1.234"),
    ("1.234", True, "1234"),
    ("1.234", False, "1.234"),
    ("1,234,567", False, "1234567"),
    ("1.234.567", True, "1234567"),
    (" 2 048,75 ", True, "2048.75"),     # spaces as thousands separators
    ("1\u00a0234,5", True, "1234.5"),
    ("(3.5)", False, "-3.5"),
    ("-0.25", False, "-0.25"),
    ("1.25E+12", False, "1250000000000"),
    ("$12.30", False, "12.30"),
    ("0,0288", True, "0.0288"),
])
def test_numbers(text, decimal_comma, expected):
    assert parse_number_text(text, decimal_comma) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "12 seats", "1.2.3", "1,23,4", "1.234,5.6", "--1", "1e", "N/A"])
def test_unreadable_numbers(text):
    assert parse_number_text(text, False) is None


@given(st.decimals(min_value=0, max_value=10 ** 12, places=2, allow_nan=False, allow_infinity=False))
def test_both_locales_round_trip(value):
    us = f"{value:,.2f}"                                             # 1,234,567.89
    eu = us.replace(",", "X").replace(".", ",").replace("X", ".")    # 1.234.567,89
    assert parse_number_text(us, False) == value
    assert parse_number_text(eu, True) == value


def test_decimal_separator_detected_per_file():
    assert detect_decimal_comma(["12,5", "1.234,56", "3"]) is True
    assert detect_decimal_comma(["12.5", "1,234.56"]) is False
    assert detect_decimal_comma(["1,234", "7"], hint=True) is True      # undecided: `;` file hint
    assert detect_decimal_comma(["1,234", "7"]) is False


def test_cells_numbers_floats_and_blanks():
    c = Cells("f.csv", None)
    assert c.number(0.1, 2, "x") == Decimal("0.1")          # Excel floats at 15 digits
    assert c.number(1250000000000.0, 2, "x") == Decimal(1250000000000)
    assert c.number(None, 3, "x") == 0 and c.blank_as_zero == {"x": 1}
    assert c.number(True, 4, "x") is None
    assert c.number("-1", 5, "x") is None
    assert c.number("2.5", 6, "n", integer=True) is None
    assert [(p.row, p.value) for p in c.problems] == [(4, True), (5, "-1"), (6, "2.5")]


@pytest.mark.parametrize("value, expected", [
    (1, True), (0, False), (1.0, True), ("1", True), ("0", False), ("True", True), ("false", False),
    ("Yes", True), ("no", False), ("Y", True), ("n", False), (None, False), ("", False), (True, True),
])
def test_flags(value, expected):
    assert Cells("f", None).flag(value, 2, "IsDel") is expected


def test_bad_flag():
    c = Cells("f", None)
    assert c.flag("2", 7, "IsDel") is None
    assert "row 7, column 'IsDel': found '2', expected 0 or 1" in str(c.problems[0])


@pytest.mark.parametrize("value, expected", [
    ("2026-10-06", dt.date(2026, 10, 6)),
    ("2026-10-06T00:00:00", dt.date(2026, 10, 6)),
    ("06.10.2026", dt.date(2026, 10, 6)),
    ("31/10/2026", dt.date(2026, 10, 31)),       # unambiguous D/M
    ("10/31/2026", dt.date(2026, 10, 31)),       # unambiguous M/D
    (46301, dt.date(2026, 10, 6)),               # Excel serial: 2026-10-06 - 1899-12-30 = 46301 days
    (46301.0, dt.date(2026, 10, 6)),
    ("46301", dt.date(2026, 10, 6)),
    (dt.datetime(2026, 10, 6, 13, 0), dt.date(2026, 10, 6)),
])
def test_dates(value, expected):
    assert Cells("f", None).date(value, 2, "d") == expected


def test_ambiguous_slash_date_needs_the_setting():
    c = Cells("f", None)
    assert c.date("06/10/2026", 2, "d") is None and "--slash-dates" in c.problems[0].expected
    assert Cells("f", None, slash_dates="DMY").date("06/10/2026", 2, "d") == dt.date(2026, 10, 6)
    assert Cells("f", None, slash_dates="MDY").date("06/10/2026", 2, "d") == dt.date(2026, 6, 10)


def test_headers_match_case_space_and_aliases():
    cols = (Col("AccountNo", ("Account Number",)), Col("SPlan", ("Service Plan",), required=False),
            Col("IsDel"))
    m = match_header(["Service plan", "ACCOUNT_NO", "Extra", "is del", "accountno"], cols)
    assert m.positions == {"SPlan": 0, "AccountNo": 1, "IsDel": 3}
    assert m.unknown == ("Extra",) and m.duplicates == ("accountno",) and m.missing == ()
    assert norm_header("\ufeffusage.absolute.total") == "usageabsolutetotal"


@pytest.mark.parametrize("head, kind", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "xls"), (b"PK\x03\x04rest", "xlsx"), (b"\x1f\x8brest", "gz"),
    (b"\xef\xbb\xbf<html>", "html"), (b"  <table>", "html"), (b"<?xml version", "html"), (b"[{\"a\": 1}]", "json"),
    (b"a,b\r\n1,2", "csv"), (b"\xef\xbb\xbfa;b", "csv"),
])
def test_sniff(head, kind):
    assert sniff_type(head) == kind


def test_quantity_text_is_exact():
    assert quantity_text(Decimal("1.1999999992549419403076171875")) == "1.1999999992549419403076171875"
    assert quantity_text(Decimal("1.500")) == "1.5"
    assert quantity_text(Decimal("1E+2")) == "100"
    assert quantity_text(Decimal("0.00")) == "0"
