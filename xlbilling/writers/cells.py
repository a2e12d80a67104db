"""The one way a vendor or user string goes into a cell: always as text.

openpyxl turns any string starting with '=' into a formula and '#N/A'-like
strings into error cells; a vendor account named '=HYPERLINK(...)' must stay
the text it is (issue 4, Safety).  Writers put strings through `set_text`;
the billing writer's bulk path (`writers.xlsx._Sheet.text`, 100,000s of cells)
builds the same text cell from `clean_text` with the type fixed to text.
Numbers go through `money.to_excel` and are never strings.
"""
from __future__ import annotations

from openpyxl.cell.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

MAX_CELL_CHARS = 32767  # Excel's limit for one cell


def clean_text(value: object) -> str:
    """str(value) without the control characters XML cannot hold, cut to Excel's limit."""
    text = value if isinstance(value, str) else str(value)
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "\u2026"
    return text


def set_text(cell: Cell, value: object) -> Cell:
    """Write `value` as a text cell (never a formula, never an error value).
    None leaves the cell empty."""
    if value is None:
        cell.value = None
        return cell
    cell.value = clean_text(value)
    cell.data_type = "s"  # after assigning: openpyxl inferred 'f' for '=...' and 'e' for '#N/A'
    return cell
