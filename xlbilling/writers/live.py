"""The live-Excel writer: puts the billing workbook's generated sheets into a
workbook open in Excel (xlwings), holding exactly the cells the headless writer
(writers/xlsx.py) saves for the same month.

One layout, one renderer, two transports: `render_images` runs the headless
writer (`write_billing_workbook`, into a temporary file read back), and each
rendered sheet becomes a `SheetImage` (a grid of values as xlwings must send
them, number-format runs, table ranges) - pure and tested.  `write_images` is
the thin xlwings part: per sheet, clear the old contents, ONE
`range("A1").value = grid` call, a few number-format ranges, resize the tables.
Excel access costs milliseconds per call, so nothing here goes cell by cell.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from xlbilling.core.money import to_excel
from xlbilling.errors import OutputError

TEXT_PREFIX = "'"
GENERAL = "General"
# xlwings splits very large grids into chunks of this many rows (one call from here).
CHUNK_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class FormatRun:
    """One number format over a block of cells (1-based, inclusive)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    number_format: str


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    ref: str            # "A4:O11"
    style: str | None


@dataclass(frozen=True, slots=True)
class SheetImage:
    """A generated sheet as Excel should receive it: `grid` starts at A1."""

    name: str
    grid: tuple[tuple, ...]
    formats: tuple[FormatRun, ...] = ()
    tables: tuple[TableSpec, ...] = ()


# --- pure: what one cell becomes ---------------------------------------------------------

def text_value(text: str) -> str | None:
    """A text cell as sent to Excel: always with Excel's text prefix "'".

    Range.value parses a string like typed input: '=HYPERLINK(..)' becomes a
    formula, '-x'/'+x'/'@x' formulas, '00123' the number 123, '1/2' and '3-Oct'
    dates, 'TRUE' a boolean, '#N/A' an error, '1:30' a time (and what counts as
    a date depends on the PC's locale).  The prefix makes Excel store the rest
    verbatim as text and is not part of the value, so every string gets it
    rather than a list of risky first characters that can never be complete.
    An empty string is an empty cell (as the headless file holds it)."""
    return None if text == "" else TEXT_PREFIX + text


def excel_value(cell) -> object:
    """The value to send to Excel for one rendered openpyxl cell."""
    value = cell.value
    if value is None:
        return None
    if cell.data_type == "f":
        if not isinstance(value, str):
            raise OutputError(f"{cell.parent.title}!{cell.coordinate}: {type(value).__name__} formulas cannot be"
                              " sent to Excel by the live writer")
        return str(value)                     # a plain str: "=IFERROR(...)" arrives as the formula
    if cell.data_type == "e":
        return str(value)                     # a deliberate error value ("#N/A") stays one
    if isinstance(value, str):
        return text_value(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return to_excel(value)                # never Decimal: pywin32 would send a 4-decimal currency
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)):
        return value
    return text_value(str(value))


# --- pure: a rendered sheet as an image ------------------------------------------------------

def _column_runs(formats_by_row: list[tuple[int, str]]) -> tuple[tuple[int, int, str], ...]:
    """(first_row, last_row, format) runs of one non-General format over a
    column's non-empty cells; a General cell ends a run, an empty cell does
    not (its format is invisible, and a sparse column stays one call)."""
    runs: list[list] = []
    open_run = False
    for row, fmt in formats_by_row:
        if fmt == GENERAL:
            open_run = False
        elif open_run and runs[-1][2] == fmt:
            runs[-1][1] = row
        else:
            runs.append([row, row, fmt])
            open_run = True
    return tuple((a, b, f) for a, b, f in runs)


def format_runs(ws) -> tuple[FormatRun, ...]:
    """The number formats of every non-empty cell as few rectangular blocks:
    General over the whole grid first (it also resets formats left by an
    earlier import), then per column the runs of other formats, neighbouring
    columns with the same runs merged."""
    per_col: dict[int, list[tuple[int, str]]] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or cell.value == "":
                continue
            per_col.setdefault(cell.column, []).append((cell.row, cell.number_format or GENERAL))
    out: list[FormatRun] = [FormatRun(1, 1, ws.max_row, ws.max_column, GENERAL)]
    prev_col, prev_runs, start_col = 0, None, 0
    for col in sorted(per_col):
        runs = _column_runs(per_col[col])
        if runs and prev_runs == runs and prev_col == col - 1:
            prev_col = col
            continue
        if prev_runs:
            out.extend(FormatRun(a, start_col, b, prev_col, f) for a, b, f in prev_runs)
        prev_col, prev_runs, start_col = col, runs, col
    if prev_runs:
        out.extend(FormatRun(a, start_col, b, prev_col, f) for a, b, f in prev_runs)
    return tuple(out)


def sheet_image(ws) -> SheetImage:
    """A rendered openpyxl sheet as an image: values, formats, tables."""
    grid = [[None] * ws.max_column for _ in range(ws.max_row)]
    for row in ws.iter_rows():
        for cell in row:
            grid[cell.row - 1][cell.column - 1] = excel_value(cell)
    tables = tuple(TableSpec(t.name, t.ref, t.tableStyleInfo.name if t.tableStyleInfo else None)
                   for t in ws.tables.values())
    return SheetImage(ws.title, tuple(tuple(r) for r in grid), format_runs(ws), tables)


def render_images(reads: Sequence, result, *, imported_at: dt.datetime,
                  template: str | Path | None = None) -> list[SheetImage]:
    """Every generated sheet, in workbook order, exactly as `write_billing_workbook`
    saves it: the headless writer itself, into a temporary file read back.
    Reading the saved file (not the in-memory cells) makes the live cells those of the headless
    file by construction, including how numbers are serialised (openpyxl
    writes 16 significant digits, so the file's 1.714285714285714 is not the
    in-memory 1.7142857142857142; the streaming writer writes repr, the
    shortest exact text).  Nothing is left on disk."""
    import openpyxl

    from xlbilling.writers.xlsx import write_billing_workbook

    with tempfile.TemporaryDirectory(prefix="xlbilling-live-") as tmp:
        path = Path(tmp) / "rendered.xlsx"
        write_billing_workbook(path, reads, result, template=template, imported_at=imported_at)
        saved = openpyxl.load_workbook(path)      # our own file, just written: no size limits needed
        return [sheet_image(ws) for ws in saved.worksheets]


# --- the xlwings adapter: the only code here that talks to Excel --------------------------

def read_rows(sheet, first_row: int, n_cols: int) -> list[list]:
    """Rows first_row.. of columns 1..n_cols down to the last used row (2-D, may be empty)."""
    last = sheet.used_range.last_cell.row
    if last < first_row:
        return []
    return sheet.range((first_row, 1), (last, n_cols)).options(ndim=2).value


def write_images(book, images: Sequence[SheetImage]) -> list[str]:
    """Write each image into the sheet of that name (added after the previous
    image's sheet, or at the end, when missing).  Old contents are cleared,
    formats and other sheets are left alone.  Returns notes for the user (a
    table Excel would not resize)."""
    by_name = {s.name.casefold(): s for s in book.sheets}
    notes: list[str] = []
    prev = None
    for image in images:
        sheet = by_name.get(image.name.casefold())
        if sheet is None:
            sheet = book.sheets.add(image.name, after=prev if prev is not None else book.sheets[-1])
            by_name[image.name.casefold()] = sheet
        sheet.used_range.clear_contents()
        sheet.range("A1").options(chunksize=CHUNK_ROWS).value = [list(r) for r in image.grid]
        for run in image.formats:
            sheet.range((run.first_row, run.first_col), (run.last_row, run.last_col)).number_format = \
                run.number_format
        notes.extend(_place_tables(sheet, image.tables))
        prev = sheet
    return notes


def _place_tables(sheet, tables: Sequence[TableSpec]) -> list[str]:
    """Resize the sheet's Excel tables to the rendered ranges (add missing ones).
    Cosmetic: the cells are already right, so a failure becomes a note."""
    notes = []
    for spec in tables:
        try:
            table = next((t for t in sheet.tables if t.name.casefold() == spec.name.casefold()), None)
            if table is not None:
                table.resize(sheet.range(spec.ref))
            else:
                sheet.tables.add(source=sheet.range(spec.ref), name=spec.name,
                                 table_style_name=spec.style or "TableStyleMedium2")
        except Exception as exc:  # noqa: BLE001  a COM error: the cells are right, only the table frame is not
            notes.append(f"sheet {sheet.name!r}: Excel table {spec.name} could not be set to {spec.ref} ({exc})")
    return notes
