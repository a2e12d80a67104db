"""Open an .xlsx with openpyxl safely: a size check of the zip before anything
is decompressed (zip bombs), defusedxml for the XML (openpyxl uses it when it
is installed), and external links off.  The one place xlbilling opens a
workbook with openpyxl."""
from __future__ import annotations

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
    return openpyxl.load_workbook(p, read_only=read_only, data_only=data_only, keep_links=False)


_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(r'\br="([A-Z]+[0-9]+)"')
_FORMULA = re.compile(r"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(r"<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>", re.S)


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
            for m in _CELL.finditer(xml):
                body = m.group(2) or ""
                f = _FORMULA.search(body)
                if f is None or _VALUE.search(body):
                    continue
                ref = _REF.search(m.group(1))
                found.append((name, ref.group(1) if ref else "?", html.unescape(f.group(1) or "")))
    return found
