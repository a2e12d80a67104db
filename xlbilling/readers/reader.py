"""What every vendor reader shares: the `Reader` each report module subclasses
(its `Col`s and `read(ctx)`), the `Context` it reads from, the `ReaderOutput`
it returns, and the `ReadResult` read_report builds from that.

Readers (one module per vendor report) declare their columns as `Col`s and turn
a `Context` into records; `xlbilling.readers` picks one by its header.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Sequence

from xlbilling.core.period import Period
from xlbilling.core.problems import Problem
from xlbilling.core.records import Source, UsageRecord
from xlbilling.core.words import count
from xlbilling.readers.cells import Cells
from xlbilling.readers.headers import Col, HeaderMatch, match_header
from xlbilling.readers.row_numbers import RowNumbers
from xlbilling.readers.tables.table import Table

# ============================================================================
# Results
# ============================================================================

@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A source row read but not billed, and why (deleted Axcient account,
    Acronis feature switch ...), with the quantities it still carried."""

    source: Source
    account: str
    customer: str
    reason: str
    quantities: dict[str, Decimal] = field(default_factory=dict)


RowSlicer = Callable[[int, int], list[tuple]]   # (start, stop) -> those rows

# Rows converted at a time when the writer streams an import sheet: the peak of
# a streamed sheet is one chunk, not the whole report (issue 13: 20,000
# customers' import rows held at once were 130 MiB of the build's peak).
STREAM_CHUNK_ROWS = 20000


class LazyRows(Sequence):
    """The source table for the workbook's import sheet, built on first use so
    a million-row file costs nothing unless someone shows it.

    `open_rows()` prepares the source (it may read the file again) and returns
    a slicer giving rows [start, stop).  Indexing builds and keeps every row;
    `head` and `stream` (the writer's two uses) never keep more than a chunk,
    so the rows of a sheet already written are freed as the writer goes."""

    def __init__(self, open_rows: Callable[[], RowSlicer], length: int):
        self._open: Callable[[], RowSlicer] | None = open_rows
        self._length = length
        self._rows: list[tuple] | None = None
        self._slicer: RowSlicer | None = None   # opened by head(), until stream() or a full build

    def _source(self) -> RowSlicer:
        if self._slicer is None:
            assert self._open is not None
            self._slicer = self._open()
        return self._slicer

    def _get(self) -> list[tuple]:
        if self._rows is None:
            self._rows = self._source()(0, self._length)
            self._open = self._slicer = None
        return self._rows

    def __getitem__(self, index):  # type: ignore[override]
        return self._get()[index]

    def __len__(self) -> int:
        return self._length if self._rows is None else len(self._rows)

    def head(self, n: int) -> list[tuple]:
        """The first `n` rows, without building the rest (the source stays open for `stream`)."""
        if self._rows is not None:
            return self._rows[:n]
        return self._source()(0, min(n, self._length))

    def stream(self, chunk_rows: int = STREAM_CHUNK_ROWS) -> Iterator[tuple]:
        """Every row in order, converted a chunk at a time and not kept: the
        source is let go when the stream starts (a later use opens it again)."""
        if self._rows is not None:
            yield from self._rows
            return
        slicer, self._slicer = self._source(), None
        for start in range(0, self._length, chunk_rows):
            yield from slicer(start, min(start + chunk_rows, self._length))

    def __repr__(self) -> str:
        return "LazyRows(built)" if self._rows is not None else "LazyRows(not built)"


@dataclass(frozen=True, slots=True)
class ReadResult:
    """Everything one report gave: records to bill, rows skipped and why,
    unknown columns and warnings for the import summary, and the table as read."""

    file: str
    sha256: str
    vendor: str
    report_type: str
    records: tuple[UsageRecord, ...]
    rows_read: int
    skipped: tuple[SkippedRow, ...] = ()
    unknown_columns: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: Sequence[tuple] = ()
    file_type: str = ""
    sheet: str | None = None
    # The period the file states (a column, a title row or its name), None when
    # it states none (core/period.py; checked against the billing month by run_month).
    period: "Period | None" = None
    # typed problems (kind code + vendor, account, customer, source): what pricing
    # passes on; `warnings` holds the same sentences for the import summary
    problems: tuple[Problem, ...] = ()

    def summary_lines(self) -> list[str]:
        """The import summary a finance user reads (CLI stderr, import sheet)."""
        where = f"{self.file}" + (f" sheet {self.sheet!r}" if self.sheet else "")
        lines = [f"{where}: {self.vendor} {self.report_type} ({self.file_type}); {count(self.rows_read, 'data row')} read,"
                 f" {count(len(self.records), 'record')}, {count(len(self.skipped), 'row')} skipped"]
        reasons: dict[str, int] = {}
        for s in self.skipped:
            reasons[s.reason] = reasons.get(s.reason, 0) + 1
        for reason, n in reasons.items():
            lines.append(f"  skipped {n}: {reason}")
        if self.unknown_columns:
            lines.append("  unknown columns ignored: " + ", ".join(self.unknown_columns))
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return lines


@dataclass(frozen=True, slots=True)
class ReaderInfo:
    """What `identify` found: which reader, on which sheet and header row."""

    file: str
    file_type: str
    reader: str
    vendor: str
    report_type: str
    sheet: str | None
    header_row: int
    headers: tuple[str, ...]


# ============================================================================
# Readers
# ============================================================================

@dataclass
class Context:
    """What a reader gets: the table, its header match, the read options and
    the data columns (a DataFrame keyed by header position)."""

    table: Table
    header_index: int
    match: HeaderMatch
    headers: list[object]
    options: dict[str, Any]
    frame: Any = None
    row_numbers: Sequence[int] = field(default_factory=list)   # a list, or a range
    cells: Cells | None = None
    _lists: dict[str, list[object]] = field(default_factory=dict)
    # Loads every matched column when `frame` holds only the reader's read_cols
    # (same rows): a column outside them is still there when asked for.
    load_all: Callable[[], Any] | None = None

    @property
    def file(self) -> str:
        return self.table.file

    @property
    def sheet(self) -> str | None:
        return self.table.sheet

    def source(self, rows: Iterable[int]) -> Source:
        """Where rows came from; RowNumbers (a big roll-up's compact rows) kept as they are."""
        return Source(self.table.file, self.table.sheet, rows if isinstance(rows, RowNumbers) else tuple(rows))

    def has(self, name: str) -> bool:
        return name in self.match.positions

    def _frame_with(self, pos: int):
        if pos not in self.frame.columns and self.load_all is not None:
            self.frame, self.load_all = self.load_all(), None
        return self.frame

    def series(self, name: str):
        """The column as a pandas Series (for vectorised readers)."""
        pos = self.match.positions[name]
        return self._frame_with(pos)[pos]

    def drop(self, *names: str) -> None:
        """The reader is done with these columns: when every column can be loaded
        again (load_all: the import sheet does), their memory is freed now."""
        if self.load_all is None:
            return
        for name in names:
            pos = self.match.positions.get(name)
            if pos is not None and pos in self.frame.columns:
                del self.frame[pos]

    def col(self, name: str) -> list[object]:
        """The column as a list of cell values ([None]*n when absent)."""
        if name not in self._lists:
            pos = self.match.positions.get(name)
            self._lists[name] = [None] * len(self.row_numbers) if pos is None else self._frame_with(pos)[pos].tolist()
        return self._lists[name]

    def header_of(self, name: str) -> str:
        """The header as the file spells it (for messages)."""
        pos = self.match.positions.get(name)
        return str(self.headers[pos]).strip() if pos is not None else name


class Reader:
    """One vendor report.  Subclasses declare `cols`, `one_of`, and `read(ctx)`."""

    name = "base"
    vendor = ""
    report_type = ""
    description = ""
    cols: tuple[Col, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    numeric_cols: tuple[str, ...] = ()   # sampled to decide the file's decimal separator
    # The columns read() uses, when far fewer than `cols` (None: all): only these
    # are loaded from a big file (memory), the rest on demand (Context.load_all).
    read_cols: tuple[str, ...] | None = None
    # Columns with few distinct values (customers, types, months): a CSV loads them
    # dictionary-encoded while parsing (codes + distinct values: no million strings).
    coded_cols: tuple[str, ...] = ()
    # Minimum share of required columns that makes a header "this report, with
    # columns missing" (-> MissingColumnsError) rather than "not this report".
    claim_score = 0.5

    def match(self, headers: Sequence[object]) -> HeaderMatch:
        return match_header(headers, self.cols, self.one_of)

    def read(self, ctx: Context) -> "ReaderOutput":
        raise NotImplementedError


@dataclass
class ReaderOutput:
    records: list[UsageRecord]
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    period: "Period | None" = None   # what the file's own columns state (core/period.py)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, kind: str, message: str, *, account: str = "", customer: str = "", source: str = "") -> None:
        """A typed problem (core/problems.py KINDS) and its sentence for the summary;
        read_report fills in the vendor and, when blank, the file as source."""
        self.warnings.append(message)
        self.problems.append(Problem(kind, "", account, customer, message, source))


def row_array(ctx: Context):
    """The row numbers as an int64 array (vectorised readers): a range without a list."""
    import numpy as np

    rows = ctx.row_numbers
    if isinstance(rows, range):
        return np.arange(rows.start, rows.stop, rows.step, dtype=np.int64)
    return np.asarray(rows, dtype=np.int64)


def iter_rows(ctx: Context, *names: str) -> Iterator[tuple]:
    """(row_number, value, value, ...) for the named canonical columns."""
    cols = [ctx.col(n) for n in names]
    return zip(ctx.row_numbers, *cols)


def merge_records(records: Iterable[UsageRecord]) -> list[UsageRecord]:
    """One record per vendor/account/item/tier/unit: quantities (and stated
    amounts) summed, source rows joined, first customer and details kept."""
    out: dict[tuple, UsageRecord] = {}
    for r in records:
        key = (r.vendor, r.account, r.item, r.tier, r.unit, r.vendor_currency)
        prev = out.get(key)
        if prev is None:
            out[key] = r
            continue
        amount = None if prev.vendor_amount is None and r.vendor_amount is None else \
            (prev.vendor_amount or Decimal(0)) + (r.vendor_amount or Decimal(0))
        out[key] = UsageRecord(prev.vendor, prev.account, prev.customer, prev.item, prev.quantity + r.quantity,
                               prev.unit, Source(prev.source.file, prev.source.sheet,
                                                 prev.source.rows + r.source.rows),
                               prev.tier, amount, prev.vendor_currency, prev.details)
    return list(out.values())
