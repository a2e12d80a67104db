"""The one boundary between Excel cells and the core rules, for xlbilling.udfs.

Why a separate module: every Excel function shares the same cell handling -
blank -> documented default, Excel error cells passed through, scalars
broadcast against ranges, one result per row returned as a column, and every
error turned into a short cell text - so it lives here once, and each UDF body
is a one-liner calling a core rule.  No xlwings import here (udfs.py is the only
one), so this runs and is tested anywhere.

Shapes (XLWINGS_NOTES.md): with `@xw.arg(..., ndim=2)` a single cell arrives as
[[x]], a column as [[a], [b], ...]; without it a column arrives as a 1-D list.
Both are accepted, as are tuples and anything with `.tolist()` (numpy).
A one-cell range is treated as a single value (Excel cannot tell them apart
with ndim=2).

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

# Excel's own error values as xlwings hands them over with err_to_str=True.
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})
BAD_VALUE = "#VALUE!"
MAX_CELL_TEXT = 255  # XLWINGS_NOTES.md: keep strings returned to a cell to 255 characters


class _Required:
    """Sentinel for an argument without a default (a blank cell there is an error)."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
_MISS = object()
_MEMO_PROBE_ROWS = 512  # after this many rows, keep the per-call memo only if rows repeat
# Cell types that pass to the rule unchanged (no default, no error code to catch).
_PLAIN = frozenset({float, int, Decimal, _dt.datetime, _dt.date})


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
    text = f"{code} {function}: {' '.join(message.split())}"
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 3] + "..."


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
    def signature(self) -> str:
        if self.default is REQUIRED or self.default is None or not self.shown:
            return self.name
        return f"{self.name}={self.default!r}".replace("'", '"') if isinstance(self.default, str) \
            else f"{self.name}={self.default}"

    def read(self, value: Any) -> Any:
        """One cell -> the value handed to the rule (blank -> default)."""
        if value is None or (value.__class__ is str and not value.strip()):
            if self.default is REQUIRED:
                raise CellError(f"{self.name} is blank: expected {self.expected}")
            value = self.default
            if value is None:
                return None
        if value.__class__ is str:
            if value in EXCEL_ERRORS:
                raise CellError(f"{self.name} is the error {value}", code=value)
            if self.currency:
                return _currency(value, self.name)
        elif self.currency:
            raise CellError(f"{self.name}: expected a currency code such as USD, found {value!r}")
        return value


def _to_cells(value: Any, name: str) -> list | None:
    """A range as a flat list of cells (None for a single value).  N x 1 and 1 x N
    ranges are accepted; a block of several rows and columns is an error."""
    if hasattr(value, "tolist") and not isinstance(value, (str, Decimal)):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return None
    if not value:
        raise CellError(f"{name} is an empty range")
    if isinstance(value[0], (list, tuple)):
        if all(len(row) == 1 for row in value):
            return [row[0] for row in value]
        if len(value) == 1:
            return list(value[0])
        raise CellError(f"{name} is a {len(value)} x {len(value[0])} block: expected one column or one row")
    return list(value)


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
            columns: dict[int, list] = {}
            rows = 0
            first_range = ""
            for i, (arg, value) in enumerate(zip(args, values)):
                cells = _to_cells(value, arg.name)
                if cells is None or len(cells) == 1:
                    fixed[i] = arg.read(value if cells is None else cells[0])
                    continue
                if rows and len(cells) != rows:
                    raise CellError(f"{arg.name} has {len(cells)} rows but {first_range} has {rows}:"
                                    " ranges must be the same length")
                rows, first_range = len(cells), first_range or arg.name
                columns[i] = cells
            if not columns:
                return self.out(self.rule(*fixed))
        except Exception as err:  # noqa: BLE001 - the UDF boundary: every error becomes cell text
            return cell_text(name, err)
        return self._rows(fixed, columns)

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
                key = (cells, tuple(map(type, cells))) if (True in cells or False in cells) else cells
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
            for arg, value in zip(self.args, values):
                if arg.name in self.columns:
                    cells = _flatten(value)
                    for row, cell in enumerate(cells, start=1):
                        if cell.__class__ is str and cell in EXCEL_ERRORS:
                            raise CellError(f"{arg.name} cell {row} is the error {cell}", code=cell)
                    converted.append([None if c.__class__ is str and not c.strip() else c for c in cells])
                    continue
                cells = _to_cells(value, arg.name)
                if cells is not None and len(cells) > 1:
                    raise CellError(f"{arg.name} is a range of {len(cells)} cells: expected one value")
                converted.append(arg.read(value if cells is None else cells[0]))
            return self.out(self.rule(*converted))
        except Exception as err:  # noqa: BLE001 - the UDF boundary
            return cell_text(self.name, err)
