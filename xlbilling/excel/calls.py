"""One call of an Excel function: scalars and ranges in, one value or a spilled range out.

Why a separate module: every row-wise function shares the same shape handling -
a one-cell range is a single value; a column (N x 1) gives a column, a row
(1 x N) a row, a block (N x M) a block of the same shape; ranges given together
must have the same shape, scalars repeat; a whole column stops at its last
filled row; an Excel without dynamic arrays is told so instead of showing one
value.  1-D lists (Python callers) are columns; tuples and `.tolist()` objects
work too.  Each cell is read by excel/cells.py; ranges go to the exact column
path (excel/columns.py) with the per-row Decimal loop here as the reference.

Speed (benchmarks/bench_udfs.py): the per-row loop looks everything up once,
hands plain numbers and dates to the rule untouched, and reuses the result of a
row already seen in the same call - switched off after 512 rows if rows do not
repeat.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from xlbilling.core.money import to_excel
from xlbilling.core.words import count
from xlbilling.gc_pause import gc_paused
from xlbilling.excel.cells import (
    BAD_VALUE, EXCEL_ERRORS, Arg, CellError, ExcelError, SheetRange, cell_text, error_code,
)

_MISS = object()
_MEMO_PROBE_ROWS = 512  # after this many rows, keep the per-call memo only if rows repeat
# Cell types that pass to the rule unchanged (no default, no error code to catch;
# not int: an error scode is an int).
_PLAIN = frozenset({float, Decimal, _dt.datetime, _dt.date})
_ROW_TYPES = frozenset({list, tuple})   # a range's rows as Excel and Python callers pass them


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
                raise CellError(f"expected {count(len(args), 'argument')}, got {len(values)}")
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


def _trimmed(value: Any) -> bool:
    """A whole column that lost its trailing blank rows (cells.clean_cells)."""
    return isinstance(value, SheetRange) and len(value) < value.height


def _column_cells(value: Any) -> list:
    """Every cell of a range in reading order, exactly as _flatten gives them; a
    column of one-cell rows (what Excel passes) is unpacked in C."""
    if isinstance(value, (list, tuple)) and value and not hasattr(value, "tolist") \
            and set(map(type, value)) <= _ROW_TYPES:
        try:
            cells = [cell for (cell,) in value]
        except (TypeError, ValueError):   # rows of another width: the general walk
            return _flatten(value)
        if not any(issubclass(kind, (list, tuple)) for kind in set(map(type, cells))):
            return cells
    return _flatten(value)


def _refuse_error_cells(name: str, cells: list) -> None:
    """The first error cell, with its row, as a CellError.  A column holding no
    int (an error scode is one), no ExcelError and no error text is cleared in C."""
    try:
        kinds = set(map(type, cells))
        if int not in kinds and ExcelError not in kinds and EXCEL_ERRORS.isdisjoint(cells):
            return
    except TypeError:   # an unhashable cell: look at each
        pass
    for row, cell in enumerate(cells, start=1):
        code = error_code(cell)
        if code is not None:
            raise CellError(f"{name} cell {row} is the error {code}",
                            code=code if code in EXCEL_ERRORS else BAD_VALUE)


def _column_argument(name: str, value: Any, widest: int) -> list:
    """A column argument of an Aggregate: its cells, blanks as None, error cells refused."""
    cells = _column_cells(value)
    if widest and _trimmed(value):
        cells = _fit(cells, widest)   # whole columns trimmed to different lengths: line them up
    _refuse_error_cells(name, cells)
    return [None if c.__class__ is str and not c.strip() else c for c in cells]


def _reduce(udf: Udf, converted: list) -> Any:
    """The rule's value: from the exact column kernel where one applies and
    answers (excel/columns.py, AGGREGATE_KERNELS), else from the rule itself,
    which stays the reference (a kernel that fails must not cost a result)."""
    try:
        from xlbilling.excel.columns import AGGREGATE_KERNELS

        kernel = AGGREGATE_KERNELS.get(udf.name)
        value = None if kernel is None else kernel(*converted)
    except Exception:  # noqa: BLE001 - the rule decides
        value = None
    return udf.rule(*converted) if value is None else value


@dataclass(frozen=True)
class Aggregate(Udf):
    """An Excel function that reduces whole ranges to one value (BILLED_USERS,
    AVERAGE_DAILY_USAGE).  Arguments named in `columns` receive the list of their
    cells (blanks as None, error cells refused with their code); the others must
    be single values."""

    columns: tuple[str, ...] = ()

    @gc_paused   # a 100,000-row call makes 200,000 cells' worth of lists and sets, no cycles
    def __call__(self, *values: Any) -> Any:
        try:
            if len(values) != len(self.args):
                raise CellError(f"expected {count(len(self.args), 'argument')}, got {len(values)}")
            converted: list[Any] = []
            widest = max((len(_column_cells(v)) for a, v in zip(self.args, values)
                          if a.name in self.columns and _trimmed(v)), default=0)
            for arg, value in zip(self.args, values):
                if arg.name in self.columns:
                    converted.append(_column_argument(arg.name, value, widest))
                    continue
                cells = _to_cells(value, arg.name)
                if cells is not None and len(cells) > 1:
                    raise CellError(f"{arg.name} is a range of {len(cells)} cells: expected one value")
                converted.append(arg.read(value if cells is None else cells[0]))
            return self.out(_reduce(self, converted))
        except Exception as err:  # noqa: BLE001 - the UDF boundary
            return cell_text(self.name, err)
