"""The one boundary between Excel cells and the core rules, for xlbilling.excel.udfs.

Why a separate module: every Excel function shares the same cell handling -
blank -> documented default, Excel error cells passed through, scalars
broadcast against ranges, one result per row returned as a column, and every
error turned into a short cell text - so it lives here once, and each UDF body
is a one-liner calling a core rule.  No xlwings import here (udfs.py is the only
one), so this runs and is tested anywhere.

Cells (docs/udfs.md "How Excel hands cells over"): in Excel, udfs.py's converter
reads a range's `Value2` (no 4-decimal Currency rounding, dates as serials) and
hands the raw COM shapes over - a scalar, or rows of cells as tuples - after
`clean_cells` has turned every Excel error code into its text (#N/A, #SPILL!,
...).  A one-cell range is treated as a single value.  Shapes: a column
(N x 1) gives a column, a row (1 x N) a row, a block (N x M) a block of the
same shape; ranges given together must have the same shape, scalars repeat.
1-D lists (Python callers) are columns; tuples and `.tolist()` objects work too.

Speed (benchmarks/bench_udfs.py): the per-row loop looks everything up once,
validates a currency once per call (cached), hands plain numbers and dates to
the rule untouched, and reuses the result of a row already seen in the same
call - switched off after 512 rows if rows do not repeat.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable

from xlbilling.core.money import normalise_currency, to_excel
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
_MISS = object()
_MEMO_PROBE_ROWS = 512  # after this many rows, keep the per-call memo only if rows repeat
# Cell types that pass to the rule unchanged (no default, no error code to catch;
# not int: an error scode is an int).
_PLAIN = frozenset({float, Decimal, _dt.datetime, _dt.date})


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
    """A range's cells as rows (lists), read from Excel by udfs.py's converter.
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
def _currency(text: str, name: str) -> str:
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
                return _currency(value, self.name)
        elif self.currency:
            raise CellError(f"{self.name}: expected a currency code such as USD, found {value!r}")
        return value


def _grid(value: Any, name: str) -> tuple[int, int, list] | None:
    """A range as (rows, columns, its cells in reading order); None for a single
    value.  A 1-D list (a Python caller's) is a column."""
    if hasattr(value, "tolist") and not isinstance(value, (str, Decimal)):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return None
    if not value:
        raise CellError(f"{name} is an empty range")
    if not isinstance(value[0], (list, tuple)):
        return len(value), 1, list(value)
    width = len(value[0])
    if width == 1 and all(len(row) == 1 for row in value):
        return len(value), 1, [row[0] for row in value]
    if len(value) == 1:
        return 1, width, list(value[0])
    if any(len(row) != width for row in value):
        raise CellError(f"{name} has rows of different lengths")
    return len(value), width, [cell for row in value for cell in row]


def _to_cells(value: Any, name: str) -> list | None:
    """A range as a flat list of cells (None for a single value)."""
    grid = _grid(value, name)
    return None if grid is None else grid[2]


def _kind(shape: tuple[int, int]) -> str:
    rows, cols = shape
    return "a column" if cols == 1 else "a row" if rows == 1 else "a block"


def _shape_error(name: str, shape: tuple[int, int], first: str, first_shape: tuple[int, int]) -> CellError:
    """Ranges given together must have one shape: say which and how they differ."""
    if shape[1] == first_shape[1] == 1:
        return CellError(f"{name} has {shape[0]} rows but {first} has {first_shape[0]}: ranges must be the same length")
    if shape[0] == first_shape[0] == 1:
        return CellError(f"{name} has {shape[1]} columns but {first} has {first_shape[1]}:"
                         " ranges must be the same length")
    kind, first_kind = _kind(shape), _kind(first_shape)
    if {kind, first_kind} == {"a row", "a column"}:
        return CellError(f"{name} is {kind} ({shape[0]} x {shape[1]}) but {first} is {first_kind}"
                         f" ({first_shape[0]} x {first_shape[1]}): give every range as a column, or every one"
                         " as a row")
    return CellError(f"{name} is {shape[0]} x {shape[1]} but {first} is {first_shape[0]} x {first_shape[1]}:"
                     " ranges must have the same shape")


def _blank(cell: Any) -> bool:
    return cell is None or (cell.__class__ is str and not cell.strip())


def _trim_rows(grids: dict[int, tuple[int, int, list]], width: int) -> int:
    """Rows to keep when a whole-column input had trailing blank rows dropped:
    up to the last row where any range input has a cell (at least one)."""
    keep = 1
    for rows, _, cells in grids.values():
        last = rows
        while last > keep and all(_blank(c) for c in cells[(last - 1) * width:last * width]):
            last -= 1
        keep = max(keep, last)
    return keep


def _fit(cells: list, count: int) -> list:
    return cells[:count] if len(cells) >= count else cells + [None] * (count - len(cells))


def _flatten(value: Any) -> list:
    """Every cell of a range in reading order (for aggregates over a block)."""
    if hasattr(value, "tolist") and not isinstance(value, (str, Decimal)):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return [value]
    out: list = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, (list, tuple)) else [item])
    return out


def number_out(value: Decimal) -> float:
    """Amounts (already rounded by the rule) and unrounded quantities/prices."""
    return to_excel(value)


def same(value: Any) -> Any:
    """bool / str / int results go to Excel as they are."""
    return value


@dataclass(frozen=True, slots=True)
class Example:
    """A worked example for the catalogue and the docs: the formula as typed in
    Excel, the values Excel would pass, and the arithmetic in words."""

    formula_args: str
    values: tuple
    arithmetic: str
    where: str = ""  # what the cells named in formula_args hold


@dataclass(frozen=True)
class Udf:
    """A row-wise Excel function: scalars in -> one value out; any range in -> a
    column (list of 1-element lists) with one result per row, scalars broadcast,
    a bad row showing its own error text and the others their results."""

    name: str
    args: tuple[Arg, ...]
    rule: Callable[..., Any]          # converted args -> Decimal / bool / str
    returns: str
    out: Callable[[Any], Any] = number_out
    example: Example | None = None

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(a.signature for a in self.args)})"

    def __call__(self, *values: Any) -> Any:
        name = self.name
        args = self.args
        try:
            if len(values) != len(args):
                raise CellError(f"expected {len(args)} arguments, got {len(values)}")
            fixed: list[Any] = [None] * len(args)
            grids: dict[int, tuple[int, int, list]] = {}
            shape: tuple[int, int] | None = None
            first_range = ""
            trimmed = False
            limit = None
            for i, (arg, value) in enumerate(zip(args, values)):
                grid = _grid(value, arg.name)
                height = getattr(value, "height", None) or (grid[0] if grid else 1)
                if grid is None or height * grid[1] == 1:
                    fixed[i] = arg.read(value if grid is None else grid[2][0])
                    continue
                full = (height, grid[1])
                if shape is not None and full != shape:
                    raise _shape_error(arg.name, full, first_range, shape)
                shape, first_range = full, first_range or arg.name
                trimmed = trimmed or grid[0] < height
                limit = limit or getattr(value, "spill_limit", None)
                grids[i] = grid
            if shape is None:
                return self.out(self.rule(*fixed))
            rows, width = shape
            if trimmed:   # a whole column: up to its last row holding something
                rows = _trim_rows(grids, width)
            if limit is not None and (rows > limit[0] or width > limit[1]):
                raise CellError(
                    f"the result has {rows} x {width} cells but this Excel has no dynamic arrays (Excel 2019 or"
                    f" older) and would show only the first: select {rows} x {width} cells, type the formula and"
                    " press Ctrl+Shift+Enter, or use one formula per row")
            columns = {i: _fit(cells, rows * width) for i, (_, _, cells) in grids.items()}
        except Exception as err:  # noqa: BLE001 - the UDF boundary: every error becomes cell text
            return cell_text(name, err)
        result = _columns(self, fixed, columns)
        if width == 1:
            return result       # a column: one [value] per row
        flat = [row[0] for row in result]
        return [flat[r * width:(r + 1) * width] for r in range(rows)]   # a row or a block: the same shape

    def _rows(self, fixed: list, columns: dict[int, list]) -> list[list]:
        """The per-row loop, kept lean: readers and the rule looked up once; plain
        numbers and dates skip the reader (nothing to default or pass through);
        rows seen before in this call reuse their result (billing tables repeat
        prices, dates and rates a lot)."""
        rule, out, name = self.rule, self.out, self.name
        positions = tuple(columns)
        plan = tuple((i, self.args[i].read, self.args[i].currency) for i in positions)
        result: list[list] = []
        append = result.append
        row_args = list(fixed)
        memo: dict[tuple, Any] = {}
        memo_on, hits = True, 0
        for row, cells in enumerate(zip(*(columns[i] for i in positions))):
            if row == _MEMO_PROBE_ROWS and hits < _MEMO_PROBE_ROWS // 8:
                memo_on = False  # rows hardly repeat: stop paying for the hashing
            key: Any = None
            if memo_on:
                # True == 1 == 1.0 as dict keys, yet TRUE is refused where 1 is a number:
                # a row holding a value equal to True/False is keyed with its cell types too.
                # 0 == -0.0 too, yet D(-0.0) is -0: such rows are keyed by repr (type and sign).
                key = tuple(map(repr, cells)) if (True in cells or False in cells) else cells
                try:
                    hit = memo.get(key, _MISS)
                except TypeError:  # an unhashable cell: compute the row
                    hit, key = _MISS, None
                if hit is not _MISS:
                    hits += 1
                    append([hit])
                    continue
            try:
                for (i, read, currency), cell in zip(plan, cells):
                    row_args[i] = cell if cell.__class__ in _PLAIN and not currency else read(cell)
                value = out(rule(*row_args))
            except Exception as err:  # noqa: BLE001 - only this row shows the error
                value = cell_text(name, err)
            if key is not None:
                memo[key] = value
            append([value])
        return result


def _columns(udf: Udf, fixed: list, columns: dict[int, list]) -> list[list]:
    """A call over ranges: the exact numpy column path (xlbilling.excel.columns),
    which sends the rows it cannot prove exact through udf._rows; udf._rows
    alone if that path itself fails (a bug there must not cost a result)."""
    try:
        from xlbilling.excel.columns import column_rows

        return column_rows(udf, fixed, columns)[0]
    except Exception:  # noqa: BLE001 - the per-row Decimal path is the reference
        return udf._rows(fixed, columns)


@dataclass(frozen=True)
class Aggregate(Udf):
    """An Excel function that reduces whole ranges to one value (BILLED_USERS,
    AVERAGE_DAILY_USAGE).  Arguments named in `columns` receive the list of their
    cells (blanks as None, error cells refused with their code); the others must
    be single values."""

    columns: tuple[str, ...] = ()

    def __call__(self, *values: Any) -> Any:
        try:
            if len(values) != len(self.args):
                raise CellError(f"expected {len(self.args)} arguments, got {len(values)}")
            converted: list[Any] = []
            widest = max((len(_flatten(v)) for a, v in zip(self.args, values)
                          if a.name in self.columns and isinstance(v, SheetRange) and len(v) < v.height), default=0)
            for arg, value in zip(self.args, values):
                if arg.name in self.columns:
                    cells = _flatten(value)
                    if widest and isinstance(value, SheetRange) and len(value) < value.height:
                        cells = _fit(cells, widest)   # whole columns trimmed to different lengths: line them up
                    for row, cell in enumerate(cells, start=1):
                        code = error_code(cell)
                        if code is not None:
                            raise CellError(f"{arg.name} cell {row} is the error {code}",
                                            code=code if code in EXCEL_ERRORS else BAD_VALUE)
                    converted.append([None if c.__class__ is str and not c.strip() else c for c in cells])
                    continue
                cells = _to_cells(value, arg.name)
                if cells is not None and len(cells) > 1:
                    raise CellError(f"{arg.name} is a range of {len(cells)} cells: expected one value")
                converted.append(arg.read(value if cells is None else cells[0]))
            return self.out(self.rule(*converted))
        except Exception as err:  # noqa: BLE001 - the UDF boundary
            return cell_text(self.name, err)
