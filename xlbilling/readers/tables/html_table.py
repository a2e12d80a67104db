"""HTML tables (vendor exports saved as .xls) -> one `Table` per <table>,
within HTML's own span bounds and the grid-cell limit.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from xlbilling.errors import LimitError, UnrecognisedReportError
from xlbilling.readers.integrity import MAX_GRID_CELLS
from xlbilling.readers.tables.table import PREVIEW_ROWS, Table, grid_loader
from xlbilling.readers.tables.text import decode_text

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


def html_tables(data: bytes, file: str) -> list[Table]:
    text, encoding = decode_text(data, file)
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
        out.append(Table(file, "html", sheet, g[:PREVIEW_ROWS], grid_loader(g), encoding=encoding))
    return out
