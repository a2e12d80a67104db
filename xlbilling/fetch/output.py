"""Writing fetched data: atomically (temp file in the same directory, then
os.replace) so a reader never sees half a report, refusing to overwrite an
existing file unless asked, and `-` meaning stdout."""
from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Iterable, Sequence

from xlbilling.errors import OutputError
from xlbilling.files.publish import atomic_write_bytes  # noqa: F401  (re-exported for fetch.altaro/state)
from xlbilling.writers.csv_safe import Writer, escape_row


def check_out(out: str, *, force: bool) -> Path | None:
    """Validate --out before any network call (so a bad path cannot burn the
    Altaro 5-minute window).  Returns None for stdout."""
    if out == "-":
        return None
    path = Path(out)
    if path.is_dir():
        raise OutputError(f"--out {out}: is a directory; give a file name")
    if path.exists() and not force:
        raise OutputError(f"--out {out}: already exists; choose another name or add --force to replace it")
    if not path.parent.exists():
        raise OutputError(f"--out {out}: folder {path.parent} does not exist")
    return path


def write_bytes(out: str, path: Path | None, data: bytes, *, force: bool = True) -> None:
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    atomic_write_bytes(path, data, overwrite=force)


def table_csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = Writer(buf)
    writer.writerow(columns)
    for row in rows:
        # text the API gave (client and device names) escaped when formula-like;
        # xlbilling's reader takes the apostrophe off again (core/formula_text.unescape_text)
        writer.writerow(escape_row(["" if v is None else v for v in row]))
    return buf.getvalue().encode("utf-8")


def table_xlsx_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]], *, sheet: str) -> bytes:
    """An .xlsx of one sheet; integers stay integers (byte counts exceed float
    precision only beyond 9 PB, but Excel shows them exactly up to 15 digits)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(list(columns))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
