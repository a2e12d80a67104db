"""Streaming xlsx writing: data rows go straight to sheet XML, no object per cell.

The billing workbook is two parts:

- the **skeleton**, built with openpyxl's public API from the template: titles,
  month, headers, widths, frozen panes, print setup, Excel tables (already
  sized to the rows that will follow), named styles, calculation properties.
  Small and the same size for 5 or 20,000 customers.
- the **rows** from row 5 down (`layout.FIRST_DATA_ROW`), written by a
  `RowWriter` as XML text into a temporary file per sheet while the fill code
  walks the month's data, then spliced into the skeleton's sheet XML when the
  final zip is written.

Why not openpyxl alone: its normal mode keeps a Cell object per cell (about
437 bytes each, 1.77 M cells at 5,000 customers) and sorts them at save; its
write-only mode still builds a cell object and serialises it element by
element (about 30 us a cell without lxml).  Here a cell is one f-string.

Cell styles (number format, wrap, bold) are the skeleton's own: before the
skeleton is saved one probe cell per style key is put in row 5 of its first
sheet; the saved XML tells each probe's style index (`s`), and every sheet's
skeleton rows from row 5 on (probes and the template's formatted sample row)
are dropped when the rows are spliced in.  So styles.xml is openpyxl's, built
through its public API, and nothing private of openpyxl is touched.

Safety: every string goes in as an inline string (`t="inlineStr"`) after
`cells.clean_text`; only `RowWriter.formula` writes a formula, and the fill
code never passes a vendor string to it.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Sequence
from xml.etree import ElementTree as ET

from openpyxl.styles import Alignment, Font
from openpyxl.utils.datetime import to_excel as _date_serial

from xlbilling.core.money import to_excel
from xlbilling.files.xlsx_open import sheet_parts
from xlbilling.writers import layout as L
from xlbilling.writers.cells import ILLEGAL_CHARACTERS_RE, MAX_CELL_CHARS, clean_text

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

LABEL = "label"          # style key of the named style layout.STYLE_LABEL (a bold label beside a total)
BUFFER_PIECES = 8192      # row XML pieces joined per write
ZIP_LEVEL = 1             # deflate level: 1 is about 3x faster than 6 for ~15 % more bytes on this XML


# --- styles ----------------------------------------------------------------------------

StyleKey = tuple  # (number format or None for General, wrap, bold) or (LABEL,)


def style_keys() -> list[StyleKey]:
    """Every style a RowWriter may use: each layout number format and the money
    formats for 0-4 minor units, plain or wrapped, plain or bold, plus the label."""
    formats = [None] + sorted({f for f in L.NUMBER_FORMATS.values() if f != "General"}
                              | {L.money_format(d) for d in range(5)})
    keys: list[StyleKey] = [(f, w, b) for f in formats for w in (False, True) for b in (False, True)]
    return keys + [(LABEL,)]


def add_style_probes(ws, keys: Sequence[StyleKey]) -> None:
    """One probe cell per key in row FIRST_DATA_ROW of `ws` (the skeleton's first
    sheet), styled through openpyxl's public cell API; dropped at splicing."""
    for i, key in enumerate(keys, start=1):
        cell = ws.cell(row=L.FIRST_DATA_ROW, column=i)
        cell.value = 0
        if key == (LABEL,):
            cell.style = L.STYLE_LABEL
            continue
        fmt, wrap, bold = key
        if fmt:
            cell.number_format = fmt
        cell.alignment = Alignment(vertical="top", wrap_text=wrap)
        if bold:
            cell.font = Font(name=L.FONT, bold=True)


def read_style_probes(sheet_xml: bytes, keys: Sequence[StyleKey]) -> dict[StyleKey, str]:
    """The style index openpyxl gave each probe cell (row FIRST_DATA_ROW, columns 1..n)."""
    root = ET.fromstring(sheet_xml)
    by_col: dict[str, str] = {}
    for c in root.iter(f"{_MAIN}c"):
        ref = c.get("r", "")
        if ref.endswith(str(L.FIRST_DATA_ROW)) and ref[: -len(str(L.FIRST_DATA_ROW))].isalpha():
            by_col[ref[: -len(str(L.FIRST_DATA_ROW))]] = c.get("s", "0")
    return {key: by_col[L.column_letter(i)] for i, key in enumerate(keys, start=1)}


# --- rows ---------------------------------------------------------------------------------

def _esc(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _num(value: float | int) -> str:
    """Shortest text that reads back as the same double (repr), ints as digits."""
    return str(value) if type(value) is int else repr(value)


class RowWriter:
    """Cells of one sheet, row by row, as XML text into `sink` (a binary file).

    The methods take (row, column) like openpyxl's ws.cell, in any column
    order within a row (a cell written twice keeps the last value), but rows
    must come in ascending order: a row is written out when a later row
    starts.  Rows with wrapped text (columns in `wrap`, column number ->
    width) get a height for their estimated lines: spreadsheets do not grow
    rows for wrapped text on opening (LibreOffice keeps the default height).
    Millions of cells go through here, so the per-cell paths are written flat.
    """

    def __init__(self, sink, styles: dict[StyleKey, str], wrap: dict[int, float] | None = None) -> None:
        self._sink = sink
        self._styles = styles
        self._wrap = wrap or {}
        self._letters = [""] + [L.column_letter(i) for i in range(1, 65)]
        self._text_s: dict[int, str] = {}          # column -> style index of a text cell
        self._num_s: dict[tuple, str] = {}         # (format, column, bold) -> style index
        self._row = 0
        self._rs = "0"                              # str(self._row), formatted once per row
        self._cells: dict[int, str] = {}
        self._last_col = 0
        self._ordered = True
        self._lines = 1
        self._pieces: list[str] = []
        self.max_row = 0
        self.max_col = 0

    # -- rows
    def _ref(self, row: int, col: int) -> str:
        if row != self._row:
            self._start(row)
        return f"{self._letters[col] if col < 65 else self._letter(col)}{row}"

    def _letter(self, col: int) -> str:
        letters = self._letters
        while len(letters) <= col:
            letters.append(L.column_letter(len(letters)))
        return letters[col]

    def _put(self, col: int, xml: str) -> None:
        self._cells[col] = xml
        if col < self._last_col:
            self._ordered = False
        self._last_col = col

    def _s(self, fmt: str | None, col: int, bold: bool = False) -> str:
        return self._styles[(fmt or None, col in self._wrap, bold)]

    def _start(self, row: int) -> None:
        if row < self._row:
            raise ValueError(f"rows must be written in order: row {row} after row {self._row}")
        self._flush_row()
        self._row = row
        self._rs = str(row)

    def _flush_row(self) -> None:
        cells = self._cells
        if not cells:
            return
        pieces = self._pieces
        if self._lines > 1:
            pieces.append(f'<row r="{self._row}" ht="{L.LINE_HEIGHT_PT * self._lines + 2:g}" customHeight="1">')
            self._lines = 1
        else:
            pieces.append(f'<row r="{self._row}">')
        if self._ordered:
            pieces.extend(cells.values())
            last = self._last_col
        else:
            order = sorted(cells)
            pieces.extend([cells[c] for c in order])
            last = order[-1]
        pieces.append("</row>")
        if last > self.max_col:
            self.max_col = last
        self.max_row = self._row
        self._cells = {}
        self._last_col = 0
        self._ordered = True
        if len(pieces) > BUFFER_PIECES:
            self._sink.write("".join(pieces).encode("utf-8"))
            self._pieces = []

    def close(self) -> None:
        """Write the last row and everything buffered."""
        self._flush_row()
        if self._pieces:
            self._sink.write("".join(self._pieces).encode("utf-8"))
            self._pieces = []

    def _note_lines(self, col: int, text: str) -> None:
        chars_per_line = max(1, int(self._wrap[col]))
        if "\n" in text:
            lines = sum(-(-max(len(part), 1) // chars_per_line) for part in text.split("\n"))
        else:   # most wrapped cells: one paragraph
            lines = -(-max(len(text), 1) // chars_per_line)
        if lines > self._lines:
            self._lines = min(lines, L.MAX_ROW_LINES)

    # -- cells
    def text(self, row: int, col: int, value, *, style: StyleKey | None = None) -> None:
        """Vendor and user strings: always an inline string (cells.clean_text), never a formula."""
        if value is None or value == "":
            return
        text = value if type(value) is str else str(value)
        # isprintable(): no control character at all, so none XML cannot hold (one C pass, no regex)
        if len(text) > MAX_CELL_CHARS or (not text.isprintable() and ILLEGAL_CHARACTERS_RE.search(text)):
            text = clean_text(text)
        if row != self._row:
            self._start(row)
        if style:
            s = self._styles[style]
        else:
            s = self._text_s.get(col)
            if s is None:
                s = self._text_s[col] = self._s(None, col)
        letter = self._letters[col] if col < 65 else self._letter(col)
        esc = _esc(text) if ("&" in text or "<" in text or ">" in text) else text
        if text[0] in " \t\n\r" or text[-1] in " \t\n\r":
            self._cells[col] = (f'<c r="{letter}{self._rs}" s="{s}" t="inlineStr"><is><t xml:space="preserve">'
                                f'{esc}</t></is></c>')
        else:
            self._cells[col] = f'<c r="{letter}{self._rs}" s="{s}" t="inlineStr"><is><t>{esc}</t></is></c>'
        if col < self._last_col:
            self._ordered = False
        self._last_col = col
        wrap = self._wrap.get(col)
        if wrap is not None and (len(text) > wrap or "\n" in text):
            self._note_lines(col, text)

    def label(self, row: int, col: int, value) -> None:
        """A label beside a total (the template's named label style)."""
        self.text(row, col, value, style=(LABEL,))

    def number(self, row: int, col: int, value, number_format: str | None = None, *, bold: bool = False) -> None:
        if value is None:
            return
        if row != self._row:
            self._start(row)
        key = (number_format, col, bold)
        s = self._num_s.get(key)
        if s is None:
            s = self._num_s[key] = self._s(number_format, col, bold)
        ref = f"{self._letters[col] if col < 65 else self._letter(col)}{self._rs}"
        t = type(value)
        if t is Decimal:
            value = to_excel(value)     # the one Decimal -> float, at the Excel boundary
            t = float
        if t is float:
            if value - value != 0:      # inf, nan: Excel holds neither
                xml = f'<c r="{ref}" s="{s}" t="inlineStr"><is><t>{value}</t></is></c>'
            else:
                xml = f'<c r="{ref}" s="{s}"><v>{value!r}</v></c>'
        elif t is bool:
            xml = f'<c r="{ref}" s="{s}" t="b"><v>{int(value)}</v></c>'
        else:
            xml = f'<c r="{ref}" s="{s}"><v>{_num(value)}</v></c>'
        self._cells[col] = xml
        if col < self._last_col:
            self._ordered = False
        self._last_col = col

    def date(self, row: int, col: int, value: dt.date, number_format: str) -> None:
        ref = self._ref(row, col)
        self._put(col, f'<c r="{ref}" s="{self._s(number_format, col)}"><v>{_num(_date_serial(value))}</v></c>')

    def formula(self, row: int, col: int, text: str, cached, number_format: str | None = None, *,
                bold: bool = False) -> None:
        """A formula (`text` starts with '=') with its Python value as the cached result."""
        ref = self._ref(row, col)
        s = self._s(number_format, col, bold)
        f = _esc(text[1:] if text.startswith("=") else text)
        if isinstance(cached, str):
            self._put(col, f'<c r="{ref}" s="{s}" t="str"><f>{f}</f><v>{_esc(cached)}</v></c>')
        else:
            self._put(col, f'<c r="{ref}" s="{s}"><f>{f}</f><v>{_num(to_excel(cached))}</v></c>')

    def value(self, row: int, col: int, value, number_format: str | None = None) -> None:
        """Any value read from a report: str as text, dates as dates, numbers as numbers."""
        if value is None or value == "":
            return
        if isinstance(value, str):
            self.text(row, col, value)
        elif isinstance(value, (Decimal, int, float, bool)):
            self.number(row, col, value, number_format)
        elif isinstance(value, dt.date):
            self.date(row, col, value, number_format or L.NUMBER_FORMATS["date"])
        else:
            self.text(row, col, str(value))

    def values(self, row: int, values: Sequence) -> None:
        """A whole row of report values from column 1 (str as text, Decimal and
        numbers as numbers, dates as dates, None/'' empty): the import sheets'
        bulk path, the same cells `value` writes, without a call per cell (3
        million cells at 20,000 customers: the row's reference and style are
        formatted once, cells go straight into the row)."""
        if row != self._row:
            self._start(row)
        cells = self._cells
        prior = bool(cells)
        rs = f'{self._rs}" s="{self._styles[(None, False, False)]}"'   # text and numbers: General
        letters = self._letters
        last = 0
        for col, v in enumerate(values, start=1):
            if v is None:
                continue
            t = type(v)
            if t is str and col < 65 and v and len(v) <= MAX_CELL_CHARS and v.isprintable():
                # printable: no control character (none to clean), and only ' ' can be leading/trailing space
                esc = _esc(v) if ("&" in v or "<" in v or ">" in v) else v
                if v[0] == " " or v[-1] == " ":
                    cells[col] = f'<c r="{letters[col]}{rs} t="inlineStr"><is><t xml:space="preserve">{esc}</t></is></c>'
                else:
                    cells[col] = f'<c r="{letters[col]}{rs} t="inlineStr"><is><t>{esc}</t></is></c>'
            elif t is Decimal and col < 65:
                f = to_excel(v)
                if f - f == 0:      # finite
                    cells[col] = f'<c r="{letters[col]}{rs}><v>{f!r}</v></c>'
                else:
                    self.number(row, col, v)
            else:
                self.value(row, col, v)     # the general path (keeps the row's order bookkeeping)
            last = col
        if prior:
            self._ordered = False   # cells were there before: sorted when the row is written
        if last > self._last_col:
            self._last_col = last


# --- the package ---------------------------------------------------------------------------

@dataclass
class SheetRows:
    """One sheet's streamed rows: filled by `fill(writer)` into a temp file."""

    name: str
    fill: Callable[[RowWriter], None]
    wrap: dict[int, float] = field(default_factory=dict)


_ROW = re.compile(r'<row r="(\d+)"')
_DIMENSION = re.compile(r'<dimension ref="[^"]*"\s*/>')


def split_sheet_xml(xml: str) -> tuple[str, str]:
    """The skeleton sheet XML cut where the streamed rows go: (head, tail).
    `head` keeps the rows above FIRST_DATA_ROW, `tail` starts at </sheetData>."""
    empty = re.search(r"<sheetData\s*/>", xml)
    if empty:
        return xml[: empty.start()] + "<sheetData>", "</sheetData>" + xml[empty.end():]
    start = xml.index("<sheetData>") + len("<sheetData>")
    end = xml.index("</sheetData>")
    cut = end
    for m in _ROW.finditer(xml, start, end):
        if int(m.group(1)) >= L.FIRST_DATA_ROW:
            cut = m.start()
            break
    return xml[:cut], xml[end:]


def _dimension(head: str, last_row: int, last_col: int) -> str:
    ref = f"A1:{L.column_letter(max(last_col, 1))}{max(last_row, L.HEADER_ROW)}"
    return _DIMENSION.sub(f'<dimension ref="{ref}"/>', head, count=1)


def write_package(skeleton, sheets: Iterable[SheetRows], out: str, *, progress=None) -> None:
    """Save `skeleton` (an openpyxl Workbook) with every SheetRows' rows spliced in, to `out`."""
    keys = style_keys()
    add_style_probes(skeleton.worksheets[0], keys)
    buf = io.BytesIO()
    skeleton.save(buf)
    with zipfile.ZipFile(buf) as src:
        parts = sheet_parts(src)
        styles = read_style_probes(src.read(parts[skeleton.worksheets[0].title]), keys)
        streamed: dict[str, tuple] = {}
        try:
            for sheet in sheets:
                if progress:
                    progress(f"writing sheet {sheet.name}")
                tmp = tempfile.TemporaryFile(prefix="xlbilling-rows-")
                writer = RowWriter(tmp, styles, sheet.wrap)
                sheet.fill(writer)
                writer.close()
                streamed[parts[sheet.name]] = (tmp, writer.max_row, writer.max_col)
            if progress:
                progress("compressing the workbook")
            _assemble(src, streamed, out)
        finally:
            for tmp, _, _ in streamed.values():
                tmp.close()


def _assemble(src: zipfile.ZipFile, streamed: dict[str, tuple], out: str) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if not info.filename.startswith("xl/worksheets/sheet"):
                dst.writestr(info.filename, data)
                continue
            head, tail = split_sheet_xml(data.decode("utf-8"))
            tmp, last_row, last_col = streamed.get(info.filename, (None, 0, 0))
            head_rows = max((int(m.group(1)) for m in _ROW.finditer(head)), default=1)
            head = _dimension(head, max(last_row, head_rows), max(last_col, _head_cols(head)))
            with dst.open(info.filename, "w", force_zip64=True) as member:
                member.write(head.encode("utf-8"))
                if tmp is not None:
                    tmp.seek(0)
                    shutil.copyfileobj(tmp, member, 1 << 20)
                member.write(tail.encode("utf-8"))


_CELL_COL = re.compile(r'<c r="([A-Z]+)\d+"')


def _head_cols(head: str) -> int:
    """Widest column used in the skeleton's own rows (title, month, headers)."""
    from openpyxl.utils.cell import column_index_from_string

    return max((column_index_from_string(m.group(1)) for m in _CELL_COL.finditer(head)), default=1)
