"""Open an .xlsx safely: a size check of the zip before anything is
decompressed (zip bombs), then either openpyxl (defusedxml for the XML,
external links off: the billing template) or python-calamine for plain cell
values (the price book: about 10x faster than openpyxl's cell loop).  The one
place xlbilling opens a workbook it did not just write."""
from __future__ import annotations

import datetime as dt
import os
import re
import stat
import zipfile
from pathlib import Path

from xlbilling.errors import XlbillingError

# Uncompressed bytes allowed across all members: generous for real reports and
# price books (a 5,000-customer billing workbook is ~60 MB unzipped), far below
# what a zip bomb expands to.
MAX_UNZIPPED_BYTES = 1_000_000_000
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # compressed -> uncompressed; XML compresses ~10-30x


def open_workbook(path: str | Path, *, read_only: bool = False, data_only: bool = False,
                  max_unzipped_bytes: int = MAX_UNZIPPED_BYTES):
    """openpyxl.load_workbook after checking the zip's declared sizes.

    Raises XlbillingError (with the file name) for a file that is not an xlsx
    zip or that would expand beyond the limits.  keep_links=False always.
    """
    import defusedxml  # noqa: F401  (openpyxl switches to it when importable; fail loudly if absent)
    import openpyxl

    p = check_workbook_zip(path, max_unzipped_bytes)
    return openpyxl.load_workbook(p, read_only=read_only, data_only=data_only, keep_links=False)


def check_workbook_zip(path: str | Path, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> Path:
    """A regular file, a zip, not too many parts, declared sizes within the limits."""
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
    except FileNotFoundError:
        raise XlbillingError(f"{p}: file not found") from None
    if stat.S_ISDIR(mode):
        raise XlbillingError(f"{p}: is a folder, expected an .xlsx workbook")
    if not stat.S_ISREG(mode):  # a FIFO would block the open forever, /dev/zero never ends
        raise XlbillingError(f"{p}: is not a regular file (a pipe or a device?); expected an .xlsx workbook")
    try:
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise XlbillingError(f"{p.name}: {len(infos)} parts in the workbook zip (limit {MAX_MEMBERS});"
                                     " refusing to open it")
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > max_unzipped_bytes or (total > 50_000_000 and total / packed > MAX_RATIO):
                raise XlbillingError(f"{p.name}: would expand to {total:,} bytes ({total / packed:.0f}x);"
                                     f" limit {max_unzipped_bytes:,} bytes: refusing to open it")
    except zipfile.BadZipFile:
        raise XlbillingError(f"{p.name}: not an .xlsx workbook (not a zip file)") from None
    except FileNotFoundError:
        raise XlbillingError(f"{p}: file not found") from None
    return p


def read_sheet_grids(path: str | Path, wanted, *, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES):
    """(sheet names, {name: rows}) for the `wanted` sheets present: every row
    from A1 as a list of cell values the way openpyxl's data_only read gives
    them, so messages quoting a value read the same: None for an empty cell,
    an int for a whole number, a datetime for a date, the error text ('#N/A')
    for an error cell (calamine alone gives '' for those).

    The zip is checked twice before calamine sees it: declared sizes here,
    then inflated sizes, CRCs and each sheet's used area while streaming
    (readers.integrity.check_xlsx; calamine allocates the used area densely)."""
    import io

    import python_calamine as pc

    from xlbilling.readers.integrity import check_xlsx

    p = check_workbook_zip(path, max_unzipped_bytes)
    data = p.read_bytes()
    check_xlsx(data, p.name)
    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        names = list(wb.sheet_names)
        # (a non-empty text is most cells and stays as it is: no call for it)
        grids = {n: [[v if type(v) is str and v else _plain(v) for v in row]
                     for row in wb.get_sheet_by_name(n).to_python(skip_empty_area=False)]
                 for n in wanted if n in names}
    finally:
        wb.close()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = sheet_parts(zf)
        for name, grid in grids.items():
            for (row, col), text in _error_cells(zf.read(parts[name])).items():
                if row < len(grid) and col < len(grid[row]):
                    grid[row][col] = text
    return names, grids


def _plain(value):
    if value == "" and isinstance(value, str):
        return None
    if type(value) is float and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


_CELL_TAG = re.compile(rb'<c\b[^>]*>')
_REF_RC = re.compile(rb'\br="([A-Z]+)(\d+)"')


def _error_cells(sheet_xml: bytes) -> dict[tuple[int, int], str]:
    """(row, col) 0-based -> cached error text of every t="e" cell."""
    if b't="e"' not in sheet_xml:
        return {}
    out = {}
    for tag in _CELL_TAG.finditer(sheet_xml):
        ref = _REF_RC.search(tag.group(0))
        if b' t="e"' not in tag.group(0) or ref is None or tag.group(0).endswith(b"/>"):
            continue
        end = sheet_xml.find(b"</c>", tag.end())
        v = sheet_xml.find(b"<v>", tag.end(), end)
        if v < 0:
            continue
        col = 0
        for ch in ref.group(1):
            col = col * 26 + ch - 64
        text = sheet_xml[v + 3: sheet_xml.find(b"</v>", v, end)]
        out[(int(ref.group(2)) - 1, col - 1)] = text.decode("utf-8", "replace")
    return out


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its worksheet XML (from workbook.xml and its rels)."""
    from defusedxml import ElementTree as ET

    book = ET.fromstring(package.read("xl/workbook.xml"))
    rels = ET.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    out = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(r'\br="([A-Z]+[0-9]+)"')
_FORMULA = re.compile(r"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(r"<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>", re.S)
_ANY_FORMULA = re.compile(r"<(?:\w+:)?f[\s>/]")   # a sheet without one has no cell to check


def formulas_without_values(path: str | Path, sheets: set[str]) -> list[tuple[str, str, str]]:
    """(sheet, cell, formula) of every formula cell in `sheets` that carries no
    saved result.  Why: openpyxl (data_only) and calamine read such a cell as
    blank, so a unit price typed as =B2*1.2 in a workbook written by a tool
    that does not calculate would silently become "no price"."""
    import html

    from defusedxml import ElementTree as ET

    found: list[tuple[str, str, str]] = []
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return found
        rels = {r.get("Id"): r.get("Target", "") for r in ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))}
        for sheet in ET.fromstring(zf.read("xl/workbook.xml")).iter(f"{ns_main}sheet"):
            name = sheet.get("name", "")
            if name not in sheets:
                continue
            target = rels.get(sheet.get(f"{ns_rel}id"), "")
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if part not in names:
                continue
            xml = zf.read(part).decode("utf-8", "replace")
            if not _ANY_FORMULA.search(xml):   # (100,000 Accounts rows: 1 s of cell-by-cell matching saved)
                continue
            for m in _CELL.finditer(xml):
                body = m.group(2) or ""
                f = _FORMULA.search(body)
                if f is None or _VALUE.search(body):
                    continue
                ref = _REF.search(m.group(1))
                found.append((name, ref.group(1) if ref else "?", html.unescape(f.group(1) or "")))
    return found
