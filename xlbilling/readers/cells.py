"""What every vendor report reader shares: sniffing the file type from its first
bytes, loading the table (xls/xlsx via python-calamine, HTML tables, CSV via
pandas, JSON, any of them gzipped), finding the header row and matching
columns by name with aliases, and the ONE place cell values become Decimal,
flags, dates and text (FORMATS.md).

Readers (one module per vendor report) declare their columns as `Col`s and turn
a `Table` into records; `xlbilling.readers` picks one by sniffing.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import gzip
import hashlib
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from xlbilling.readers.integrity import (MAX_GRID_CELLS, check_xlsx, grid_cells_limit, gunzip_bounded, read_report_bytes,
                                         refuse_own_workbook)
from xlbilling.core.money import MAX_REPORT_VALUE, D, excel_serial_to_date, out_of_range
from xlbilling.core.period import Period
from xlbilling.core.problems import Problem
from xlbilling.core.records import Source, UsageRecord
from xlbilling.writers.csv_safe import unescape_text
from xlbilling.core.rules.axcient_bff import parse_flag
from xlbilling.errors import (BadCellsError, CellProblem, LimitError, MissingColumnsError, ReportError, RuleInputError,
                              UnrecognisedReportError)

# How many leading rows may precede the header (portal titles, blank lines).
HEADER_SEARCH_ROWS = 20
PREVIEW_ROWS = HEADER_SEARCH_ROWS + 5


# ============================================================================
# Results
# ============================================================================

@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A source row read but not billed, and why (deleted Axcient account,
    Acronis feature switch ...), with the quantities it still carried."""

    source: Source
    account: str
    customer: str
    reason: str
    quantities: dict[str, Decimal] = field(default_factory=dict)


class LazyRows(Sequence):
    """The source table for the workbook's import sheet, built on first use so
    a million-row file costs nothing unless someone shows it."""

    def __init__(self, build: Callable[[], list[tuple]]):
        self._build = build
        self._rows: list[tuple] | None = None

    def _get(self) -> list[tuple]:
        if self._rows is None:
            self._rows = self._build()
            self._build = None  # type: ignore[assignment]
        return self._rows

    def __getitem__(self, index):  # type: ignore[override]
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return "LazyRows(built)" if self._rows is not None else "LazyRows(not built)"


@dataclass(frozen=True, slots=True)
class ReadResult:
    """Everything one report gave: records to bill, rows skipped and why,
    unknown columns and warnings for the import summary, and the table as read."""

    file: str
    sha256: str
    vendor: str
    report_type: str
    records: tuple[UsageRecord, ...]
    rows_read: int
    skipped: tuple[SkippedRow, ...] = ()
    unknown_columns: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: Sequence[tuple] = ()
    file_type: str = ""
    sheet: str | None = None
    # The period the file states (a column, a title row or its name), None when
    # it states none (core/period.py; checked against the billing month by run_month).
    period: "Period | None" = None
    # typed problems (kind code + vendor, account, customer, source): what pricing
    # passes on; `warnings` holds the same sentences for the import summary
    problems: tuple[Problem, ...] = ()

    def summary_lines(self) -> list[str]:
        """The import summary a finance user reads (CLI stderr, import sheet)."""
        where = f"{self.file}" + (f" sheet {self.sheet!r}" if self.sheet else "")
        lines = [f"{where}: {self.vendor} {self.report_type} ({self.file_type}); {self.rows_read} data rows read,"
                 f" {len(self.records)} records, {len(self.skipped)} rows skipped"]
        reasons: dict[str, int] = {}
        for s in self.skipped:
            reasons[s.reason] = reasons.get(s.reason, 0) + 1
        for reason, n in reasons.items():
            lines.append(f"  skipped {n}: {reason}")
        if self.unknown_columns:
            lines.append("  unknown columns ignored: " + ", ".join(self.unknown_columns))
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return lines


@dataclass(frozen=True, slots=True)
class ReaderInfo:
    """What `identify` found: which reader, on which sheet and header row."""

    file: str
    file_type: str
    reader: str
    vendor: str
    report_type: str
    sheet: str | None
    header_row: int
    headers: tuple[str, ...]


# ============================================================================
# Column specifications and header matching
# ============================================================================

def norm_header(text: object) -> str:
    """Header key: case, spaces, `_`, `-`, `.` and a BOM ignored, so `Account No`,
    `account_no` and `ACCOUNTNO` are one column."""
    return re.sub(r"[\s_\-.\ufeff\"']+", "", str(text or "")).casefold()


@dataclass(frozen=True, slots=True)
class Col:
    """A column a reader knows: canonical name, accepted spellings, required?"""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    # Last resort for columns vendors name freely (the Altaro customer column):
    # a header containing this text, when no spelling matched exactly.
    contains: str = ""

    def keys(self) -> set[str]:
        return {norm_header(self.name), *(norm_header(a) for a in self.aliases)}


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    positions: dict[str, int]          # canonical name -> column position
    missing: tuple[str, ...]           # required columns (or one-of groups) absent
    unknown: tuple[str, ...]           # header cells matching no column
    duplicates: tuple[str, ...]        # headers matching a column already found
    score: float                       # share of required columns present


def match_header(headers: Sequence[object], cols: Sequence[Col],
                 one_of: Sequence[tuple[str, ...]] = ()) -> HeaderMatch:
    by_key: dict[str, str] = {}
    for col in cols:
        for k in col.keys():
            by_key.setdefault(k, col.name)
    positions: dict[str, int] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for pos, h in enumerate(headers):
        text = "" if h is None else str(h).strip()
        if not text:
            continue
        name = by_key.get(norm_header(text))
        if name is None:
            unknown.append(text)
        elif name in positions:
            duplicates.append(text)
        else:
            positions[name] = pos
    for col in cols:
        if col.contains and col.name not in positions:
            for pos, h in enumerate(headers):
                text = "" if h is None else str(h).strip()
                if text in unknown and norm_header(col.contains) in norm_header(text):
                    positions[col.name] = pos
                    unknown.remove(text)
                    break
    required = [c.name for c in cols if c.required]
    missing = [n for n in required if n not in positions]
    for group in one_of:
        if not any(n in positions for n in group):
            missing.append(" or ".join(group))
    total = len(required) + len(one_of)
    present = total - len(missing)
    return HeaderMatch(positions, tuple(missing), tuple(unknown), tuple(duplicates),
                       present / total if total else 0.0)


def close_matches(missing: str, headers: Iterable[object]) -> list[str]:
    """difflib suggestions for a missing column among the header cells found."""
    found = [str(h).strip() for h in headers if h not in (None, "") and str(h).strip()]
    keyed = {norm_header(h): h for h in found}
    out: list[str] = []
    for name in missing.split(" or "):
        for k in difflib.get_close_matches(norm_header(name), list(keyed), n=3, cutoff=0.75):
            if keyed[k] not in out:
                out.append(keyed[k])
    return out


# ============================================================================
# Cell parsing: the one place vendor cells become Decimal / flag / date / text
# ============================================================================

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
        (plain digits, workbook floats), `number` itself for everything else."""
        out: list[Decimal | None] = [None] * len(values)
        number = self.number
        for i, v in enumerate(values):
            kind = type(v)
            if kind is float:
                if v.is_integer():
                    if 0 <= v < 1e15:
                        out[i] = Decimal(int(v))
                        continue
                elif not integer and v > 0:
                    r = repr(v)
                    # The shortest repr of a float with <= 15 significant digits is
                    # exactly what D() gives (Excel's 15 digits): no need for format().
                    if "e" not in r and len(r.replace(".", "").lstrip("0")) <= EXCEL_DIGITS_FAST:
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


# ============================================================================
# Loading: sniff the type, then a Table per sheet
# ============================================================================

MAGIC_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAGIC_ZIP = b"PK\x03\x04"
MAGIC_GZIP = b"\x1f\x8b"
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass
class Table:
    """One sheet (or CSV/HTML/JSON table) as loaded, before header matching.

    `preview` are the first rows (for sniffing); `load(header_index, positions)`
    returns the data below the header as a DataFrame whose columns are the
    header positions asked for, and the row numbers as the spreadsheet shows
    them (header = its own row, so usually 1; first data row 2).  Blank rows
    are dropped."""

    file: str
    file_type: str
    sheet: str | None
    preview: list[list[object]]
    loader: Callable[[int, Sequence[int]], tuple[Any, list[int]]]
    delimiter: str | None = None
    encoding: str | None = None
    # CSV only: the same text split by the other delimiters, tried when no reader
    # recognises a header with the sniffed one (a quoted field full of ';').
    variants: Callable[[], list["Table"]] | None = None
    # Set by read_report before load(): keep a last row cut short (with a warning)
    # instead of refusing the file; warnings found while loading go to `notes`.
    accept_short_last_row: bool = False
    notes: list[str] = field(default_factory=list)

    def load(self, header_index: int, positions: Sequence[int]) -> tuple[Any, list[int]]:
        return self.loader(header_index, positions)


def sniff_type(data: bytes) -> str:
    """FORMATS.md: the type from the first bytes, never the extension."""
    if data.startswith(MAGIC_OLE2):
        return "xls"
    if data.startswith(MAGIC_ZIP):
        return "xlsx"
    if data.startswith(MAGIC_GZIP):
        return "gz"
    head = data[:2048]
    for bom in BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    text = head.replace(b"\x00", b"").lstrip().lower()
    if text.startswith(b"<"):
        return "html"
    if text.startswith(b"[") or text.startswith(b"{"):
        return "json"
    return "csv"


def load_tables(data: bytes, file: str) -> tuple[str, list[Table]]:
    """All tables of a report, by sniffed type.  gzip is opened and sniffed again."""
    if not data[:4096].strip() and not data.strip():  # the head decides without copying a big file
        raise UnrecognisedReportError(f"{file}: the file is empty (0 data bytes): download the report again")
    kind = sniff_type(data)
    if kind == "gz":
        try:
            inner = gunzip_bounded(data, file)  # refused while inflating past the bounds (bombs)
        except (OSError, EOFError, zlib.error) as err:
            raise UnrecognisedReportError(f"{file}: a gzip file that cannot be opened ({err}): the download is"
                                          " probably truncated; download it again") from None
        inner_type, tables = load_tables(inner, file)
        for t in tables:
            t.file_type = inner_type + ".gz"
        return inner_type + ".gz", tables
    if kind in ("xls", "xlsx"):
        return kind, _workbook_tables(data, file, kind)
    if kind == "html":
        return kind, _html_tables(data, file)
    if kind == "json":
        return kind, [_json_table(data, file)]
    return kind, [_csv_table(data, file)]


# -- workbooks (python-calamine: fast, reads BIFF .xls and .xlsx) -----------

def _workbook_tables(data: bytes, file: str, kind: str) -> list[Table]:
    import python_calamine as pc

    if kind == "xlsx":
        # member sizes, inflation ratio, CRCs and each sheet's used area, all checked
        # while streaming and before calamine (which aborts on a huge grid)
        check_xlsx(data, file)
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as err:  # calamine raises its own and plain errors for damaged files
        raise UnrecognisedReportError(f"{file}: cannot open it as .{kind} ({type(err).__name__}: {err});"
                                      " the file may be damaged or password-protected") from None
    refuse_own_workbook(file, wb.sheet_names)
    tables: list[Table] = []
    try:
        for name in wb.sheet_names:
            try:
                grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as err:
                raise UnrecognisedReportError(f"{file}: sheet {name!r} cannot be read ({err})") from None
            preview = [[None if c == "" else c for c in row] for row in grid[:PREVIEW_ROWS]]
            tables.append(Table(file, kind, name, preview, _grid_loader(grid)))
    finally:
        wb.close()
    return tables


def _grid_loader(grid: list[list[object]]):
    def load(header_index: int, positions: Sequence[int]):
        import numpy as np
        import pandas as pd

        body = grid[header_index + 1:]
        frame = pd.DataFrame(body, dtype=object) if body else pd.DataFrame(dtype=object)
        rows = np.arange(header_index + 2, header_index + 2 + len(frame))
        if len(frame):
            # blank rows (trailing or between) carry nothing; their numbers are kept
            cells = frame.to_numpy(dtype=object)
            blank = ((cells == None) | (cells == "")).all(axis=1)  # noqa: E711 - elementwise
            if blank.any():
                frame = frame[~blank].reset_index(drop=True)
                rows = rows[~blank]
        out = pd.DataFrame({p: frame[p] if p in frame.columns else pd.Series([None] * len(frame), dtype=object)
                            for p in positions}, index=frame.index)
        return out, rows.tolist()
    return load


# -- HTML tables saved as .xls ---------------------------------------------

# HTML's own bounds (WHATWG: colspan is clamped to 1000, rowspan to 65534); a
# larger value is refused rather than clamped: no vendor report needs it.
MAX_COLSPAN, MAX_ROWSPAN = 1000, 65534


class _TableParser(HTMLParser):
    def __init__(self, file: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.file = file
        self.cells = 0
        self.tables: list[list[list[str]]] = []
        self._stack: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._stack.append([])
        elif tag == "tr" and self._stack:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            a = dict(attrs)
            self._span = self._bounded(a.get("colspan"), "colspan", MAX_COLSPAN)
            self._bounded(a.get("rowspan"), "rowspan", MAX_ROWSPAN)  # checked; rows are not spanned
            self.cells += self._span
            if self.cells > MAX_GRID_CELLS:
                raise LimitError(f"{self.file}: the HTML tables hold more than {MAX_GRID_CELLS:,} cells; refusing it")
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def _bounded(self, value: str | None, name: str, limit: int) -> int:
        text = (value or "").strip()
        if not (text.isascii() and text.isdigit()):
            return 1
        if len(text) > 7 or int(text) > limit:
            row = sum(len(t) for t in self._stack) + 1
            raise LimitError(f"{self.file}: HTML table row {row}: {name}={text[:20]!r}; at most {limit} is read"
                             " (HTML's own limit): refusing the file")
        return max(1, int(text))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._row.extend([""] * (getattr(self, "_span", 1) - 1))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._stack:
            self._stack[-1].append(self._row)
            self._row = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' for text saved as UTF-16 without a BOM (Excel's
    "Unicode text" from some tools): most ASCII characters then have a NUL byte
    on the same side.  None for anything else (a binary file has NULs all over)."""
    head = data[:4096]
    if len(head) < 8 or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    head = head[: len(head) // 2 * 2]
    even, odd = head[0::2], head[1::2]
    n = len(odd)
    if odd.count(0) > 0.6 * n and even.count(0) < 0.05 * n:
        return "utf-16-le"
    if even.count(0) > 0.6 * n and odd.count(0) < 0.05 * n:
        return "utf-16-be"
    return None


def _decode(data: bytes, file: str) -> tuple[str, str]:
    """FORMATS.md: UTF-8 with or without BOM, else cp1252 (UTF-16 when it has a BOM,
    or when its NUL bytes say so)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    elif enc := utf16_without_bom(data):
        return data.decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _html_tables(data: bytes, file: str) -> list[Table]:
    text, encoding = _decode(data, file)
    parser = _TableParser(file)
    parser.feed(text)
    parser.close()
    tables = [t for t in parser.tables if t]
    if not tables:
        raise UnrecognisedReportError(f"{file}: an HTML file without a table; expected a vendor report table")
    out = []
    for i, grid in enumerate(tables):
        sheet = None if len(tables) == 1 else f"table {i + 1}"
        g: list[list[object]] = [[c if c != "" else None for c in row] for row in grid]
        out.append(Table(file, "html", sheet, g[:PREVIEW_ROWS], _grid_loader(g), encoding=encoding))
    return out


# -- JSON (Altaro's API link for some accounts) ------------------------------

def _json_table(data: bytes, file: str) -> Table:
    text, encoding = _decode(data, file)
    try:
        obj = json.loads(text)
    except RecursionError:
        raise LimitError(f"{file}: JSON nested deeper than xlbilling reads (a report is a list of rows, two levels);"
                         " refusing it") from None
    except json.JSONDecodeError as err:
        raise UnrecognisedReportError(f"{file}: looks like JSON but cannot be parsed ({err}); the file may be"
                                      " truncated") from None
    if isinstance(obj, dict):
        lists = [v for v in obj.values() if isinstance(v, list)]
        obj = lists[0] if len(lists) == 1 else obj
    if not isinstance(obj, list) or not all(isinstance(o, dict) for o in obj):
        raise UnrecognisedReportError(f"{file}: JSON but not a list of objects (rows); expected e.g."
                                      ' [{"Customer": ..., "Object Name": ..., "Object Type Backed Up": ...}]')
    keys: list[str] = []
    seen: set[str] = set()
    for o in obj:
        for k in o:
            if k not in seen:
                seen.add(k)
                keys.append(k)
    # Row numbers as if the list were a sheet: header row 1, first object row 2.
    grid_cells_limit(file, len(obj), len(keys), "JSON list")
    grid: list[list[object]] = [list(keys)]
    for n, o in enumerate(obj, start=2):
        try:
            grid.append([_json_cell(o.get(k)) for k in keys])
        except LimitError as err:
            raise LimitError(f"{file}: row {n} (object {n - 1}): {err}") from None
    return Table(file, "json", None, grid[:PREVIEW_ROWS], _grid_loader(grid), encoding=encoding)


def _json_cell(v: object) -> object:
    if isinstance(v, (dict, list)):
        if _depth(v) > MAX_JSON_CELL_DEPTH:
            raise LimitError(f"a JSON value nested more than {MAX_JSON_CELL_DEPTH} levels inside a row; refusing it")
        return json.dumps(v)
    if isinstance(v, float):
        return repr(v)  # JSON numbers as text, parsed exactly later
    return v


MAX_JSON_CELL_DEPTH = 32


def _depth(v: object) -> int:
    """Nesting depth of a JSON value, without recursion."""
    depth, level = 0, [v]
    while level:
        depth += 1
        if depth > MAX_JSON_CELL_DEPTH:
            return depth
        level = [c for x in level for c in (x.values() if isinstance(x, dict) else x if isinstance(x, list) else ())
                 if isinstance(c, (dict, list))]
    return depth


# -- delimited text (pandas with the pyarrow string dtype for big files) -----

def _sniff_delimiter(lines: list[str]) -> str:
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        counts = []
        for row in csv.reader(lines[:10], delimiter=delim):
            counts.append(len(row))
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = delim, score
    return best


class _Text:
    """A delimited file's text, decoded only when needed: UTF-8 bytes go to
    pyarrow as they are (it checks them), so a big file is not held twice."""

    def __init__(self, data: bytes):
        self.encoding = "utf-8"
        self._text: str | None = None
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            self._text, self.encoding = data.decode("utf-16"), "utf-16"
            self.body = b""
            return
        if enc := utf16_without_bom(data):
            self._text, self.encoding = data.decode(enc, errors="replace"), enc
            self.body = b""
            return
        self.body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        head = self.body[:65536]
        try:  # a multi-byte character cut at the end of the head is fine
            codecs.getincrementaldecoder("utf-8")().decode(head, final=len(self.body) <= 65536)
        except UnicodeDecodeError:
            self.encoding = "cp1252"

    def head(self) -> str:
        if self._text is not None:
            return self._text[:65536]
        return self.body[:65536].decode(self.encoding, errors="ignore" if self.encoding == "utf-8" else "replace")

    def text(self) -> str:
        if self._text is None:
            try:
                self._text = self.body.decode(self.encoding) if self.encoding == "utf-8" else None
            except UnicodeDecodeError:  # UTF-8 at the top, cp1252 further down
                self.encoding = "cp1252"
            if self._text is None:
                self._text = self.body.decode("cp1252", errors="replace")
        return self._text

    def line_count(self) -> int:
        """Physical lines (a last line without a line break counts)."""
        if self._text is None and self.encoding == "utf-8":
            n = self.body.count(b"\n")
            return n + (1 if self.body and not self.body.endswith(b"\n") else 0)
        text = self.text()
        return text.count("\n") + (1 if text and not text.endswith("\n") else 0)

    def has_quote(self) -> bool:
        """Whether any '"' is in the file: without one no cell can span lines."""
        if self._text is None and self.encoding == "utf-8":
            return b'"' in self.body
        return '"' in self.text()

    def ends_with_newline(self) -> bool:
        if self._text is None and self.encoding == "utf-8":
            return self.body.rstrip(b" \t").endswith((b"\n", b"\r"))
        return self.text().rstrip(" \t").endswith(("\n", "\r"))

    def utf8(self) -> bytes:
        return self.body if self.encoding == "utf-8" and self._text is None else self.text().encode("utf-8")


DELIMITERS = (",", ";", "\t", "|")


def _csv_table(data: bytes, file: str) -> Table:
    source = _Text(data)
    head = source.head()
    head_lines = head.splitlines()[:PREVIEW_ROWS + 1]
    if len(head) >= 65000 and len(head_lines) > 1:
        head_lines = head_lines[:-1]  # the last line may be cut
    if "\x00" in head:
        raise UnrecognisedReportError(f"{file}: a binary file, not a spreadsheet or CSV report")
    sniffed = _sniff_delimiter(head_lines)

    def variants() -> list[Table]:
        return [_delimited_table(source, file, head_lines, d) for d in DELIMITERS if d != sniffed]

    table = _delimited_table(source, file, head_lines, sniffed)
    table.variants = variants
    return table


def _delimited_table(source: "_Text", file: str, head_lines: list[str], delimiter: str) -> Table:
    preview: list[list[object]] = [[c if c.strip() else None for c in row]
                                   for row in csv.reader(head_lines, delimiter=delimiter)]
    table: Table

    def load(header_index: int, positions: Sequence[int]):
        import numpy as np

        # Every cell is read as a string (parsed exactly later) and only the columns
        # a reader uses are kept.  pyarrow's CSV reader (multi-threaded C++) does a
        # million rows in a fraction of a second; ragged files fall back to the csv
        # module.  Row numbers count records as a spreadsheet shows them.
        width = max((len(r) for r in preview[header_index:header_index + 1]), default=0)
        wanted = [p for p in positions if p < width]
        shape = _Shape()
        try:
            frame = _arrow_csv(source.utf8(), delimiter, header_index, width, wanted)
        except _BadUTF8:
            source.text()  # re-decoded (cp1252), then read again
            try:
                frame = _arrow_csv(source.utf8(), delimiter, header_index, width, wanted)
            except (_RaggedCSV, _BadUTF8):
                frame = _python_csv(source.text(), delimiter, header_index, wanted, shape)
        except _RaggedCSV:
            frame = _python_csv(source.text(), delimiter, header_index, wanted, shape)
        # Files that lose rows do not pass: a quote never closed (the rest of the file
        # read as one cell), a last row cut short.
        # (Without a quote character no cell spans lines: nothing to check, the file is not counted again.)
        if source.has_quote() and source.line_count() - (header_index + 1) > len(frame):
            _check_spanning_cells(source.text(), delimiter, header_index, width, table.file)
        if shape.last_width is not None and shape.last_width < width and not source.ends_with_newline():
            where = f"{table.file}, row {header_index + 1 + shape.records}"
            if not table.accept_short_last_row:
                raise ReportError(f"{where}: the last row has {shape.last_width} of the {width} fields and the"
                                  " file does not end with a line break: the file looks cut short. Download it"
                                  " again, or add --accept-short-last-row to read that row as it is")
            table.notes.append(f"row {header_index + 1 + shape.records}: last row cut short ({shape.last_width} of"
                               f" {width} fields), read as it is (--accept-short-last-row)")
        rows = np.arange(header_index + 2, header_index + 2 + len(frame))
        if len(frame) and wanted:
            # Drop blank records (e.g. ",,,," trailing rows) without a Python loop: the
            # first column decides for nearly every row, the others only where it is blank.
            blank = (frame[wanted[0]].str.strip() == "").to_numpy(dtype=bool)
            for p in wanted[1:]:
                maybe = np.flatnonzero(blank)
                if not len(maybe):
                    break
                blank[maybe] = (frame[p].iloc[maybe].str.strip() == "").to_numpy(dtype=bool)
            if blank.any():
                frame = frame[~blank].reset_index(drop=True)
                rows = rows[~blank]
        for p in positions:
            if p not in frame.columns:
                frame[p] = ""
        release_arrow_memory()  # the parse's and the blank check's buffers, freed but kept by the pool
        if len(rows) == 0 or rows[-1] - rows[0] == len(rows) - 1:
            # no record dropped: a range (a million-int list costs, and row_array() needs none)
            return frame, range(int(rows[0]), int(rows[-1]) + 1) if len(rows) else []
        return frame, rows.tolist()

    table = Table(file, "csv", None, preview, load, delimiter=delimiter, encoding=source.encoding)
    return table


def release_arrow_memory() -> None:
    """Give pyarrow's freed buffers back to the system: its pool (mimalloc/jemalloc)
    keeps them mapped, so columns a reader has dropped would still count in the
    process's peak memory while Python allocates the records."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


class _Shape:
    """What the csv-module fallback saw: records after the header, the last one's width."""

    def __init__(self) -> None:
        self.records = 0
        self.last_width: int | None = None


def _check_spanning_cells(text: str, delimiter: str, header_index: int, width: int, file: str) -> None:
    """Some records span several lines: fine for a quoted address, not for a
    quote that never closes and swallows the rows below it (the Altaro case:
    49 users read as 2).  A cell holding a line that looks like a whole row
    (at least width-1 delimiters) is refused, naming the row."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    line = 0
    for i, row in enumerate(reader):
        start = line + 1
        line = reader.line_num
        if i <= header_index or line == start:
            continue
        for cell in row:
            if "\n" not in cell:
                continue
            inner = cell.split("\n")[1:]
            if any(part.count(delimiter) >= max(1, width - 1) for part in inner) or cell.count("\n") > 1000:
                raise ReportError(
                    f"{file}, row {i + 1} (line {start}): a quote (\") opens a cell that runs over {line - start + 1}"
                    f" lines holding what look like whole rows: the quote is probably never closed, so rows"
                    f" would be lost. Fix that cell's quotes or download the report again")


class _RaggedCSV(Exception):
    pass


class _BadUTF8(Exception):
    pass


def _arrow_csv(raw: bytes, delimiter: str, header_index: int, width: int, wanted: Sequence[int]):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [str(i) for i in range(width)]
    keep = [str(p) for p in wanted] or names[:1]
    try:
        table = pcsv.read_csv(
            pa.BufferReader(raw),   # the bytes as they are (io.BytesIO would be read in copies)
            read_options=pcsv.ReadOptions(skip_rows=header_index + 1, column_names=names, block_size=1 << 22),
            # Without a quote character no value can hold a line break, so the faster
            # newline-only block splitting reads the same records (~30 % of this call).
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=b'"' in raw,
                                            ignore_empty_lines=False),
            # large_string: what pandas' pyarrow strings hold, so to_pandas copies nothing
            convert_options=pcsv.ConvertOptions(include_columns=keep,
                                                column_types={n: pa.large_string() for n in names},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException) as err:
        if "utf8" in str(err).lower() or "utf-8" in str(err).lower():
            raise _BadUTF8() from None
        raise _RaggedCSV() from None
    frame = table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow")}.get)
    frame.columns = [int(c) for c in frame.columns]
    return frame


def _python_csv(text: str, delimiter: str, header_index: int, wanted: Sequence[int], shape: "_Shape | None" = None):
    """Rows of any length (short rows padded, extra cells ignored): the csv module."""
    import pandas as pd

    cols: dict[int, list[str]] = {p: [] for p in wanted}
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for i, row in enumerate(reader):
        if i <= header_index:
            continue
        n = len(row)
        if shape is not None:
            shape.records += 1
            shape.last_width = n
        for p in wanted:
            cols[p].append(row[p] if p < n else "")
    return pd.DataFrame({p: pd.Series(v, dtype=pd.StringDtype("pyarrow")) for p, v in cols.items()})


def read_bytes(path: str | Path) -> tuple[bytes, str, str]:
    """(bytes, name, sha256): regular files only, bounded, changes noticed (readers/integrity.py)."""
    return read_report_bytes(path)


# ============================================================================
# Readers
# ============================================================================

@dataclass
class Context:
    """What a reader gets: the table, its header match, the read options and
    the data columns (a DataFrame keyed by header position)."""

    table: Table
    header_index: int
    match: HeaderMatch
    headers: list[object]
    options: dict[str, Any]
    frame: Any = None
    row_numbers: Sequence[int] = field(default_factory=list)   # a list, or a range
    cells: Cells | None = None
    _lists: dict[str, list[object]] = field(default_factory=dict)
    # Loads every matched column when `frame` holds only the reader's read_cols
    # (same rows): a column outside them is still there when asked for.
    load_all: Callable[[], Any] | None = None

    @property
    def file(self) -> str:
        return self.table.file

    @property
    def sheet(self) -> str | None:
        return self.table.sheet

    def source(self, rows: Iterable[int]) -> Source:
        return Source(self.table.file, self.table.sheet, tuple(rows))

    def has(self, name: str) -> bool:
        return name in self.match.positions

    def _frame_with(self, pos: int):
        if pos not in self.frame.columns and self.load_all is not None:
            self.frame, self.load_all = self.load_all(), None
        return self.frame

    def series(self, name: str):
        """The column as a pandas Series (for vectorised readers)."""
        pos = self.match.positions[name]
        return self._frame_with(pos)[pos]

    def drop(self, *names: str) -> None:
        """The reader is done with these columns: when every column can be loaded
        again (load_all: the import sheet does), their memory is freed now."""
        if self.load_all is None:
            return
        for name in names:
            pos = self.match.positions.get(name)
            if pos is not None and pos in self.frame.columns:
                del self.frame[pos]

    def col(self, name: str) -> list[object]:
        """The column as a list of cell values ([None]*n when absent)."""
        if name not in self._lists:
            pos = self.match.positions.get(name)
            self._lists[name] = [None] * len(self.row_numbers) if pos is None else self._frame_with(pos)[pos].tolist()
        return self._lists[name]

    def header_of(self, name: str) -> str:
        """The header as the file spells it (for messages)."""
        pos = self.match.positions.get(name)
        return str(self.headers[pos]).strip() if pos is not None else name


class Reader:
    """One vendor report.  Subclasses declare `cols`, `one_of`, and `read(ctx)`."""

    name = "base"
    vendor = ""
    report_type = ""
    description = ""
    cols: tuple[Col, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    numeric_cols: tuple[str, ...] = ()   # sampled to decide the file's decimal separator
    # The columns read() uses, when far fewer than `cols` (None: all): only these
    # are loaded from a big file (memory), the rest on demand (Context.load_all).
    read_cols: tuple[str, ...] | None = None
    # Minimum share of required columns that makes a header "this report, with
    # columns missing" (-> MissingColumnsError) rather than "not this report".
    claim_score = 0.5

    def match(self, headers: Sequence[object]) -> HeaderMatch:
        return match_header(headers, self.cols, self.one_of)

    def read(self, ctx: Context) -> "ReaderOutput":
        raise NotImplementedError


@dataclass
class ReaderOutput:
    records: list[UsageRecord]
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    period: "Period | None" = None   # what the file's own columns state (core/period.py)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, kind: str, message: str, *, account: str = "", customer: str = "", source: str = "") -> None:
        """A typed problem (core/problems.py KINDS) and its sentence for the summary;
        read_report fills in the vendor and, when blank, the file as source."""
        self.warnings.append(message)
        self.problems.append(Problem(kind, "", account, customer, message, source))


def row_array(ctx: Context):
    """The row numbers as an int64 array (vectorised readers): a range without a list."""
    import numpy as np

    rows = ctx.row_numbers
    if isinstance(rows, range):
        return np.arange(rows.start, rows.stop, rows.step, dtype=np.int64)
    return np.asarray(rows, dtype=np.int64)


def iter_rows(ctx: Context, *names: str) -> Iterator[tuple]:
    """(row_number, value, value, ...) for the named canonical columns."""
    cols = [ctx.col(n) for n in names]
    return zip(ctx.row_numbers, *cols)


def merge_records(records: Iterable[UsageRecord]) -> list[UsageRecord]:
    """One record per vendor/account/item/tier/unit: quantities (and stated
    amounts) summed, source rows joined, first customer and details kept."""
    out: dict[tuple, UsageRecord] = {}
    for r in records:
        key = (r.vendor, r.account, r.item, r.tier, r.unit, r.vendor_currency)
        prev = out.get(key)
        if prev is None:
            out[key] = r
            continue
        amount = None if prev.vendor_amount is None and r.vendor_amount is None else \
            (prev.vendor_amount or Decimal(0)) + (r.vendor_amount or Decimal(0))
        out[key] = UsageRecord(prev.vendor, prev.account, prev.customer, prev.item, prev.quantity + r.quantity,
                               prev.unit, Source(prev.source.file, prev.source.sheet,
                                                 prev.source.rows + r.source.rows),
                               prev.tier, amount, prev.vendor_currency, prev.details)
    return list(out.values())
