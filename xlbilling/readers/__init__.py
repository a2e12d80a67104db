"""Vendor report readers: a vendor's usage report file -> exact usage records.

    read_report(path, *, basis="uncompressed", basis_by_account=None, month=None) -> ReadResult
    identify(path) -> ReaderInfo

`read_report` sniffs the file type from its first bytes, finds the header row,
picks the reader whose columns it carries (the registry below) and returns
exact usage records (docs/architecture.md).  The rooms, in the order a read
runs through them:

    integrity.py       the bytes off the disk, within bounds (bombs, huge grids, FIFOs); changes noticed
    tables/            bytes -> tables: the type sniffed, one loader per container (workbook, HTML, JSON, delimited)
    headers.py         a header row -> which column is which (names, aliases), what is missing
    cells.py           the one place cells become Decimal, flags, dates and text
    reader.py          Reader, Context, ReaderOutput, ReadResult: what every vendor reader shares
    factorised.py      column helpers for million-row readers (text codes, grouped exact sums)
    acronis_usage.py, acronis_usage_records.py, altaro_itemised.py, axcient_bff.py,
    hornetsecurity_licenses.py, x360recover_devices.py, x360recover_licenses.py   one per vendor report
"""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Mapping

from xlbilling.core.period import Period, period_in_text
from xlbilling.core.problems import Problem
from xlbilling.core.rules.axcient_bff import normalise_basis
from xlbilling.core.words import plural
from xlbilling.errors import MissingColumnsError, ReportError, RuleInputError, UnrecognisedReportError
from xlbilling.gc_pause import gc_paused
from xlbilling.readers.cells import SLASH_DATE_ORDERS, Cells, detect_decimal_comma, import_value, looks_like_formula
from xlbilling.readers.headers import HEADER_SEARCH_ROWS, HeaderMatch, close_matches
from xlbilling.readers.reader import Context, LazyRows, ReadResult, Reader, ReaderInfo, ReaderOutput, SkippedRow
from xlbilling.readers.tables import Table, load_tables, read_bytes
from xlbilling.read_options import accept_short_last_row_default
from xlbilling.readers.integrity import read_report_bytes_hashing
from xlbilling.readers.streamed_read import open_streamed
from xlbilling.readers.tables.delimited import csv_table
from xlbilling.readers.tables.sniff import sniff_type
from xlbilling.readers.tables.text import StreamedText
from xlbilling.readers.acronis_usage import AcronisUsageReader
from xlbilling.readers.acronis_usage_records import AcronisUsageRecordsReader
from xlbilling.readers.altaro_itemised import AltaroItemisedReader
from xlbilling.readers.axcient_bff import AxcientAccountDataReader, AxcientCustomerDataReader
from xlbilling.readers.hornetsecurity_licenses import HornetsecurityLicensesReader
from xlbilling.readers.x360recover_devices import X360DevicesReader
from xlbilling.readers.x360recover_licenses import X360LicensesReader

__all__ = ["read_report", "identify", "ReadResult", "SkippedRow", "ReaderInfo", "READERS"]

# The registry, most specific first: when two readers find all their required
# columns, the one matching more columns wins (Raw Account Data has everything
# Raw Customer Data has, plus the parent and WithSub columns).
READERS: tuple[Reader, ...] = (
    AxcientAccountDataReader(),
    AxcientCustomerDataReader(),
    X360DevicesReader(),
    X360LicensesReader(),
    AcronisUsageReader(),
    AcronisUsageRecordsReader(),
    AltaroItemisedReader(),
    HornetsecurityLicensesReader(),
)


def _candidates(table: Table):
    """(header_index, header cells) for the first non-blank rows of a table."""
    for i, row in enumerate(table.preview[:HEADER_SEARCH_ROWS]):
        if any(c not in (None, "") and str(c).strip() for c in row):
            yield i, row


def _choose(file: str, file_type: str, tables: list[Table]) -> tuple[Reader, Table, int, HeaderMatch, list]:
    full = _full_match(tables)
    if full is None:
        # CSV: the delimiter is the one under which a reader recognises a header
        # (a quoted field full of ';' must not make ';' the delimiter).
        alternatives = [v for t in tables if t.variants for v in t.variants()]
        full = _full_match(alternatives) if alternatives else None
    if full is not None:
        return full
    best_partial: tuple[float, Reader, Table, int, HeaderMatch, list] | None = None
    for table in tables:
        for index, header in _candidates(table):
            for reader in READERS:
                m = reader.match(header)
                if (m.missing and m.score >= reader.claim_score and len(m.positions) >= 2
                      and (best_partial is None or m.score > best_partial[0])):
                    best_partial = (m.score, reader, table, index, m, list(header))
    if best_partial is not None:
        _, reader, table, index, m, header = best_partial
        parts = []
        for missing in m.missing:
            near = close_matches(missing, header)
            parts.append(f"{missing!r}" + (f" (found {', '.join(repr(n) for n in near)}: a different spelling?)"
                                           if near else ""))
        where = file + (f", sheet {table.sheet!r}" if table.sheet else "") + f", header row {index + 1}"
        raise MissingColumnsError(
            f"{where}: looks like {reader.description} but required {plural('column', len(parts))}"
            f" {plural('is', len(parts), 'are')} missing: {'; '.join(parts)}."
            f" Columns found: {', '.join(str(h) for h in header if h not in (None, ''))}")
    first = next((row for t in tables for _, row in _candidates(t)), [])
    seen = ", ".join(repr(str(c)) for c in first[:12] if c not in (None, "")) or "(no text)"
    if len(first) > 12:
        seen += ", ..."
    tried = "; ".join(r.description for r in READERS)
    raise UnrecognisedReportError(
        f"{file}: not a report xlbilling knows. Read as {file_type}; its first row holds {seen}. Tried: {tried}."
        " Check that this is the right download (`xlbilling help readers` lists the columns each report needs).")


def _full_match(tables: list[Table]):
    """The first header row (table by table) that some reader fully recognises."""
    for table in tables:
        for index, header in _candidates(table):
            full = []
            for reader in READERS:
                m = reader.match(header)
                if not m.missing:
                    full.append((len(m.positions), reader, m))
            if full:
                full.sort(key=lambda x: -x[0])  # stable: registry order breaks ties
                _, reader, m = full[0]
                return reader, table, index, m, list(header)
    return None


def _pick_sheet(file: str, tables: list[Table], sheet: str | None) -> list[Table]:
    """The tables to read: the sheet asked for, or all of them when at most one
    sheet holds a report.  A workbook with several report sheets is refused
    rather than silently read from its first one."""
    if sheet is not None:
        chosen = [t for t in tables if t.sheet is not None and t.sheet.strip().casefold() == sheet.strip().casefold()]
        if not chosen:
            names = ", ".join(repr(t.sheet) for t in tables if t.sheet is not None) or "none (not a workbook)"
            raise ReportError(f"{file}: no sheet named {sheet!r}; its sheets are {names}")
        return chosen
    sheets = [t for t in tables if t.sheet is not None]
    if len(sheets) > 1:
        holding = [t.sheet for t in sheets if _full_match([t]) is not None]
        if len(holding) > 1:
            names = ", ".join(repr(s) for s in holding[:8]) + (", ..." if len(holding) > 8 else "")
            raise ReportError(f"{file}: holds {len(holding)} report sheets ({names}); xlbilling reads one report per"
                              " file and would otherwise use only the first. Read one with `xlbilling read"
                              f" {file} --sheet {holding[0]!r}`, or save each sheet as its own file and give"
                              " those")
    return tables


def identify(path: str | Path, *, sheet: str | None = None) -> ReaderInfo:
    """Which reader would read `path`, without reading all the data."""
    data, name, _ = read_bytes(path)
    file_type, tables = load_tables(data, name)
    reader, table, index, m, header = _choose(name, file_type, _pick_sheet(name, tables, sheet))
    return ReaderInfo(name, table.file_type, reader.name, reader.vendor, reader.report_type, table.sheet,
                      index + 1, tuple("" if h is None else str(h) for h in header))


@gc_paused  # a million-row read makes no cycles; the collector was 20-35 % of it (xlbilling.gc_pause)
def read_report(path: str | Path, *, basis: str = "uncompressed", basis_by_account: Mapping[str, str] | None = None,
                month: dt.date | None = None, slash_dates: str | None = None,
                accept_short_last_row: bool | None = None, sheet: str | None = None) -> ReadResult:
    """Read one vendor report into exact usage records.

    sheet: the workbook sheet to read (required when several sheets hold reports).

    basis / basis_by_account: Axcient BFF online/local storage basis (default
    and per AccountNo).  month: the billing month (x360Recover license table).
    slash_dates: 'DMY' or 'MDY' for ambiguous d/m/yyyy dates.
    Raises UnrecognisedReportError, MissingColumnsError or BadCellsError;
    nothing is returned half-read.
    """
    # Options are checked before the file is opened: a wrong basis is not a file problem.
    basis, basis_by_account = _checked_options(basis, basis_by_account, slash_dates)
    name, file_type, tables, digest_of = _open_tables(path)
    reader, table, index, m, header = _choose(name, file_type, _pick_sheet(name, tables, sheet))
    ordered = sorted(m.positions.items(), key=lambda kv: kv[1])
    positions = [p for _, p in ordered]
    table.accept_short_last_row = (accept_short_last_row_default() if accept_short_last_row is None
                                   else accept_short_last_row)
    table.coded_positions = frozenset(m.positions[n] for n in reader.coded_cols if n in m.positions)
    frame, row_numbers, load_all = _load(reader, table, index, m, positions)
    digest = digest_of()  # the SHA-256 of exactly the bytes parsed (streamed, or read whole)
    digest.start()  # after the parse (multi-threaded): beside the reader's single-threaded work
    if load_all is not None:
        # Only the reader's columns are loaded: the file's bytes are not kept for the
        # rest either - the import sheet reads the file again, refused if it changed.
        load_all = functools.partial(_load_again, path, digest, positions, table.accept_short_last_row)
        table.loader = table.variants = None
        del tables
    options = {"basis": basis, "basis_by_account": basis_by_account, "month": month}
    ctx = Context(table, index, m, header, options, frame, row_numbers, load_all=load_all)
    ctx.cells = Cells(name, table.sheet, decimal_comma=_decimal_comma(reader, ctx), slash_dates=slash_dates)
    out = reader.read(ctx)
    _raise_bad_cells(ctx.cells, header)
    warnings, problems = _findings(reader, name, ctx, out)
    # else only the reader's columns are in ctx.frame: load_all gives them all
    rows = _import_rows(ctx.frame if ctx.load_all is None else None, ctx.load_all, positions)
    return ReadResult(
        file=name, sha256=digest.hexdigest(), vendor=reader.vendor, report_type=reader.report_type,
        records=tuple(out.records), rows_read=len(row_numbers), skipped=tuple(out.skipped),
        unknown_columns=tuple(m.unknown), warnings=tuple(warnings), columns=tuple(n for n, _ in ordered),
        rows=LazyRows(rows, len(row_numbers)), file_type=table.file_type, sheet=table.sheet,
        period=out.period or stated_period(name, table, index), problems=tuple(problems))


def _open_tables(path: str | Path):
    """(file name, file type, tables, digest getter) of a report.  A big UTF-8 CSV
    is parsed while it is read (readers/streamed_read.py: same checks, the digest
    of the bytes parsed); anything else is read whole once, its SHA-256 computed
    in a thread while the reader works (PendingDigest)."""
    streamed = open_streamed(path)
    if streamed is not None and streamed.head[:4096].strip() and sniff_type(streamed.head) == "csv" \
            and StreamedText.accepts(streamed.head, streamed.size):
        return streamed.name, "csv", [csv_table(StreamedText(streamed), streamed.name)], lambda: streamed.digest
    data, name, digest = read_report_bytes_hashing(path)
    file_type, tables = load_tables(data, name)
    return name, file_type, tables, lambda: digest


def _checked_options(basis: str, basis_by_account: Mapping[str, str] | None,
                     slash_dates: str | None) -> tuple[str, dict[str, str]]:
    """The Axcient basis (default and per account) normalised, the slash-date order checked."""
    basis = normalise_basis(basis)
    by_account = {str(k).strip(): normalise_basis(v) for k, v in (basis_by_account or {}).items()}
    if slash_dates is not None and slash_dates not in SLASH_DATE_ORDERS:
        raise RuleInputError(f"slash_dates: expected one of {', '.join(SLASH_DATE_ORDERS)}, found {slash_dates!r}",
                             argument="slash_dates", value=slash_dates)
    return basis, by_account


def _decimal_comma(reader: Reader, ctx: Context) -> bool:
    """The file's decimal separator, from the text cells of the reader's numeric columns."""
    samples: list[object] = []
    for col in reader.numeric_cols:
        if col in ctx.match.positions:
            samples.extend(x for x in ctx.series(col).head(2000).tolist() if isinstance(x, str))
    return detect_decimal_comma(samples, hint=ctx.table.delimiter == ";")


def _raise_bad_cells(cells: Cells, header: list) -> None:
    """Nothing half-imported: every bad cell of the file in one error, in sheet order."""
    position = {str(h).strip(): i for i, h in reversed(list(enumerate(header))) if h not in (None, "")}
    cells.problems.sort(key=lambda p: (p.row or 0, position.get(p.column or "", len(position))))
    cells.raise_if_any()


def _findings(reader: Reader, name: str, ctx: Context, out: ReaderOutput) -> tuple[list[str], list[Problem]]:
    """(warnings, typed problems) of one read: the reader's own, blank cells read
    as 0, loading notes, formula-like text, repeated columns; every warning
    without a typed problem of its own becomes a reader_warning."""
    warnings = list(out.warnings) + ctx.cells.blank_warnings() + list(ctx.table.notes)
    # (built directly: dataclasses.replace costs ~10x, and a big file has thousands)
    problems = [Problem(p.kind, reader.vendor, p.account, p.customer, p.message, p.source or name)
                for p in out.problems]
    labels = {r.account for r in out.records} | {r.customer for r in out.records}
    formulas = sorted(t for t in labels if looks_like_formula(t))
    if formulas:
        # Kept verbatim (it is the vendor's text); whoever writes it to a sheet must
        # write it as text, never as a formula.
        more = f" and {len(formulas) - 5} more" if len(formulas) > 5 else ""
        warnings.append("text that Excel would run as a formula, kept as plain text: "
                        + ", ".join(repr(f) for f in formulas[:5]) + more)
    if ctx.match.duplicates:
        warnings.append("columns repeated, first one used: " + ", ".join(ctx.match.duplicates))
    typed = {p.message for p in problems}
    problems += [Problem("reader_warning", reader.vendor, "", "", w, name) for w in warnings if w not in typed]
    return warnings, problems


def _import_rows(frame, load_all, positions: list[int]):
    """The import sheet's row source, opened by LazyRows on first use.  It keeps
    only the frame (or its loader), not the reader's context: the reader's
    column lists, cell parser and table are freed when the read returns."""
    def open_rows():
        full = frame if load_all is None else load_all()  # read_cols only: load all now
        series = [full[p] for p in positions]

        def rows(start: int, stop: int) -> list[tuple]:
            cols = [s.iloc[start:stop].tolist() for s in series]
            if not cols:
                return [()] * (stop - start)
            return [tuple(map(import_value, row)) for row in zip(*cols)]
        return rows
    return open_rows


def _load(reader: Reader, table: Table, index: int, m: HeaderMatch, positions: list[int]):
    """(frame, row numbers, loader of every column or None): only the reader's
    read_cols when it names them - unless blank records were dropped, since a
    record blank in those columns may not be blank in the others: then all."""
    if reader.read_cols is None:
        frame, rows = table.load(index, positions)
        return frame, rows, None
    subset = sorted(m.positions[n] for n in reader.read_cols if n in m.positions)
    frame, rows = table.load(index, subset)
    if len(subset) == len(positions):
        return frame, rows, None
    if rows and (rows[0] != index + 2 or rows[-1] - rows[0] != len(rows) - 1):  # a record was dropped
        frame, rows = table.load(index, positions)
        return frame, rows, None
    return frame, rows, lambda: table.load(index, positions)[0]


def _load_again(path: str | Path, digest, positions: list[int], accept_short_last_row: bool):
    """Every matched column of a report read before, from the same bytes: the
    file is read again and must have the SHA-256 it had (the records and the
    import sheet always come from one version of the file)."""
    data, name, again = read_bytes(path)
    if again != digest.hexdigest():
        raise ReportError(f"{path}: the file changed after it was read (its SHA-256 differs): rows could come"
                          " from two versions. Run again on the finished file")
    file_type, tables = load_tables(data, name)
    _, table, index, _, _ = _choose(name, file_type, tables)
    table.accept_short_last_row = accept_short_last_row
    return table.load(index, positions)[0]


def stated_period(file: str, table: Table, header_index: int) -> Period | None:
    """The period a report states outside its columns: a title row above the
    header (portal exports), else the file name (FORMATS.md "Report periods":
    Axcient downloads, Acronis exports).  Columns (the reader's own) win."""
    for i, row in enumerate(table.preview[:header_index]):
        text = " ".join(str(c) for c in row if c not in (None, ""))
        found = period_in_text(text, f"title row {i + 1}")
        if found is not None:
            return found
    stem = file
    for suffix in (".gz", ".csv", ".xlsx", ".xls", ".json", ".txt", ".htm", ".html"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    return period_in_text(stem, "file name")
