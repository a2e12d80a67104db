"""One Excel cell in, one argument out: the cell boundary of the Excel functions.

Why a separate module: every Excel function shares the same cell handling -
blank -> documented default, Excel error cells passed through (every error
code, not xlwings' seven), every error turned into a short cell text - so it
lives here once (the calls over ranges: excel/calls.py), and each UDF body is
a one-liner calling a core rule.  No xlwings import here (excel/udfs.py is the
only one), so this runs and is tested anywhere.

Cells (docs/udfs.md "How Excel hands cells over"): in Excel, excel/udfs.py's
converter reads a range's `Value2` (no 4-decimal Currency rounding, dates as
serials) and hands the raw COM shapes over - a scalar, or rows of cells as
tuples - after `clean_cells` has turned every Excel error code into its text
(#N/A, #SPILL!, ...).  `Arg.read` then turns one cell into what the rule takes;
a currency is validated once per distinct code (cached).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from xlbilling.core.money import normalise_currency
from xlbilling.errors import RuleInputError, UnknownCurrencyError, XlbillingError

# Excel's error values as COM hands them over: VT_ERROR scodes 0x800A0000 + the
# XlCVError number (pywin32 gives a plain negative int).  NOTE: XLWINGS_NOTES.md:
# xlwings' own cleaning maps only the first seven; every one is mapped here.
EXCEL_ERROR_NUMBERS = {
    2000: "#NULL!", 2007: "#DIV/0!", 2015: "#VALUE!", 2023: "#REF!", 2029: "#NAME?", 2036: "#NUM!",
    2042: "#N/A", 2043: "#GETTING_DATA", 2045: "#SPILL!", 2046: "#CONNECT!", 2047: "#BLOCKED!",
    2048: "#UNKNOWN!", 2049: "#FIELD!", 2050: "#CALC!",
}
_SCODE_BASE = 0x800A0000 - (1 << 32)          # the signed 32-bit scode of error number 0
ERROR_NUMBER_RANGE = range(2000, 2100)        # Excel's error range (XlCVError); unknown ones too
EXCEL_ERRORS = frozenset(EXCEL_ERROR_NUMBERS.values()) | {"#BUSY!"}
BAD_VALUE = "#VALUE!"
MAX_CELL_TEXT = 255  # XLWINGS_NOTES.md: keep strings returned to a cell to 255 characters (UTF-16 units)
EXCEL_ROWS = 1_048_576  # rows of a worksheet: a range this tall is a whole column


class _Required:
    """Sentinel for an argument without a default (a blank cell there is an error)."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


class ExcelError(str):
    """An Excel error cell (#N/A, #SPILL!, ...) as its text: a str, so it prints as
    Excel shows it, but its own type, so no rule can take it for a value."""

    __slots__ = ()


def scode_error(value: int) -> ExcelError | None:
    """The error text of a COM error scode in Excel's error range, else None."""
    number = value - _SCODE_BASE
    if number in ERROR_NUMBER_RANGE:
        return ExcelError(EXCEL_ERROR_NUMBERS.get(number, f"#ERROR {number}"))
    return None


def error_code(cell: Any) -> str | None:
    """The Excel error a cell holds (its text), or None: error texts ('#N/A'),
    ExcelError and raw error scodes alike."""
    cls = cell.__class__
    if cls is ExcelError:
        return str(cell)
    if cls is str:
        return cell if cell in EXCEL_ERRORS else None
    if cls is int:
        found = scode_error(cell)
        return None if found is None else str(found)
    return None


def _clean_cell(cell: Any) -> Any:
    cls = cell.__class__
    if cls is float or cls is str or cell is None or cls is bool:
        return cell
    if cls is int:
        found = scode_error(cell)
        return cell if found is None else found
    if isinstance(cell, _dt.datetime) and cell.tzinfo is not None:
        # pywintypes dates (VBA callers, Range.Value) are time-zone aware: keep the wall time
        return _dt.datetime(cell.year, cell.month, cell.day, cell.hour, cell.minute, cell.second,
                            cell.microsecond)
    return cell


class SheetRange(list):
    """A range's cells as rows (lists), read from Excel by excel/udfs.py's converter.
    `height` is the range's row count before trailing blank rows were dropped
    (whole columns); `spill_limit` is (rows, columns) Excel can show when it has
    no dynamic arrays, else None."""

    __slots__ = ("height", "spill_limit")

    def __init__(self, rows: list, height: int, spill_limit: tuple[int, int] | None = None):
        super().__init__(rows)
        self.height = height
        self.spill_limit = spill_limit


def clean_cells(raw: Any, *, to_sheet_end: bool = False, spill_limit: tuple[int, int] | None = None) -> Any:
    """Excel's COM value (a scalar, or rows of cells as tuples) -> what the UDFs
    take: error scodes become their error text before anything else looks at a
    cell, time-zone-aware dates become plain ones, rows become lists.  A range
    reaching the sheet's last row (a whole column) loses its trailing blank rows
    here, before they are cleaned one by one (`height` keeps the full count)."""
    if not isinstance(raw, (list, tuple)):
        return _clean_cell(raw)
    rows = list(raw)
    if rows and not isinstance(rows[0], (list, tuple)):
        rows = [rows]                       # a 1-D array: one row
    height = len(rows)
    if to_sheet_end:
        rows = rows[:_last_filled_row(rows)]
    return SheetRange([[_clean_cell(c) for c in row] for row in rows], height, spill_limit)


def _last_filled_row(rows: list) -> int:
    """1 + the index of the last row holding something (at least 1).  Blank runs
    are compared 4,096 rows at a time in C: a whole column costs milliseconds."""
    end, step = len(rows), 4096
    blank = tuple(rows[-1]) if rows and all(c is None for c in rows[-1]) else None
    if blank is not None:
        chunk = [blank] * step
        while end > step and rows[end - step:end] == chunk:
            end -= step
    while end > 1 and all(c is None or c == "" for c in rows[end - 1]):
        end -= 1
    return max(end, 1)


class CellError(RuleInputError):
    """A cell value a UDF cannot use, with the Excel error code to show (#VALUE!,
    or the code of an error cell passed through).  In the errors.py tree under
    RuleInputError; raised and caught only at this boundary."""

    def __init__(self, message: str, code: str = BAD_VALUE):
        super().__init__(message)
        self.code = code


def cell_text(function: str, err: BaseException) -> str:
    """The short text a cell shows for an error: code, function, message; no traceback."""
    if isinstance(err, CellError):
        code, message = err.code, str(err)
    elif isinstance(err, XlbillingError):
        code, message = BAD_VALUE, str(err)
    else:  # a bug: still no traceback in the cell, but say it is unexpected
        code, message = BAD_VALUE, f"unexpected {type(err).__name__}: {err}"
    return clip_cell_text(f"{code} {function}: {' '.join(message.split())}")


def utf16_units(text: str) -> int:
    """Excel counts a cell's characters in UTF-16 code units: an emoji is 2."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def clip_cell_text(text: str, limit: int = MAX_CELL_TEXT) -> str:
    """Text cut to `limit` UTF-16 units with '...', never inside a surrogate pair."""
    if utf16_units(text) <= limit:
        return text
    budget, cut = limit - 3, 0
    for ch in text:
        units = 2 if ord(ch) > 0xFFFF else 1
        if budget < units:
            break
        budget -= units
        cut += 1
    return text[:cut] + "..."


@lru_cache(maxsize=256)
def checked_currency(text: str, name: str) -> str:
    """Cached: a column of 'USD' is validated once, not once per row."""
    try:
        return normalise_currency(text)
    except UnknownCurrencyError:
        raise CellError(f"{name}: {text!r} is not an ISO 4217 currency code (e.g. USD, EUR, JPY)") from None


@dataclass(frozen=True, slots=True)
class Arg:
    """One UDF argument: its name, its documented default (REQUIRED: none) and
    whether it is a currency code (validated and cached here, so the error names
    this argument).  Other values pass to the core rule as Excel sent them: the
    rule converts them with money.D / to_date and names the argument itself."""

    name: str
    default: Any = REQUIRED
    expected: str = "a number"
    currency: bool = False
    shown: bool = True  # False: the default is a blank-cell rule, not an optional argument

    @property
    def doc(self) -> str:
        """The Function Wizard's help for this argument (xlwings' `doc=`), at most 255 characters."""
        text = self.expected[0].upper() + self.expected[1:]
        if self.currency:
            text = "A currency code such as USD, EUR, JPY"
        if self.default is REQUIRED:
            text += "; required (a blank cell is an error)"
        elif self.shown and self.default not in (None, ""):
            text += f"; blank: {self.default}"
        elif not self.shown:
            text += "; blank counts as 0"
        else:
            text += "; may be blank"
        return clip_cell_text(text + ". A cell, a value or a column.")

    @property
    def signature(self) -> str:
        if self.default is REQUIRED or self.default is None or not self.shown:
            return self.name
        return f"{self.name}={self.default!r}".replace("'", '"') if isinstance(self.default, str) \
            else f"{self.name}={self.default}"

    def read(self, value: Any) -> Any:
        """One cell -> the value handed to the rule (blank -> default).  An error
        cell, in any form, is refused with its own code before anything else."""
        code = error_code(value)
        if code is not None:
            raise CellError(f"{self.name} is the error {code}", code=code if code in EXCEL_ERRORS else BAD_VALUE)
        if value is None or (value.__class__ is str and not value.strip()):
            if self.default is REQUIRED:
                raise CellError(f"{self.name} is blank: expected {self.expected}")
            value = self.default
            if value is None:
                return None
        if value.__class__ is str:
            if self.currency:
                return checked_currency(value, self.name)
        elif self.currency:
            raise CellError(f"{self.name}: expected a currency code such as USD, found {value!r}")
        return value
