"""The `Table` every container loader returns: a preview of its first rows for
finding the header, and a loader of the data below it.  Also the loader the
grid-shaped containers (workbook sheets, HTML and JSON tables) share.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from xlbilling.readers.headers import HEADER_SEARCH_ROWS

PREVIEW_ROWS = HEADER_SEARCH_ROWS + 5


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
    # Set by read_report before load(): positions of columns with few distinct values
    # (Reader.coded_cols), which a CSV loads dictionary-encoded (pandas Categorical).
    coded_positions: frozenset[int] = frozenset()

    def load(self, header_index: int, positions: Sequence[int]) -> tuple[Any, list[int]]:
        return self.loader(header_index, positions)


def grid_loader(grid: list[list[object]]):
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
