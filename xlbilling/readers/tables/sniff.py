"""A report file's bytes -> its tables: the type from the first bytes (never
the extension), gzip opened and sniffed again, then the container's loader.
"""
from __future__ import annotations

import zlib
from pathlib import Path

from xlbilling.errors import UnrecognisedReportError
from xlbilling.readers.integrity import gunzip_bounded, read_report_bytes
from xlbilling.readers.tables.delimited import csv_table
from xlbilling.readers.tables.html_table import html_tables
from xlbilling.readers.tables.json_table import json_table
from xlbilling.readers.tables.table import Table
from xlbilling.readers.tables.workbook import workbook_tables

MAGIC_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAGIC_ZIP = b"PK\x03\x04"
MAGIC_GZIP = b"\x1f\x8b"
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff_type(data: bytes) -> str:
    """FORMATS.md: the type from the first bytes, never the extension."""
    if data.startswith(MAGIC_OLE2):
        return "xls"
    if data.startswith(MAGIC_ZIP):
        return "xlsx"
    if data.startswith(MAGIC_GZIP):
        return "gz"
    head = data[:2048]
    for bom in BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    text = head.replace(b"\x00", b"").lstrip().lower()
    if text.startswith(b"<"):
        return "html"
    if text.startswith(b"[") or text.startswith(b"{"):
        return "json"
    return "csv"


def load_tables(data: bytes, file: str) -> tuple[str, list[Table]]:
    """All tables of a report, by sniffed type.  gzip is opened and sniffed again."""
    if not data[:4096].strip() and not data.strip():  # the head decides without copying a big file
        raise UnrecognisedReportError(f"{file}: the file is empty (0 data bytes): download the report again")
    kind = sniff_type(data)
    if kind == "gz":
        try:
            inner = gunzip_bounded(data, file)  # refused while inflating past the bounds (bombs)
        except (OSError, EOFError, zlib.error) as err:
            raise UnrecognisedReportError(f"{file}: a gzip file that cannot be opened ({err}): the download is"
                                          " probably truncated; download it again") from None
        inner_type, tables = load_tables(inner, file)
        for t in tables:
            t.file_type = inner_type + ".gz"
        return inner_type + ".gz", tables
    if kind in ("xls", "xlsx"):
        return kind, workbook_tables(data, file, kind)
    if kind == "html":
        return kind, html_tables(data, file)
    if kind == "json":
        return kind, [json_table(data, file)]
    return kind, [csv_table(data, file)]


def read_bytes(path: str | Path) -> tuple[bytes, str, str]:
    """(bytes, name, sha256): regular files only, bounded, changes noticed (readers/integrity.py)."""
    return read_report_bytes(path)
