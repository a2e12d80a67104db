"""Open an .xlsx with openpyxl safely: a size check of the zip before anything
is decompressed (zip bombs), defusedxml for the XML (openpyxl uses it when it
is installed), and external links off.  The one place xlbilling opens a
workbook with openpyxl."""
from __future__ import annotations

import os
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
