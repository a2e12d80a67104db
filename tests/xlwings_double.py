"""A strict test double of the small xlwings surface the ribbon action uses
(App.alert, App.api.GetOpenFilename, Book.sheets, Sheet.range/used_range/
tables, Range.value/options/clear_contents/number_format, Tables.add,
Table.resize), so the action runs end to end on Linux without Excel.

Strict on purpose: every class has __slots__ (a misspelt attribute fails
instead of silently working), every public name a production path may use
exists on the real xlwings class (tests/test_ribbon_double.py checks), and
values are stored the way Excel stores what `Range.value = ...` sends:
  - a str starting with "'" is text without the apostrophe (Excel's prefix);
  - a str starting with "=" is a formula; "+"/"-"/"@" text that is not a
    number becomes a formula too; numeric, TRUE/FALSE, ISO-date and "#N/A"
    text is converted, as Excel converts typed input - so a writer that
    forgets the text prefix is caught;
  - Decimal is refused (pywin32 would send it as Excel currency, 4 decimals).
Reading a formula cell raises: the double does not calculate.

Test-only helpers (not xlwings): `cells`/`formats` on FakeSheet, `alerts`,
`calls`, `log`, `snapshot()`, `book_from_xlsx()`, `xlsx_cells()`, `book_cells()`.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal

# Public names that exist only in the double, for the tests (not xlwings API).
TEST_ONLY = {"cells", "formats", "alerts", "calls", "log", "snapshot", "responses", "kind_at", "table_list"}

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!"}
_OPTIONS = {"ndim", "chunksize"}   # the Range.options keywords the double understands
_BAD_SHEET_CHARS = set('[]:*?/\\')


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _parse_a1(text: str) -> tuple[int, int]:
    m = _A1.match(text.strip())
    if not m:
        raise ValueError(f"double: unsupported address {text!r}")
    return int(m.group(2)), _col_number(m.group(1))


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


class Cell:
    """One stored cell: kind 'f' formula, 's' text, 'n' number, 'b' bool, 'd' datetime, 'e' error."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value):
        self.kind = kind
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Cell) and (self.kind, self.value) == (other.kind, other.value)

    def __repr__(self):
        return f"Cell({self.kind!r}, {self.value!r})"


def excel_store(value) -> Cell | None:
    """What Excel keeps for one element sent with Range.value = ... (None: empty)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return Cell("b", value)
    if isinstance(value, Decimal):
        raise TypeError("double: Decimal sent to Excel (pywin32 turns it into a 4-decimal currency);"
                        " use xlbilling.core.money.to_excel")
    if isinstance(value, (int, float)):
        return Cell("n", float(value))
    if isinstance(value, dt.datetime):
        return Cell("d", value)
    if isinstance(value, dt.date):
        return Cell("d", dt.datetime(value.year, value.month, value.day))
    if not isinstance(value, str):
        raise TypeError(f"double: {type(value).__name__} is not a value xlwings sends to Excel")
    if value == "":
        return None
    if value.startswith("'"):
        return Cell("s", value[1:])                       # the text prefix: Excel stores the rest as text
    if value.startswith("=") and len(value) > 1:
        return Cell("f", value)
    if _NUMBER.match(value):
        return Cell("n", float(value))
    if value.strip().upper() in ("TRUE", "FALSE"):
        return Cell("b", value.strip().upper() == "TRUE")
    if value.strip() in _ERRORS:
        return Cell("e", value.strip())
    if _ISO_DATE.match(value.strip()):
        return Cell("d", dt.datetime.fromisoformat(value.strip()))
    if value[0] in "+-@" and len(value) > 1:
        return Cell("f", "=" + value.lstrip("@+"))        # typed "-x" or "+x" is a formula in Excel
    return Cell("s", value)


# --- App -----------------------------------------------------------------------------

class FakeAppApi:
    """`app.api`: only GetOpenFilename, answering from `responses` (a path, or False = cancel)."""

    __slots__ = ("responses", "calls")

    def __init__(self, responses=()):
        self.responses = list(responses)
        self.calls: list[tuple] = []

    def GetOpenFilename(self, FileFilter=None, FilterIndex=None, Title=None, ButtonText=None,  # noqa: N802,N803
                        MultiSelect=None):
        self.calls.append((FileFilter, FilterIndex, Title))
        if not self.responses:
            raise AssertionError(f"double: unexpected file picker ({Title!r}); no response configured")
        return self.responses.pop(0)


class FakeApp:
    __slots__ = ("api", "alerts", "screen_updating", "status_bar")

    def __init__(self, responses=()):
        self.api = FakeAppApi(responses)
        self.alerts: list[tuple[str, str | None]] = []
        self.screen_updating = True
        self.status_bar = False

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        if buttons != "ok":
            raise AssertionError("double: only OK message boxes are expected")
        self.alerts.append((prompt, title))
        return "ok"


# --- Book and sheets --------------------------------------------------------------------

class FakeBook:
    __slots__ = ("app", "name", "fullname", "sheets", "log")

    def __init__(self, app: FakeApp | None = None, name: str = "Book1.xlsx", fullname: str = ""):
        self.app = app or FakeApp()
        self.name = name
        self.fullname = fullname or name
        self.sheets = FakeSheets(self)
        self.log: list[tuple] = []        # write operations: ("value", sheet, anchor, rows, cols), ...

    def snapshot(self):
        """Everything a write could change, for 'left untouched' assertions."""
        return [(s.name, copy.deepcopy(s.cells), copy.deepcopy(s.formats),
                 [(t.name, t._ref) for t in s.tables.table_list]) for s in self.sheets]


class FakeSheets:
    __slots__ = ("_book", "_list")

    def __init__(self, book: FakeBook):
        self._book = book
        self._list: list[FakeSheet] = []

    def __iter__(self):
        return iter(list(self._list))

    def __len__(self):
        return len(self._list)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._list[key]
        for s in self._list:
            if s.name.casefold() == str(key).casefold():
                return s
        raise KeyError(f"double: no sheet {key!r}")

    def add(self, name=None, before=None, after=None):
        name = name or f"Sheet{len(self._list) + 1}"
        if any(s.name.casefold() == name.casefold() for s in self._list):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        if len(name) > 31 or _BAD_SHEET_CHARS & set(name) or name.startswith("'") or name.endswith("'"):
            raise ValueError(f"double: Excel refuses the sheet name {name!r}")
        sheet = FakeSheet(self._book, name)
        if after is not None:
            self._list.insert(self._list.index(after) + 1, sheet)
        elif before is not None:
            self._list.insert(self._list.index(before), sheet)
        else:
            self._list.insert(0, sheet)    # Excel adds before the active sheet; the first is close enough
        self._book.log.append(("add_sheet", name))
        return sheet


class FakeSheet:
    __slots__ = ("book", "name", "cells", "formats", "tables")

    def __init__(self, book: FakeBook, name: str):
        self.book = book
        self.name = name
        self.cells: dict[tuple[int, int], Cell] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.tables = FakeTables(self)

    def range(self, cell1, cell2=None):
        if isinstance(cell1, str):
            if cell2 is not None:
                raise ValueError("double: range('A1', ...) with a second argument is not used")
            parts = cell1.split(":")
            r1, c1 = _parse_a1(parts[0])
            r2, c2 = _parse_a1(parts[-1])
        else:
            r1, c1 = cell1
            r2, c2 = cell2 if cell2 is not None else cell1
        return FakeRange(self, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))

    def __getitem__(self, address):
        return self.range(address)

    @property
    def used_range(self):
        keys = [k for k, v in self.cells.items() if v is not None] + [k for k, f in self.formats.items()
                                                                       if f != "General"]
        if not keys:
            return FakeRange(self, 1, 1, 1, 1)
        rows = [k[0] for k in keys]
        cols = [k[1] for k in keys]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def activate(self):
        self.book.log.append(("activate", self.name))

    def kind_at(self, address):
        """Test helper: the stored Cell at an A1 address (None when empty)."""
        return self.cells.get(_parse_a1(address))


class FakeRange:
    __slots__ = ("sheet", "_r1", "_c1", "_r2", "_c2", "_ndim")

    def __init__(self, sheet: FakeSheet, r1, c1, r2, c2, ndim=None):
        if r1 < 1 or c1 < 1:
            raise ValueError("double: rows and columns start at 1")
        self.sheet = sheet
        self._r1, self._c1, self._r2, self._c2, self._ndim = r1, c1, r2, c2, ndim

    def options(self, convert=None, **options):
        if convert is not None or set(options) - _OPTIONS:
            raise AssertionError(f"double: Range.options({convert!r}, {options}) is not supported")
        return FakeRange(self.sheet, self._r1, self._c1, self._r2, self._c2, options.get("ndim", self._ndim))

    @property
    def row(self):
        return self._r1

    @property
    def column(self):
        return self._c1

    @property
    def last_cell(self):
        return FakeRange(self.sheet, self._r2, self._c2, self._r2, self._c2)

    @property
    def address(self):
        a = f"${_letters(self._c1)}${self._r1}"
        return a if (self._r1, self._c1) == (self._r2, self._c2) else f"{a}:${_letters(self._c2)}${self._r2}"

    def _read(self, r, c):
        cell = self.sheet.cells.get((r, c))
        if cell is None:
            return None
        if cell.kind == "f":
            raise AssertionError(f"double: reading formula cell {self.sheet.name}!{_letters(c)}{r}: the double"
                                 " does not calculate")
        return cell.value

    @property
    def value(self):
        rows = [[self._read(r, c) for c in range(self._c1, self._c2 + 1)] for r in range(self._r1, self._r2 + 1)]
        if self._ndim == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if all(len(r) == 1 for r in rows):
            return [r[0] for r in rows]
        return rows

    @value.setter
    def value(self, data):
        if isinstance(data, (list, tuple)):
            rows = [list(r) for r in data] if data and isinstance(data[0], (list, tuple)) else [list(data)]
        else:
            rows = [[data]]
        width = len(rows[0]) if rows else 0
        if any(len(r) != width for r in rows):
            raise ValueError("double: rows of different lengths")
        single = (self._r1, self._c1) == (self._r2, self._c2)
        if not single and (len(rows), width) != (self._r2 - self._r1 + 1, self._c2 - self._c1 + 1):
            raise AssertionError("double: writing a grid into a range of another shape is not used")
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                key = (self._r1 + i, self._c1 + j)
                stored = excel_store(v)
                if stored is None:
                    self.sheet.cells.pop(key, None)
                else:
                    self.sheet.cells[key] = stored
        self.sheet.book.log.append(("value", self.sheet.name, self.address, len(rows), width))

    def _keys(self):
        return ((r, c) for r in range(self._r1, self._r2 + 1) for c in range(self._c1, self._c2 + 1))

    def clear_contents(self):
        for k in self._keys():
            self.sheet.cells.pop(k, None)
        self.sheet.book.log.append(("clear_contents", self.sheet.name, self.address))

    def clear(self):
        for k in self._keys():
            self.sheet.cells.pop(k, None)
            self.sheet.formats.pop(k, None)
        self.sheet.book.log.append(("clear", self.sheet.name, self.address))

    @property
    def number_format(self):
        found = {self.sheet.formats.get(k, "General") for k in self._keys()}
        return found.pop() if len(found) == 1 else None

    @number_format.setter
    def number_format(self, fmt: str):
        if not isinstance(fmt, str):
            raise TypeError("double: number_format must be a str")
        for k in self._keys():
            self.sheet.formats[k] = fmt
        self.sheet.book.log.append(("number_format", self.sheet.name, self.address, fmt))


# --- tables (Excel ListObjects) ---------------------------------------------------------

class FakeTables:
    __slots__ = ("_sheet", "table_list")

    def __init__(self, sheet: FakeSheet):
        self._sheet = sheet
        self.table_list: list[FakeTable] = []

    def __iter__(self):
        return iter(list(self.table_list))

    def __len__(self):
        return len(self.table_list)

    def add(self, source=None, name=None, source_type=None, link_source=None, has_headers=True, destination=None,
            table_style_name="TableStyleMedium2"):
        book = self._sheet.book
        if any(t.name.casefold() == (name or "").casefold() for s in book.sheets for t in s.tables):
            raise ValueError(f"double: a table named {name!r} exists already (table names are workbook-wide)")
        table = FakeTable(self._sheet, name or f"Table{len(self.table_list) + 1}", source.address, table_style_name)
        self.table_list.append(table)
        book.log.append(("add_table", self._sheet.name, table.name, source.address))
        return table


class FakeTable:
    __slots__ = ("_sheet", "name", "_ref", "_style")

    def __init__(self, sheet, name, ref, style):
        self._sheet, self.name, self._ref, self._style = sheet, name, ref, style

    @property
    def range(self):
        return self._sheet.range(self._ref.replace("$", ""))

    def resize(self, range):  # noqa: A002 (xlwings' parameter name)
        self._ref = range.address
        self._sheet.book.log.append(("resize_table", self._sheet.name, self.name, range.address))


# --- loading a real workbook into the double, and comparing cells ---------------------

def _openpyxl_cell(cell) -> Cell | None:
    v = cell.value
    if v is None or v == "":
        return None
    if cell.data_type == "f":
        return Cell("f", str(v))
    if cell.data_type == "s" or isinstance(v, str):
        return Cell("s", v)
    if cell.data_type == "e":
        return Cell("e", v)
    return excel_store(v)


def book_from_xlsx(path, app: FakeApp | None = None, *, name: str = "billing.xlsx", fullname: str = "") -> FakeBook:
    """A FakeBook holding a real workbook's cells, number formats and tables, as
    Excel would show it after opening the file."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    book = FakeBook(app, name=name, fullname=fullname or name)
    prev = None
    for ws in wb.worksheets:
        sheet = book.sheets.add(ws.title, after=prev)
        prev = sheet
        for row in ws.iter_rows():
            for cell in row:
                stored = _openpyxl_cell(cell)
                if stored is not None:
                    sheet.cells[(cell.row, cell.column)] = stored
                if cell.number_format and cell.number_format != "General":
                    sheet.formats[(cell.row, cell.column)] = cell.number_format
        for table in ws.tables.values():
            style = table.tableStyleInfo.name if table.tableStyleInfo else None
            sheet.tables.table_list.append(FakeTable(sheet, table.name, _abs(table.ref), style))
    book.log.clear()
    return book


def _abs(ref: str) -> str:
    return ":".join(f"${m.group(1)}${m.group(2)}" for m in (_A1.match(p) for p in ref.split(":")))


def xlsx_cells(path) -> dict[str, dict[tuple[int, int], tuple[Cell, str]]]:
    """Every non-empty cell of a saved workbook: sheet -> (row, col) -> (Cell, number format).
    Read with data_only=False: formulas as their text, text as text."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=False)
    out = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                stored = _openpyxl_cell(cell)
                if stored is not None:
                    cells[(cell.row, cell.column)] = (stored, cell.number_format or "General")
        out[ws.title] = cells
    return out


def xlsx_tables(path) -> dict[str, dict[str, str]]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return {ws.title: {t.name: _abs(t.ref) for t in ws.tables.values()} for ws in wb.worksheets}


def book_cells(book: FakeBook) -> dict[str, dict[tuple[int, int], tuple[Cell, str]]]:
    """The same view of the double."""
    return {s.name: {k: (v, s.formats.get(k, "General")) for k, v in s.cells.items()} for s in book.sheets}
