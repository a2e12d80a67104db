"""Reading untrusted report files within bounds, and noticing when a file is
not what it was: the one place a report's bytes come off the disk.

Why a module of its own: every limit here is checked *while* streaming, before
the memory is spent - a 4 MB gzip that inflates to 5 GB is refused after the
first ~50 MB, an .xlsx whose sheet claims cell XFD1048576 is refused before
calamine allocates a 17-billion-cell grid (which aborts the process), a FIFO
or /dev/zero is refused before it is opened for reading.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import threading
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from xlbilling.errors import LimitError, ReportError, UnrecognisedReportError

# Bounds (generous for real vendor reports: the largest sample class, a
# million-row Altaro CSV, is ~120 MB; a 20,000-row Axcient .xlsx ~3 MB zipped).
MAX_REPORT_BYTES = 1 << 30             # a report file on disk
MAX_INFLATED_BYTES = 1 << 30           # a gzip's content, or an .xlsx's members together
MAX_RATIO = 200                        # inflated / compressed, once past RATIO_GRACE_BYTES
RATIO_GRACE_BYTES = 50 << 20           # small files may compress very well (blank cells)
MAX_SHEET_ROWS = 1_048_576             # Excel's own limits
MAX_SHEET_COLUMNS = 16_384
MAX_GRID_CELLS = 20_000_000            # rows x columns of one sheet's used area (calamine fills it densely)
MAX_ZIP_MEMBERS = 10_000
CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What identifies the file's content without reading it again."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> "FileStamp":
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def read_report_bytes(path: str | Path) -> tuple[bytes, str, str]:
    """(bytes, file name, SHA-256) of a regular file, read once, bounded (read_report_bytes_hashing)."""
    data, name, digest = read_report_bytes_hashing(path)
    return data, name, digest.hexdigest()


# Below this size the digest is computed at once: a thread would cost more than it saves.
THREADED_DIGEST_BYTES = 4 << 20


class PendingDigest:
    """The SHA-256 of bytes already read, computed in a thread of its own.

    Why: hashing a 75 MB report takes ~40-90 ms that nothing needs until the
    read's result is built; hashlib releases the GIL on buffers this large, so
    the digest runs beside the reader's single-threaded work (started by
    read_report after pyarrow's parse, which keeps both cores busy: measured a
    little faster than hashing beside the parse).  The bytes are immutable: the
    digest is the one of exactly the bytes the records come from.  hexdigest()
    waits for it (and hashes at once if it was never started)."""

    def __init__(self, parts: list[bytes]):
        self._hex: str | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._parts: list[bytes] | None = parts
        if sum(map(len, parts)) < THREADED_DIGEST_BYTES:
            self._run(parts)
            self._parts = None

    def start(self) -> None:
        """Start hashing in the background (read_report: once the parse, which keeps
        both cores busy, is done); hexdigest() starts it if nobody did."""
        if self._parts is not None:
            self._thread = threading.Thread(target=self._run, args=(self._parts,), name="sha256", daemon=True)
            self._parts = None
            self._thread.start()

    def _run(self, parts: list[bytes]) -> None:
        try:
            h = hashlib.sha256()
            for part in parts:
                h.update(part)
            self._hex = h.hexdigest()
        except BaseException as err:  # handed to the caller of hexdigest()
            self._error = err

    def hexdigest(self) -> str:
        if self._parts is not None:
            parts, self._parts = self._parts, None
            self._run(parts)
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error
        assert self._hex is not None
        return self._hex


def read_report_bytes_hashing(path: str | Path) -> tuple[bytes, str, PendingDigest]:
    """(bytes, file name, SHA-256 being computed) of a regular file, read once, bounded.

    Refuses, naming the file: a missing file, a folder, anything that is not a
    regular file (FIFO, device such as /dev/zero, socket) - checked with stat
    before opening, and the open is O_NONBLOCK so a FIFO swapped in between
    cannot hang - a file above MAX_REPORT_BYTES, and a file that changed while
    it was read (size, mtime or inode differ before and after, or fewer/more
    bytes came than stat said): its rows could be a mix of two versions."""
    p = Path(path)
    name = p.name or str(path)
    before = checked_stat(path)
    fd = open_checked(path, before)
    try:
        parts: list[bytes] = []
        total = 0
        while True:
            # The stat'd size (+1, to see growth) in one read: a regular file comes in one
            # piece, so no join copies a big report; short reads just add parts.
            chunk = os.read(fd, max(CHUNK, before.st_size + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_REPORT_BYTES:
                raise LimitError(f"{path}: more than {MAX_REPORT_BYTES:,} bytes; reports that large are not read")
            parts.append(chunk)
        after = os.fstat(fd)
    finally:
        os.close(fd)
    try:
        again = os.stat(p)
    except OSError:
        raise changed_error(path) from None
    if before.st_size == 0 and total > 0 and FileStamp.of(again) == FileStamp.of(before):
        # /proc-style files: stat says 0 bytes, reading gives text - not a saved report
        raise ReportError(f"{path}: a special file whose size the system does not state (like /proc);"
                          " save the report to an ordinary file first")
    if total != before.st_size or FileStamp.of(after) != FileStamp.of(before) or \
            FileStamp.of(again) != FileStamp.of(before):
        raise changed_error(path)
    return (parts[0] if len(parts) == 1 else b"".join(parts)), name, PendingDigest(parts)


def checked_stat(path: str | Path) -> os.stat_result:
    """The stat of a report file that may be read: it exists, is a regular file
    (not a folder, FIFO, device or socket) and is within MAX_REPORT_BYTES."""
    p = Path(path)
    try:
        before = os.stat(p)
    except FileNotFoundError:
        raise ReportError(f"{path}: file not found") from None
    except NotADirectoryError:
        raise ReportError(f"{path}: file not found (a part of the path is not a folder)") from None
    if stat.S_ISDIR(before.st_mode):
        raise ReportError(f"{path}: is a folder, expected a report file")
    _require_regular(path, before.st_mode)
    if before.st_size > MAX_REPORT_BYTES:
        raise LimitError(f"{path}: {before.st_size:,} bytes; reports above {MAX_REPORT_BYTES:,} bytes are not read")
    return before


def open_checked(path: str | Path, before: os.stat_result) -> int:
    """An O_NONBLOCK descriptor of the file `before` describes (a FIFO swapped in since
    the stat cannot hang the open), checked to be that same regular file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        require_same_file(path, os.fstat(fd), before)
    except BaseException:
        os.close(fd)
        raise
    return fd


def require_same_file(path, opened: os.stat_result, before: os.stat_result) -> None:
    """What was opened is a regular file, and the one first stat'd."""
    _require_regular(path, opened.st_mode)
    if FileStamp.of(opened) != FileStamp.of(before):
        raise changed_error(path)


def changed_error(path) -> ReportError:
    """The refusal of a file that changed while (or after) it was read."""
    return ReportError(f"{path}: the file changed while it was being read (size or modification time differ"
                       " before and after): rows could come from two versions. Wait until the download or"
                       " copy has finished, then run again")


def _require_regular(path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    raise ReportError(f"{path}: is {kind}; only regular files are read as reports (save the report to a file"
                      " first)")


def require_regular_file(path: str | Path, what: str = "file") -> None:
    """stat-only check for inputs other libraries open (the price book)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ReportError(f"{path}: {what} not found") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReportError(f"{path}: is a folder, expected a {what}")
    _require_regular(path, st.st_mode)


# -- gzip ---------------------------------------------------------------------

def gunzip_bounded(data: bytes, file: str, *, limit: int | None = None) -> bytes:
    """gzip content (all members), inflated in chunks and refused as soon as it
    passes `limit` bytes or MAX_RATIO times the compressed bytes consumed so far
    (past the grace): a bomb costs ~50 MB of work, not its full size."""
    limit = MAX_INFLATED_BYTES if limit is None else limit
    out: list[bytes] = []
    total = 0
    rest = data
    while rest:
        start = len(data) - len(rest)
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = rest
        while pending and not d.eof:
            chunk = d.decompress(pending, CHUNK)
            pending = d.unconsumed_tail
            total += len(chunk)
            _check_inflated(file, "gzip content", total, start + len(rest) - len(pending), limit)
            out.append(chunk)
        if not d.eof:
            raise zlib.error("the gzip stream ends early (truncated)")
        rest = d.unused_data.lstrip(b"\x00")  # zero padding after the last member is allowed
        if rest and not rest.startswith(b"\x1f\x8b"):
            break
    return b"".join(out)


def _check_inflated(file: str, what: str, inflated: int, compressed: int, limit: int) -> None:
    if inflated > limit:
        raise LimitError(f"{file}: the {what} inflates to more than {limit:,} bytes; refusing it (a real report is"
                         " far smaller; this looks like a decompression bomb)")
    if inflated > RATIO_GRACE_BYTES and inflated > MAX_RATIO * max(compressed, 1):
        raise LimitError(f"{file}: the {what} inflates more than {MAX_RATIO}x ({inflated:,} bytes from"
                         f" {compressed:,} so far); refusing it as a likely decompression bomb")


# -- xlsx (zip) -----------------------------------------------------------------

_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,4})([0-9]{1,9})\"")
# The row's own r attribute counts too (a row's r-less cells are placed by it); the optional
# group is tried first, so it captures r wherever it stands in the tag.
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b(?:[^>]*?\br=\"([0-9]{1,9})\")?[^>]*?>")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"(?:[A-Z]+[0-9]+:)?([A-Z]{1,4})([0-9]{1,9})\"")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_xlsx(data: bytes, file: str) -> None:
    """Open the zip, check member count and declared sizes, then inflate every
    member in chunks with the caps above (which also checks each CRC) and scan
    each worksheet's cells for its used area - all before calamine sees it."""
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
        raise UnrecognisedReportError(f"{file}: starts like an .xlsx (zip) file but cannot be opened ({err}):"
                                      " the download is probably truncated; download it again") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise LimitError(f"{file}: {len(infos):,} parts in the .xlsx zip (limit {MAX_ZIP_MEMBERS:,}); refusing it")
        declared = sum(i.file_size for i in infos)
        _check_inflated(file, ".xlsx (zip)", declared, len(data), MAX_INFLATED_BYTES)
        for info in infos:  # honest bombs: refused from the declared sizes, nothing inflated
            _check_inflated(file, f".xlsx member {info.filename!r}", info.file_size, info.compress_size,
                            MAX_INFLATED_BYTES)
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names:
            raise UnrecognisedReportError(f"{file}: a zip file but not an Excel workbook (no xl/workbook.xml);"
                                          " expected a vendor report (.xls, .xlsx, .csv)")
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            try:
                member_total = _inflate_member(zf, info, file, len(data), total, _SheetBound(file, info.filename)
                                               if sheet else None)
            except _BoundNotProven:
                # The cheap bound could not prove the sheet inside the limits: scan it again
                # cell reference by cell reference (the exact figures, and the exact refusal).
                member_total = _inflate_member(zf, info, file, len(data), total, _SheetScan(file, info.filename))
            total += member_total


def _inflate_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str, compressed: int, total: int,
                    scan) -> int:
    """Inflate one member in chunks under the caps (total = bytes of the members before it),
    feeding a worksheet's chunks to its scan; the member's inflated size."""
    member_total = 0
    try:
        # zipfile stops at the declared size and checks the CRC at the end, so
        # a member lying about its size is refused as damaged, never inflated on.
        with zf.open(info) as member:
            while True:
                chunk = member.read(CHUNK)
                if not chunk:
                    break
                member_total += len(chunk)
                _check_inflated(file, ".xlsx (zip)", total + member_total, compressed, MAX_INFLATED_BYTES)
                _check_inflated(file, f".xlsx member {info.filename!r}", member_total, info.compress_size,
                                MAX_INFLATED_BYTES)
                if scan:
                    scan.feed(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as err:
        raise UnrecognisedReportError(f"{file}: the .xlsx (zip) file is damaged (member {info.filename!r}:"
                                      f" {err}); download it again") from None
    if scan:
        scan.feed(b"", final=True)
    return member_total


class _SheetScan:
    """Used area of one worksheet XML, from its cell references, fed in chunks."""

    def __init__(self, file: str, member: str):
        self.file, self.member = file, member
        self.max_row = self.max_col = self.rows = self.cells = 0
        self.tail = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        buf = self.tail + chunk
        cut = buf.rfind(b"<")  # a tag cut by the chunk boundary waits for the next chunk
        if final or cut < 0 or len(buf) - cut > 4096:
            cut = len(buf)
        body, self.tail = buf[:cut], buf[cut:]
        # findall and map run in C: a 20,000-row sheet's 400,000 references are not
        # walked match by match; the column letters are converted once each.
        refs = _CELL_REF.findall(body)
        if refs:
            self.max_col = max(self.max_col, max(map(_col_number, set(map(itemgetter(0), refs)))))
            self.max_row = max(self.max_row, max(map(int, map(itemgetter(1), refs))))
        row_numbers = _ROW_TAG.findall(body)
        self.rows += len(row_numbers)
        self.max_row = max(self.max_row, max(map(int, filter(None, row_numbers)), default=0))
        self.cells += len(_CELL_TAG.findall(body))
        self._check()

    def _check(self) -> None:
        rows = max(self.max_row, self.rows)
        cols = self.max_col or (1 if self.cells else 0)
        where = f"{self.file}: worksheet {self.member.rsplit('/', 1)[-1]}"
        if rows > MAX_SHEET_ROWS or cols > MAX_SHEET_COLUMNS:
            raise LimitError(f"{where}: cells reach row {rows:,}, column {cols:,}; beyond Excel's"
                             f" {MAX_SHEET_ROWS:,} rows x {MAX_SHEET_COLUMNS:,} columns: refusing it")
        if rows * cols > MAX_GRID_CELLS or self.cells > MAX_GRID_CELLS:
            raise LimitError(f"{where}: the used area is {rows:,} rows x {cols:,} columns"
                             f" ({max(rows * cols, self.cells):,} cells); xlbilling reads at most"
                             f" {MAX_GRID_CELLS:,} cells per sheet: refusing it")


_REF_PARTS = re.compile(rb"([A-Z]*)([0-9]*)")


class _BoundNotProven(Exception):
    """The cheap bound of a worksheet exceeds a limit: only the exact scan may refuse it."""


@lru_cache(maxsize=None)
def _rx(pattern: bytes) -> re.Pattern:
    return re.compile(pattern)


class _SheetBound:
    """Upper bounds of what _SheetScan computes, from a few C-speed passes per chunk
    (bytes.count, regex searches that stop at the first hit) instead of one Python
    object per cell reference: a 20,000-row sheet in ~0.1 s instead of ~1 s.

    Why each bound is >= _SheetScan's figure on the same chunk (both cut the stream
    at the same '<', so they see identical bodies):
    * cells: with no ":c" in the body no prefixed tag exists, and each _CELL_TAG match
      starts at its own "<c", counted here (with <col, <cfRule...: a few too many).
    * rows: every _ROW_TAG match starts at a distinct "<row" (no ":row" in the body).
    * max row / column: every captured reference is a substring r="LETTERS DIGITS"
      (a row's r="DIGITS") with at most 4 letters and 9 digits, which the search in
      _raise_bounds matches when it is above the bounds (without _CELL_REF's word
      boundary and enclosing tag: more hits, never fewer; a leading \\b would also
      cost regex its fast literal-prefix search, 5-10x slower): no hit for D+1 digits
      means every number has at most D digits; no hit for a D-digit number starting
      above G means it is below (G+1)*10^(D-1); the same for the letters' count L and
      the first letter F.  A hit raises the bounds to cover what it found (to the caps,
      10 digits / 5 letters, beyond them), so the search ends with no hit in the body.
    A body holding ":c" or ":row" (prefixed tags) is scanned exactly - exact figures
    are bounds too.  The checks are monotone, so bounds inside every limit prove the
    exact figures inside; otherwise _BoundNotProven makes check_xlsx rescan the sheet
    exactly, which refuses with the same message (or accepts) as before."""

    def __init__(self, file: str, member: str):
        self.exact = _SheetScan(file, member)
        self.rows = self.cells = 0
        self.digits, self.first_digit = 0, 0        # numbers < (first_digit + 1) * 10**(digits - 1)
        self.letters, self.first_letter = 0, 65     # columns <= first_letter followed by "Z" * (letters - 1)
        self.tail = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        buf = self.tail + chunk
        cut = buf.rfind(b"<")
        if final or cut < 0 or len(buf) - cut > 4096:
            cut = len(buf)
        body, self.tail = buf[:cut], buf[cut:]
        if b":c" in body or b":row" in body:
            try:  # the tail stays here: the exact scan sees this body alone
                self.exact.feed(body, final=True)
            except LimitError:  # figures of part of the sheet: the full exact scan words the refusal
                raise _BoundNotProven() from None
        else:
            self.cells += body.count(b"<c")
            self.rows += body.count(b"<row")
            self._raise_bounds(body)
        self._check()

    def _above(self) -> re.Pattern | None:
        """The references the bounds do not cover yet, as one pattern (alternatives
        share the r=" prefix, so regex keeps its fast literal search): more digits,
        as many digits with a higher first digit, more letters, as many letters with
        a higher first letter.  None once every bound is at its cap."""
        tails = []
        if self.digits < 10:
            tails.append(b"[A-Z]{0,4}[0-9]{%d}" % (self.digits + 1))
        if self.digits and self.first_digit < 9:
            tails.append(b'[A-Z]{0,4}[%c-9][0-9]{%d}"' % (49 + self.first_digit, self.digits - 1))
        if self.letters < 5:
            tails.append(b"[A-Z]{%d}" % (self.letters + 1))
        if self.letters and self.first_letter < 90:
            tails.append(b"[%c-Z][A-Z]{%d}[0-9]" % (self.first_letter + 1, self.letters - 1))
        return _rx(b'r="(?:' + b"|".join(tails) + b")") if tails else None

    def _raise_bounds(self, body: bytes) -> None:
        """Raise the bounds until no reference in the body is above them: each hit
        raises them to cover the reference it found, and the search goes on from
        there (raised bounds match only references the lower ones matched too, so
        nothing before the hit can match again).  A sheet inside its bounds costs
        one failing search per chunk."""
        pos = 0
        while (pattern := self._above()) is not None and (hit := pattern.search(body, pos)) is not None:
            pos = hit.start()
            ref = _REF_PARTS.match(body, pos + 3)
            letters, digits = ref[1], ref[2]
            if letters:
                count = min(len(letters), 5)
                first = 90 if len(letters) > 5 else letters[0]
                if count > self.letters:
                    self.letters, self.first_letter = count, first
                elif count == self.letters:
                    self.first_letter = max(self.first_letter, first)
            if digits:
                count = min(len(digits), 10)
                first = 9 if len(digits) > 10 else digits[0] - 48
                if count > self.digits:
                    self.digits, self.first_digit = count, first
                elif count == self.digits:
                    self.first_digit = max(self.first_digit, first)

    def _check(self) -> None:
        max_row = (self.first_digit + 1) * 10 ** (self.digits - 1) - 1 if self.digits else 0
        max_col = (_col_number(bytes([self.first_letter]) + b"Z" * (self.letters - 1)) if self.letters else 0)
        rows = max(max_row, self.exact.max_row, self.rows + self.exact.rows)
        cols = max(max_col, self.exact.max_col) or (1 if self.cells or self.exact.cells else 0)
        cells = self.cells + self.exact.cells
        if rows > MAX_SHEET_ROWS or cols > MAX_SHEET_COLUMNS or rows * cols > MAX_GRID_CELLS \
                or cells > MAX_GRID_CELLS:
            raise _BoundNotProven()


# Sheet names of xlbilling's own workbooks (writers/layout.py SHEETS, pricing/schema.py):
# a previous month's billing workbook carries import sheets whose headers look
# like the vendor reports it was built from, so it must be refused by name.
BILLING_SHEETS = frozenset({"Summary", "Invoice lines", "Reconciliation", "Problems", "Imports"})
PRICEBOOK_SHEETS = frozenset({"Settings", "Customers", "Accounts", "Rates"})


def refuse_own_workbook(file: str, sheet_names) -> None:
    names = set(sheet_names)
    if len(names & BILLING_SHEETS) >= 3:
        raise UnrecognisedReportError(
            f"{file}: this is an xlbilling billing workbook (sheets {', '.join(sorted(names & BILLING_SHEETS))}),"
            " not a vendor report: give the vendor reports it was built from instead")
    if PRICEBOOK_SHEETS <= names:
        raise UnrecognisedReportError(f"{file}: this is an xlbilling price book, not a vendor report: pass it with"
                                      " --pricebook")


def grid_cells_limit(file: str, rows: int, cols: int, what: str = "table") -> None:
    """The same cell bound for tables built in Python (HTML, JSON)."""
    if rows * max(cols, 1) > MAX_GRID_CELLS:
        raise LimitError(f"{file}: the {what} has {rows:,} rows x {cols:,} columns; xlbilling reads at most"
                         f" {MAX_GRID_CELLS:,} cells: refusing it")


__all__ = ["refuse_own_workbook", "read_report_bytes", "read_report_bytes_hashing", "PendingDigest", "require_regular_file", "gunzip_bounded", "check_xlsx", "grid_cells_limit",
           "MAX_REPORT_BYTES", "MAX_INFLATED_BYTES", "MAX_GRID_CELLS"]
