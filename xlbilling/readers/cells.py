"""Cell parsing: the ONE place vendor cells become Decimal, flags, dates and
text (FORMATS.md), every bad cell collected so a file's problems are reported
together (nothing half-imported).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Iterable, Sequence

from xlbilling.core.formula_text import unescape_text
from xlbilling.core.money import MAX_REPORT_VALUE, D, excel_serial_to_date, out_of_range
from xlbilling.core.rules.axcient_bff import parse_flag
from xlbilling.errors import BadCellsError, CellProblem, RuleInputError

_NUMBER_TEXT = re.compile(r"[+-]?[\d.,]*\d[\d.,]*(?:[eE][+-]?\d+)?")
_GROUPED = {",": re.compile(r"[+-]?\d{1,3}(?:,\d{3})+"), ".": re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")}
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}\s+|\s+[A-Z]{3}$")  # 'EUR 12,50', '12.50 USD'
_SPACES_IN_NUMBERS = str.maketrans("", "", " \u00a0\u202f\u2009'")
# Evidence of the file's decimal separator (FORMATS.md: `1,234.5` or `1.234,5`).
_COMMA_DECIMAL = re.compile(r"\d,(?:\d{1,2}|\d{4,})$|\.\d{3},\d")
_DOT_DECIMAL = re.compile(r"\d\.(?:\d{1,2}|\d{4,})$|,\d{3}\.\d")


def detect_decimal_comma(samples: Iterable[object], *, hint: bool = False) -> bool:
    """Does this file write decimals with a comma?  Decided once per file from
    its unambiguous numbers ('12,5', '1.234,56' vs '12.5', '1,234.56'); when no
    number decides, `hint` (a `;`-delimited CSV) does."""
    comma = dot = 0
    for v in samples:
        if not isinstance(v, str):
            continue
        t = v.strip().translate(_SPACES_IN_NUMBERS)
        if _COMMA_DECIMAL.search(t):
            comma += 1
        elif _DOT_DECIMAL.search(t):
            dot += 1
    if comma or dot:
        return comma > dot
    return hint


def parse_number_text(text: str, decimal_comma: bool) -> Decimal | None:
    """'1,234.5' / '1.234,5' / '12,5' / '(3)' -> Decimal; None if unreadable.

    A value with both separators: the rightmost is the decimal point.  A single
    separator followed by exactly three digits ('1,234', '1.234') is a
    thousands separator unless the file's convention says it is the decimal
    one; any other single separator is the decimal point."""
    t = text.strip()
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1]
    t = _CURRENCY_CODE.sub("", t.strip()).strip().strip("$€£").translate(_SPACES_IN_NUMBERS)
    if not _NUMBER_TEXT.fullmatch(t):
        return None
    mantissa, _, exponent = t.partition("e") if "e" in t else t.partition("E")
    has_dot, has_comma = "." in mantissa, "," in mantissa
    if has_dot and has_comma:
        dec = "." if mantissa.rfind(".") > mantissa.rfind(",") else ","
        thou = "," if dec == "." else "."
        whole, _, frac = mantissa.rpartition(dec)
        if dec in whole or not (_GROUPED[thou].fullmatch(whole) or re.fullmatch(r"[+-]?\d+", whole)):
            return None
        mantissa = whole.replace(thou, "") + "." + frac
    elif has_comma or has_dot:
        sep = "," if has_comma else "."
        count = mantissa.count(sep)
        three_after = re.fullmatch(rf"[+-]?\d{{1,3}}\{sep}\d{{3}}", mantissa) is not None
        sep_is_decimal = decimal_comma if sep == "," else not decimal_comma
        if count == 1 and (sep_is_decimal or not three_after):
            mantissa = mantissa.replace(sep, ".")
        elif _GROUPED[sep].fullmatch(mantissa):
            mantissa = mantissa.replace(sep, "")
        else:
            return None
    try:
        value = D(mantissa + (("e" + exponent) if exponent else ""))
    except RuleInputError:
        return None
    return -value if negative else value


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_DOT_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?: .*)?")
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: .*)?")
SLASH_DATE_ORDERS = ("DMY", "MDY")
EXCEL_DIGITS_FAST = 15  # core.money.EXCEL_SIGNIFICANT_DIGITS


class Cells:
    """Parses the cells of one import and collects every bad one, so a file's
    problems are reported together (nothing half-imported)."""

    def __init__(self, file: str, sheet: str | None, *, decimal_comma: bool = False,
                 slash_dates: str | None = None):
        self.file = file
        self.sheet = sheet
        self.decimal_comma = decimal_comma
        self.slash_dates = slash_dates
        self.problems: list[CellProblem] = []
        self.blank_as_zero: dict[str, int] = {}

    def bad(self, row: int | None, column: str | None, value: object, expected: str) -> None:
        self.problems.append(CellProblem(self.file, self.sheet, row, column, value, expected))

    def raise_if_any(self) -> None:
        if self.problems:
            raise BadCellsError(self.problems, file=self.file)

    def blank_warnings(self) -> list[str]:
        return [f"{n} blank cell(s) in column {c!r} read as 0" for c, n in self.blank_as_zero.items()]

    # -- numbers ---------------------------------------------------------
    def number(self, value: object, row: int, column: str, *, minimum: Decimal | None = Decimal(0),
               blank: Decimal | None = Decimal(0), integer: bool = False) -> Decimal | None:
        """Exact Decimal from a cell.  Blank -> `blank` (counted in the summary);
        `blank=None` makes a blank cell an error."""
        kind = type(value)
        if kind is str and len(value) < 18 and value.isascii() and value.isdigit():
            return Decimal(value)  # fast path: plain digits (most CSV quantities), exact, >= 0, < 10^18
        if kind is float and value.is_integer() and 0 <= value < 1e15:
            return Decimal(int(value))  # fast path: whole numbers from a workbook (exact below 2^53)
        expected = ("a whole number" if integer else "a number") + (" >= 0" if minimum is not None else "")
        if value is None or (isinstance(value, str) and not value.strip()):
            if blank is None:
                self.bad(row, column, value if value is not None else "", expected + " (the cell is blank)")
                return None
            self.blank_as_zero[column] = self.blank_as_zero.get(column, 0) + 1
            return blank
        result: Decimal | None
        if isinstance(value, bool):
            result = None
        elif isinstance(value, (int, float, Decimal)):
            try:
                result = D(value)  # floats at Excel's 15 significant digits
            except RuleInputError:
                result = None
        elif isinstance(value, str):
            result = parse_number_text(value, self.decimal_comma)
        else:
            result = None
        if result is None:
            self.bad(row, column, value, expected + self._number_hint(value))
            return None
        if out_of_range(result, MAX_REPORT_VALUE):
            # NOTE: 1e308, 1E+400, 10^40 bytes: refused here, naming the cell, so no
            # later sum or rounding runs out of Decimal's 28 digits.
            self.bad(row, column, value, f"{expected} below 10^{MAX_REPORT_VALUE.adjusted()} (value out of range)")
            return None
        if minimum is not None and result < minimum:
            self.bad(row, column, value, expected)
            return None
        if integer and result != result.to_integral_value():
            self.bad(row, column, value, expected)
            return None
        return result

    def numbers(self, values: Sequence[object], rows: Sequence[int], column: str, *,
                integer: bool = False) -> list[Decimal | None]:
        """`number` for a whole column (>= 0): a tight loop for the common cells
        (plain digits, workbook floats), `number` itself for everything else.

        Whole floats (counts, mostly a handful of values) are converted once per
        value: equal floats give the same Decimal(int(v)) (0.0 and -0.0 both 0).
        A positive float's repr without an exponent is digits, one '.', digits, so
        at most 16 characters means at most 15 digits: the significant-digit count
        is only computed for longer ones."""
        out: list[Decimal | None] = [None] * len(values)
        number = self.number
        whole: dict[float, Decimal] = {}
        for i, v in enumerate(values):
            kind = type(v)
            if kind is float:
                d = whole.get(v)
                if d is not None:
                    out[i] = d
                    continue
                if v.is_integer():
                    if 0 <= v < 1e15:
                        out[i] = whole[v] = Decimal(int(v))
                        continue
                elif not integer and 0 < v < 1e16:  # every non-integer float is below 2**52; inf is not
                    r = repr(v)
                    # The shortest repr of a float with <= 15 significant digits is
                    # exactly what D() gives (Excel's 15 digits): no need for format().
                    if "e" not in r and (len(r) <= 16 or
                                         len(r.replace(".", "").lstrip("0")) <= EXCEL_DIGITS_FAST):
                        out[i] = Decimal(r)
                        continue
            elif kind is str and len(v) < 18 and v.isascii() and v.isdigit():
                out[i] = Decimal(v)
                continue
            out[i] = number(v, rows[i], column, integer=integer)
        return out

    def flags(self, values: Sequence[object], rows: Sequence[int], column: str) -> list[bool | None]:
        """`flag` for a whole column; 0/1 numbers without the general checks."""
        flag = self.flag
        return [bool(v) if type(v) in (float, int) and (v == 0 or v == 1) else flag(v, rows[i], column)
                for i, v in enumerate(values)]

    @staticmethod
    def _number_hint(value: object) -> str:
        if isinstance(value, str) and re.search(r"\d", value):
            return " (like 1234.5, 1,234.5 or 1.234,5)"
        return ""

    # -- flags ------------------------------------------------------------
    def flag(self, value: object, row: int, column: str) -> bool | None:
        """0/1, True/False, Yes/No, Y/N (FORMATS.md); blank is 0.  The tokens are
        core.rules.axcient_bff.parse_flag's; a bad one is collected, not raised."""
        try:
            return parse_flag(value, column)
        except RuleInputError:
            self.bad(row, column, value, "0 or 1 (also True/False, Yes/No, Y/N)")
            return None

    # -- dates ------------------------------------------------------------
    def date(self, value: object, row: int, column: str, *, blank_ok: bool = True) -> dt.date | None:
        """ISO, DD.MM.YYYY, D/M/Y (needs the file's order when ambiguous), Excel serials."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if not blank_ok:
                self.bad(row, column, "", "a date (the cell is blank)")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                return excel_serial_to_date(value)
            if isinstance(value, str):
                t = value.strip()
                if m := _ISO_DATE.fullmatch(t):
                    return dt.date(int(m[1]), int(m[2]), int(m[3]))
                if m := _DOT_DATE.fullmatch(t):
                    return dt.date(int(m[3]), int(m[2]), int(m[1]))
                if m := _SLASH_DATE.fullmatch(t):
                    a, b, y = int(m[1]), int(m[2]), int(m[3])
                    order = self.slash_dates
                    if order is None:
                        if a > 12 >= b:
                            order = "DMY"
                        elif b > 12 >= a:
                            order = "MDY"
                        else:
                            self.bad(row, column, value, "a date; D/M/Y or M/D/Y is ambiguous here: set the"
                                                         " slash-date order (--slash-dates DMY|MDY)")
                            return None
                    return dt.date(y, b, a) if order == "DMY" else dt.date(y, a, b)
                if re.fullmatch(r"\d{4,6}(\.\d+)?", t):
                    return excel_serial_to_date(Decimal(t))
        except (ValueError, RuleInputError):
            pass
        self.bad(row, column, value, "a date (YYYY-MM-DD, DD.MM.YYYY or an Excel date)")
        return None

    # -- text -------------------------------------------------------------
    @staticmethod
    def text(value: object) -> str:
        return cell_text(value)


def cell_text(value: object) -> str:
    """A cell as text: ids read by Excel as numbers (12345.0) come back as '12345'."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        # "'=x": the text marker xlbilling's own CSVs (and spreadsheets) put before
        # formula-like text; the vendor's text is what follows it
        return unescape_text(text) if text[:1] == "'" else text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and 0 < abs(value) < 1e15:
            return str(int(value))  # ids read as numbers (12345.0): what D() + format give, quickly
        d = D(value)
        return format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def import_value(value: object) -> object:
    """Cell value for the import sheet: str / Decimal / date / None."""
    if type(value) is str:   # most cells: one type test instead of five isinstance
        return value if value.strip() else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        try:
            return D(value)
        except RuleInputError:
            return str(value)
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    return value


def looks_like_formula(text: str) -> bool:
    """A vendor string Excel would run as a formula (=, +, -, @ first)."""
    return bool(text) and text[0] in "=+@" or text.startswith("-") and not re.fullmatch(r"-[\d.,]+", text)


def quantity_text(q: Decimal) -> str:
    """Exact decimal text, no exponent, no trailing zeros: 1.50 -> '1.5', 1E+2 -> '100'."""
    text = format(q, "f")  # never q.normalize(): it rounds to the context's 28 digits
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
