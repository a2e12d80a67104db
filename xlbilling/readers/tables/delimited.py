"""Delimited text (CSV, semicolon, tab, pipe) -> a `Table`: the delimiter
sniffed, the columns a reader uses loaded by pyarrow (the csv module for
ragged files), and files that would lose rows refused (a quote never closed,
a last row cut short).
"""
from __future__ import annotations

import csv
import io
from typing import Sequence

from xlbilling.errors import ReportError, UnrecognisedReportError
from xlbilling.readers.tables.table import PREVIEW_ROWS, Table
from xlbilling.readers.tables.text import StreamedText, TextSource

def _sniff_delimiter(lines: list[str]) -> str:
    best, best_score = ",", -1
    for delim in (",", ";", "\t", "|"):
        counts = []
        for row in csv.reader(lines[:10], delimiter=delim):
            counts.append(len(row))
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = delim, score
    return best


DELIMITERS = (",", ";", "\t", "|")


def csv_table(data: "bytes | StreamedText", file: str) -> Table:
    """A delimited file's table; `data` its bytes, or a big file's StreamedText."""
    source = TextSource(data) if isinstance(data, (bytes, bytearray)) else data
    head = source.head()
    head_lines = head.splitlines()[:PREVIEW_ROWS + 1]
    if len(head) >= 65000 and len(head_lines) > 1:
        head_lines = head_lines[:-1]  # the last line may be cut
    if "\x00" in head:
        raise UnrecognisedReportError(f"{file}: a binary file, not a spreadsheet or CSV report")
    sniffed = _sniff_delimiter(head_lines)

    def variants() -> list[Table]:
        return [_delimited_table(source, file, head_lines, d) for d in DELIMITERS if d != sniffed]

    table = _delimited_table(source, file, head_lines, sniffed)
    table.variants = variants
    return table


def _delimited_table(source: "TextSource", file: str, head_lines: list[str], delimiter: str) -> Table:
    preview: list[list[object]] = [[c if c.strip() else None for c in row]
                                   for row in csv.reader(head_lines, delimiter=delimiter)]
    table: Table

    def load(header_index: int, positions: Sequence[int]):
        # Every cell is read as a string (parsed exactly later) and only the columns
        # a reader uses are kept.  Row numbers count records as a spreadsheet shows them.
        width = max((len(r) for r in preview[header_index:header_index + 1]), default=0)
        wanted = [p for p in positions if p < width]
        shape = _Shape()
        coded = table.coded_positions.intersection(wanted)
        frame = _parse(source, delimiter, header_index, width, wanted, shape, coded)
        _refuse_lost_rows(table, source, delimiter, header_index, width, len(frame), shape)
        frame, rows = _drop_blank_records(frame, header_index, wanted)
        for p in positions:
            if p not in frame.columns:
                frame[p] = ""
        release_arrow_memory()  # the parse's and the blank check's buffers, freed but kept by the pool
        if len(rows) == 0 or rows[-1] - rows[0] == len(rows) - 1:
            # no record dropped: a range (a million-int list costs, and row_array() needs none)
            return frame, range(int(rows[0]), int(rows[-1]) + 1) if len(rows) else []
        return frame, rows.tolist()

    table = Table(file, "csv", None, preview, load, delimiter=delimiter, encoding=source.encoding)
    return table


def _parse(source: "TextSource", delimiter: str, header_index: int, width: int, wanted: Sequence[int],
           shape: "_Shape", coded: frozenset[int] = frozenset()):
    """The wanted columns below the header: pyarrow's CSV reader (multi-threaded
    C++, a million rows in a fraction of a second), again after a cp1252
    re-decode when the bytes are not UTF-8; ragged files fall back to the csv
    module (which fills in `shape`)."""
    if isinstance(source, StreamedText):
        if source.can_stream():
            frame = _streamed_arrow_csv(source, delimiter, header_index, width, wanted, coded)
            if frame is not None:
                return frame
        source = source.whole()  # read whole once (checked to be the same file): then as below
    try:
        return _arrow_csv(source.utf8(), delimiter, header_index, width, wanted, source.has_quote(), coded)
    except _BadUTF8:
        source.text()  # re-decoded (cp1252), then read again
        try:
            return _arrow_csv(source.utf8(), delimiter, header_index, width, wanted, source.has_quote(), coded)
        except (_RaggedCSV, _BadUTF8):
            return _python_csv(source.text(), delimiter, header_index, wanted, shape)
    except _RaggedCSV:
        return _python_csv(source.text(), delimiter, header_index, wanted, shape)


def _streamed_arrow_csv(source: "StreamedText", delimiter: str, header_index: int, width: int,
                        wanted: Sequence[int], coded: frozenset[int]):
    """The wanted columns parsed from the file as it is read, or None when that
    parse does not stand (not UTF-8, ragged, a quote past the head) and the
    whole bytes must be parsed instead; a file that changed is refused."""
    try:
        frame = _arrow_csv(source.arrow_input(), delimiter, header_index, width, wanted, source.head_quote, coded)
    except (_BadUTF8, _RaggedCSV):
        frame = None
    except BaseException:
        source.abandon()
        raise
    return frame if source.stream_stands(frame is not None) else None


def _refuse_lost_rows(table: Table, source: "TextSource", delimiter: str, header_index: int, width: int,
                      records: int, shape: "_Shape") -> None:
    """Files that lose rows do not pass: a quote never closed (the rest of the file
    read as one cell), a last row cut short (kept, with a note, when the table
    accepts a short last row)."""
    # (Without a quote character no cell spans lines: nothing to check, the file is not counted again.)
    if source.has_quote() and source.line_count() - (header_index + 1) > records:
        _check_spanning_cells(source.text(), delimiter, header_index, width, table.file)
    if shape.last_width is not None and shape.last_width < width and not source.ends_with_newline():
        where = f"{table.file}, row {header_index + 1 + shape.records}"
        if not table.accept_short_last_row:
            raise ReportError(f"{where}: the last row has {shape.last_width} of the {width} fields and the"
                              " file does not end with a line break: the file looks cut short. Download it"
                              " again, or add --accept-short-last-row to read that row as it is")
        table.notes.append(f"row {header_index + 1 + shape.records}: last row cut short ({shape.last_width} of"
                           f" {width} fields), read as it is (--accept-short-last-row)")


def _drop_blank_records(frame, header_index: int, wanted: Sequence[int]):
    """(frame, row numbers as an int array) without the blank records (e.g.
    ",,,," trailing rows), found without a Python loop: the first column decides
    for nearly every row, the others only where it is blank."""
    import numpy as np

    rows = np.arange(header_index + 2, header_index + 2 + len(frame))
    if len(frame) and wanted:
        blank = _blank_cells(frame[wanted[0]])
        for p in wanted[1:]:
            maybe = np.flatnonzero(blank)
            if not len(maybe):
                break
            blank[maybe] = _blank_cells(frame[p].iloc[maybe])
        if blank.any():
            frame = frame[~blank].reset_index(drop=True)
            rows = rows[~blank]
    return frame, rows


def _blank_cells(column):
    """Which cells of a text column strip to "" - what `column.str.strip() == ""`
    says, without building a stripped copy of the column (~50 ms cold at a million
    rows): empty, or whitespace only.  pyarrow's utf8_is_space classifies by the
    predicate utf8_trim_whitespace (pandas' strip) trims by: the same on every code
    point (tests/test_read_blank_cells.py).  A coded (Categorical) column is
    decided once per distinct value, by the same predicate."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(column.dtype, pd.CategoricalDtype):
        values = pa.array([str(v) for v in column.cat.categories.tolist()], type=pa.large_string())
        return _blank_texts(values)[column.cat.codes.to_numpy()]
    arr = column.array.__arrow_array__() if hasattr(column.array, "__arrow_array__") else None
    if arr is None or arr.null_count:
        return (column.str.strip() == "").to_numpy(dtype=bool)
    return _blank_texts(arr)


def _blank_texts(arr):
    """Per pyarrow string: empty or whitespace only (a numpy bool array)."""
    import pyarrow.compute as pc

    return pc.or_(pc.equal(pc.binary_length(arr), 0), pc.utf8_is_space(arr)).to_numpy(zero_copy_only=False)


def release_arrow_memory() -> None:
    """Give pyarrow's freed buffers back to the system: its pool (mimalloc/jemalloc)
    keeps them mapped, so columns a reader has dropped would still count in the
    process's peak memory while Python allocates the records."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


class _Shape:
    """What the csv-module fallback saw: records after the header, the last one's width."""

    def __init__(self) -> None:
        self.records = 0
        self.last_width: int | None = None


def _check_spanning_cells(text: str, delimiter: str, header_index: int, width: int, file: str) -> None:
    """Some records span several lines: fine for a quoted address, not for a
    quote that never closes and swallows the rows below it (the Altaro case:
    49 users read as 2).  A cell holding a line that looks like a whole row
    (at least width-1 delimiters) is refused, naming the row."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    line = 0
    for i, row in enumerate(reader):
        start = line + 1
        line = reader.line_num
        if i <= header_index or line == start:
            continue
        for cell in row:
            if "\n" not in cell:
                continue
            inner = cell.split("\n")[1:]
            if any(part.count(delimiter) >= max(1, width - 1) for part in inner) or cell.count("\n") > 1000:
                raise ReportError(
                    f"{file}, row {i + 1} (line {start}): a quote (\") opens a cell that runs over {line - start + 1}"
                    f" lines holding what look like whole rows: the quote is probably never closed, so rows"
                    f" would be lost. Fix that cell's quotes or download the report again")


class _RaggedCSV(Exception):
    pass


class _BadUTF8(Exception):
    pass


def _arrow_csv(raw, delimiter: str, header_index: int, width: int, wanted: Sequence[int], quoted: bool,
               coded: frozenset[int] = frozenset()):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [str(i) for i in range(width)]
    keep = [str(p) for p in wanted] or names[:1]
    try:
        table = pcsv.read_csv(
            # the bytes as they are (io.BytesIO would be read in copies), or a big file's stream
            pa.BufferReader(raw) if isinstance(raw, (bytes, bytearray)) else raw,
            read_options=pcsv.ReadOptions(skip_rows=header_index + 1, column_names=names, block_size=1 << 22),
            # Without a quote character no value can hold a line break, so the faster
            # newline-only block splitting reads the same records (~30 % of this call).
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted,
                                            ignore_empty_lines=False),
            # large_string: what pandas' pyarrow strings hold, so to_pandas copies nothing
            convert_options=pcsv.ConvertOptions(include_columns=keep,
                                                column_types=_column_types(names, coded),
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException) as err:
        if "utf8" in str(err).lower() or "utf-8" in str(err).lower():
            raise _BadUTF8() from None
        raise _RaggedCSV() from None
    if coded:  # one dictionary per column (in order of first row), not one per block
        table = table.unify_dictionaries()
    frame = table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow")}.get)
    frame.columns = [int(c) for c in frame.columns]
    return frame


def _column_types(names: list[str], coded: frozenset[int]) -> dict:
    """Every column as text; the coded ones dictionary-encoded by the parser itself."""
    import pyarrow as pa

    text, codes = pa.large_string(), pa.dictionary(pa.int32(), pa.large_string())
    return {n: codes if int(n) in coded else text for n in names}


def _python_csv(text: str, delimiter: str, header_index: int, wanted: Sequence[int], shape: "_Shape | None" = None):
    """Rows of any length (short rows padded, extra cells ignored): the csv module."""
    import pandas as pd

    cols: dict[int, list[str]] = {p: [] for p in wanted}
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for i, row in enumerate(reader):
        if i <= header_index:
            continue
        n = len(row)
        if shape is not None:
            shape.records += 1
            shape.last_width = n
        for p in wanted:
            cols[p].append(row[p] if p < n else "")
    return pd.DataFrame({p: pd.Series(v, dtype=pd.StringDtype("pyarrow")) for p, v in cols.items()})
