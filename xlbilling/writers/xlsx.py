"""The headless writer: fills the billing template (workbooks/billing.xlsx)
with one month's reads and pricing result, with openpyxl, and saves it
atomically.

Values come from Python (the same rule functions the UDFs call); money cells
a user would compute with a UDF are `=IFERROR(UDF(...), value)+0`; totals are
native SUMIFS/COUNTIFS that recalculate.  Every formula cell also carries its
Python value as the cached result, so programs that do not recalculate
(viewers, pandas, openpyxl data_only) show the right numbers too.
Vendor strings are always text cells (`cells.clean_text` / `cells.set_text`), never formulas.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Sequence

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet import _writer as _ws_writer
from openpyxl.cell.cell import Cell
from openpyxl.compat.strings import safe_string
from openpyxl.styles.cell_style import StyleArray
from xml.sax.saxutils import escape as _esc

from xlbilling.core.money import minor_units, to_excel
from xlbilling.core.period import PeriodCheck
from xlbilling.errors import OutputError, XlbillingError
from xlbilling.outputs import atomic_write
from xlbilling.outputs import check_output as _check_output, sha256_file
from xlbilling.safe_xlsx import open_workbook
from xlbilling.writers import layout as L
from xlbilling.writers.billing_template import add_table, ensure_styles, setup_sheet, template_path
from xlbilling.writers.cells import clean_text, set_text
from xlbilling.writers.udf_cells import amount_cell, iferror

Progress = Callable[[str], None]
_BOLD = Font(name=L.FONT, bold=True)
_TOP = Alignment(vertical="top")
_WRAP_TOP = Alignment(vertical="top", wrap_text=True)


# --- output safety -------------------------------------------------------------

def check_output(out: str | Path, protected: Iterable[str | Path], *, force: bool = False) -> Path:
    """Refuse an output that is an input or a template (same resolved path or
    same file: outputs.check_output), an existing file without
    `force`, and - even with `force` - a file with the same bytes (SHA-256) as
    one of the inputs (a copy of a report under another name)."""
    out_path = Path(out)
    if out_path.suffix.lower() != ".xlsx":
        raise OutputError(f"{out}: the billing workbook must be an .xlsx file (e.g. billing-2026-10.xlsx)")
    protected_paths = [Path(p) for p in protected]
    if out_path.is_dir():
        raise OutputError(f"{out}: is a folder; give a file name ending in .xlsx")
    if out_path.exists():
        digest = sha256_file(out_path)
        for p in protected_paths:
            if p.is_file() and p.stat().st_size == out_path.stat().st_size and sha256_file(p) == digest:
                raise OutputError(f"{out}: has the same content as input {p}; refusing to overwrite it"
                                  " even with --force: choose another --out file")
    return _check_output(out_path, inputs=protected_paths, force=force)


# --- cells ---------------------------------------------------------------------------
#
# 100,000s of cells: the writer builds openpyxl Cell objects directly with the
# value type it already knows (no type sniffing per cell) and shares one style
# array per number format; at save time cells are serialised as XML text
# (openpyxl's element-by-element serialiser costs ~30 us a cell without lxml).
# Formula cells carry their Python value as the cached result.

class _CachedFormula(str):
    """A formula text carrying the Python-computed result to store as the cell's cached value."""

    __slots__ = ("cached",)


def _cached_formula(text: str, cached) -> _CachedFormula:
    f = _CachedFormula(text)
    f.cached = cached
    return f


_original_write_cell = _ws_writer.write_cell


def _fast_write_cell(xf, worksheet, cell, styled=None):
    """Serialise the cell types this writer makes as text; anything else
    (and any xf without a raw text sink, e.g. lxml's) goes to openpyxl's own."""
    raw = getattr(xf, "_file", None)
    kind = cell.data_type
    value = cell._value
    if raw is None or not callable(raw) or value is None or cell.hyperlink is not None:
        return _original_write_cell(xf, worksheet, cell, styled)
    style = f' s="{cell.style_id}"' if styled else ""
    coord = cell.coordinate
    if kind == "s" and type(value) is str:
        space = ' xml:space="preserve"' if value != value.strip() else ""
        raw(f'<c r="{coord}"{style} t="inlineStr"><is><t{space}>{_esc(value)}</t></is></c>')
    elif kind == "n" and type(value) in (int, float):
        raw(f'<c r="{coord}"{style} t="n"><v>{safe_string(value)}</v></c>')
    elif kind == "f" and isinstance(value, _CachedFormula):
        cached = value.cached
        if isinstance(cached, str):
            raw(f'<c r="{coord}"{style} t="str"><f>{_esc(value[1:])}</f><v>{_esc(cached)}</v></c>')
        else:
            raw(f'<c r="{coord}"{style}><f>{_esc(value[1:])}</f><v>{repr(float(cached))}</v></c>')
    else:
        _original_write_cell(xf, worksheet, cell, styled)


@contextmanager
def _fast_cells():
    """While saving: our cell serialiser (cached values, text XML)."""
    _ws_writer.write_cell = _fast_write_cell
    try:
        yield
    finally:
        _ws_writer.write_cell = _original_write_cell


class _Sheet:
    """Puts values into one worksheet: text through the cells module's rules,
    Decimals through to_excel, formulas with cached values, number formats and
    alignment as shared style arrays.  Data cells are top-aligned so rows with
    wrapped text (layout Column.wrap) read cleanly."""

    def __init__(self, ws, layout: L.SheetLayout | None = None) -> None:
        self.ws = ws
        self._cells = ws._cells
        self._styles: dict[tuple[str | None, bool], StyleArray] = {}
        self._wrap = {i: c.width for i, c in enumerate(layout.columns, start=1) if c.wrap} if layout else {}
        self._lines: dict[int, int] = {}

    def _note_lines(self, row: int, col: int, text: str) -> None:
        """Spreadsheets do not grow a row for wrapped text on opening (LibreOffice
        keeps the default height): estimate the lines a wrapped cell needs."""
        chars_per_line = max(1, int(self._wrap[col]))
        lines = sum(-(-max(len(part), 1) // chars_per_line) for part in text.split("\n"))
        if lines > self._lines.get(row, 1):
            self._lines[row] = min(lines, L.MAX_ROW_LINES)

    def finish(self) -> None:
        """Set the heights of rows holding wrapped text."""
        dims = self.ws.row_dimensions
        for row, lines in self._lines.items():
            dims[row].height = L.LINE_HEIGHT_PT * lines + 2

    def _style(self, number_format: str | None, wrap: bool) -> StyleArray:
        key = (number_format, wrap)
        style = self._styles.get(key)
        if style is None:
            probe = Cell(self.ws, row=1, column=1)
            if number_format:
                probe.number_format = number_format
            probe.alignment = _WRAP_TOP if wrap else _TOP
            style = self._styles[key] = probe._style
        return style

    def _new(self, row: int, col: int, value, data_type: str, number_format: str | None):
        cell = Cell(self.ws, row=row, column=col)
        cell._value = value
        cell.data_type = data_type
        cell._style = StyleArray(self._style(number_format, col in self._wrap))
        self._cells[(row, col)] = cell
        return cell

    def text(self, row: int, col: int, value) -> None:
        """Vendor and user strings: always text (cells.clean_text), never a formula."""
        if value is None or value == "":
            return
        text = clean_text(value)
        self._new(row, col, text, "s", None)
        if col in self._wrap and len(text) > self._wrap[col]:
            self._note_lines(row, col, text)

    def number(self, row: int, col: int, value, number_format: str | None = None) -> None:
        if value is None:
            return
        if isinstance(value, Decimal):
            value = to_excel(value)
        elif isinstance(value, bool):
            self._new(row, col, value, "b", number_format)
            return
        self._new(row, col, value, "n", number_format)

    def date(self, row: int, col: int, value: dt.date, number_format: str) -> None:
        self._new(row, col, value, "d", number_format)

    def formula(self, row: int, col: int, text: str, cached, number_format: str | None = None):
        return self._new(row, col, _cached_formula(text, cached), "f", number_format)

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


class _Formats:
    """Number formats by kind and currency, looked up once."""

    def __init__(self) -> None:
        self._money: dict[str, str] = {}

    def money(self, currency: str) -> str:
        fmt = self._money.get(currency)
        if fmt is None:
            try:
                fmt = L.money_format(minor_units(currency))
            except XlbillingError:
                fmt = L.money_format(2)
            self._money[currency] = fmt
        return fmt


def _quantity_format(q: Decimal) -> str:
    return L.NUMBER_FORMATS["int"] if q == q.to_integral_value() else L.NUMBER_FORMATS["quantity"]


def _resize_table(ws, name: str, n_rows: int, n_cols: int) -> None:
    last_row = L.HEADER_ROW + max(n_rows, 1)
    ref = f"A{L.HEADER_ROW}:{L.column_letter(n_cols)}{last_row}"
    table = ws.tables[name]
    table.ref = ref
    if table.autoFilter is not None:
        table.autoFilter.ref = ref


def _rng(sheet: L.SheetLayout, key: str, last_row: int) -> str:
    col = sheet.letter(key)
    return f"'{sheet.name}'!${col}${L.FIRST_DATA_ROW}:${col}${max(last_row, L.FIRST_DATA_ROW)}"


def _eq(cell_ref: str) -> str:
    """A SUMIFS/COUNTIFS criterion that matches the text in `cell_ref` exactly
    (apart from case, as SUMIFS always does): a leading '=' makes the rest a
    value even when it starts with '=', '<' or '>', and ~ * ? are escaped so a
    vendor's customer name is never read as an operator or a wildcard."""
    return f'"="&SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({cell_ref},"~","~~"),"*","~*"),"?","~?")'


def _month_header(ws, month: dt.date) -> None:
    ws.cell(row=L.MONTH_ROW, column=2).value = month
    ws.cell(row=L.MONTH_ROW, column=2).number_format = L.NUMBER_FORMATS["month"]


# --- the sheets ---------------------------------------------------------------------

def _usage_sumifs(S: L.SheetLayout, r: int, last_row: int, ref: dict[str, str]) -> str:
    """The usage total of the fee line's customer, vendor and currency: SUMIFS
    over the rows above and below row `r`, never over the fee cell itself
    (that would be a circular reference, which Excel evaluates to 0)."""
    parts = []
    for lo, hi in ((L.FIRST_DATA_ROW, r - 1), (r + 1, last_row)):
        if lo > hi:
            continue
        rng = {k: f"${S.letter(k)}${lo}:${S.letter(k)}${hi}" for k in ("amount", "customer", "vendor", "currency", "kind")}
        parts.append(f'SUMIFS({rng["amount"]},{rng["customer"]},{_eq(ref["customer"])},{rng["vendor"]},{ref["vendor"]},'
                     f'{rng["currency"]},{ref["currency"]},{rng["kind"]},"usage")')
    return "+".join(parts) or "0"


def _write_lines(ws, lines, month: dt.date, fmts: _Formats, progress: Progress | None) -> dict[str, int]:
    S = L.INVOICE_LINES
    out = _Sheet(ws, S)
    ci = {c.key: S.index(c.key) for c in S.columns}
    letters = {c.key: S.letter(c.key) for c in S.columns}
    last_row = L.FIRST_DATA_ROW + len(lines) - 1
    # Usage totals per (customer, vendor, currency) for commitment-fee formulas.
    usage: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.kind == "usage":
            usage[(line.customer, line.vendor, line.currency)] += line.amount
    udf_counts: dict[str, int] = defaultdict(int)
    date_fmt = L.NUMBER_FORMATS["date"]
    price_fmt, rate_fmt = L.NUMBER_FORMATS["unit_price"], L.NUMBER_FORMATS["rate"]
    for i, line in enumerate(lines):
        r = L.FIRST_DATA_ROW + i
        ref = {k: f"{v}{r}" for k, v in letters.items()}
        out.text(r, ci["customer"], line.customer)
        out.text(r, ci["vendor"], line.vendor)
        out.text(r, ci["item"], line.item)
        out.text(r, ci["description"], line.description)
        out.number(r, ci["quantity"], line.quantity, _quantity_format(line.quantity))
        out.text(r, ci["unit"], line.unit)
        out.number(r, ci["unit_price"], line.unit_price, price_fmt)
        out.text(r, ci["currency"], line.currency)
        if line.fx_rate is not None:
            out.number(r, ci["fx_rate"], line.fx_rate, rate_fmt)
        out.text(r, ci["working"], line.working)
        out.text(r, ci["source"], line.source_text)
        out.text(r, ci["kind"], line.kind)
        sumifs = ""
        if line.kind == "commitment_fee":
            sumifs = _usage_sumifs(S, r, last_row, ref)
        choice = amount_cell(line, ref, month, month_cell=L.MONTH_CELL,
                             usage_total=usage.get((line.customer, line.vendor, line.currency)), usage_sumifs=sumifs)
        money = fmts.money(line.currency)
        if choice.formula:
            out.formula(r, ci["amount"], iferror(choice.formula, line.amount), to_excel(line.amount), money)
            udf_counts[choice.udf] += 1
            if choice.first_day:
                out.date(r, ci["first_day"], choice.first_day, date_fmt)
                out.date(r, ci["last_day"], choice.last_day, date_fmt)
        else:
            out.number(r, ci["amount"], line.amount, money)
            udf_counts["value"] += 1
        if progress and i and i % 20000 == 0:
            progress(f"  invoice lines: {i:,} of {len(lines):,}")
    out.finish()
    _resize_table(ws, S.table, len(lines), len(S.columns))
    return dict(udf_counts)


def _write_summary(ws, result, n_lines: int, fmts: _Formats) -> None:
    S, LN = L.SUMMARY, L.INVOICE_LINES
    out = _Sheet(ws, S)
    last_line = L.FIRST_DATA_ROW + n_lines - 1
    amount, cust, cur = (_rng(LN, k, last_line) for k in ("amount", "customer", "currency"))
    c = {col.key: S.index(col.key) for col in S.columns}
    A, B = S.letter("customer"), S.letter("currency")
    billed_l, total_l = S.letter("billed"), S.letter("python_total")
    invoices = list(result.invoices)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    int_fmt = L.NUMBER_FORMATS["int"]
    for i, inv in enumerate(invoices):
        r = L.FIRST_DATA_ROW + i
        money = fmts.money(inv.currency)
        out.text(r, c["customer"], inv.customer)
        out.text(r, c["currency"], inv.currency)
        out.text(r, c["invoice_number"], inv.invoice_number)
        crit = _eq(f"{A}{r}")
        out.formula(r, c["lines"], f"=COUNTIFS({cust},{crit},{cur},{B}{r})", len(inv.lines), int_fmt)
        out.formula(r, c["billed"], f"=SUMIFS({amount},{cust},{crit},{cur},{B}{r})", to_excel(inv.total), money)
        out.number(r, c["python_total"], inv.total, money)
        out.formula(r, c["check"], f"=ROUND({total_l}{r}-{billed_l}{r},6)", 0.0, money)
        if inv.fx_rate is not None:
            out.number(r, c["fx_rate"], inv.fx_rate, L.NUMBER_FORMATS["rate"])
            out.text(r, c["primary_currency"], inv.primary_currency)
        totals[inv.currency] += inv.total
    out.finish()
    _resize_table(ws, S.table, len(invoices), len(S.columns))
    # One total per currency below the table: the sum of the customers' billed amounts.
    last = L.FIRST_DATA_ROW + max(len(invoices), 1) - 1
    billed_rng = f"${billed_l}${L.FIRST_DATA_ROW}:${billed_l}${last}"
    cur_rng = f"${B}${L.FIRST_DATA_ROW}:${B}${last}"
    r = last + 2
    for currency in sorted(totals):
        money = fmts.money(currency)
        set_text(ws.cell(row=r, column=c["customer"]), f"{L.SUMMARY_TOTALS_LABEL} {currency}").style = L.STYLE_LABEL
        out.text(r, c["currency"], currency)
        cell = out.formula(r, c["billed"], f"=SUMIFS({billed_rng},{cur_rng},{B}{r})", to_excel(totals[currency]),
                           money)
        cell.font = _BOLD
        out.number(r, c["python_total"], totals[currency], money)
        out.formula(r, c["check"], f"=ROUND({total_l}{r}-{billed_l}{r},6)", 0.0, money)
        r += 1


def _write_reconciliation(ws, result, n_lines: int, fmts: _Formats) -> None:
    S, LN = L.RECONCILIATION, L.INVOICE_LINES
    out = _Sheet(ws, S)
    last_line = L.FIRST_DATA_ROW + n_lines - 1
    amount, cust, vend, cur = (_rng(LN, k, last_line) for k in ("amount", "customer", "vendor", "currency"))
    c = {col.key: S.index(col.key) for col in S.columns}
    let = {col.key: S.letter(col.key) for col in S.columns}
    rows = list(result.reconciliation)
    pct_fmt, int_fmt = L.NUMBER_FORMATS["percent"], L.NUMBER_FORMATS["int"]
    for i, rec in enumerate(rows):
        r = L.FIRST_DATA_ROW + i
        money = fmts.money(rec.currency)
        out.text(r, c["customer"], rec.customer)
        out.text(r, c["vendor"], rec.vendor)
        out.text(r, c["currency"], rec.currency)
        out.number(r, c["cost"], rec.cost, money)
        crit = _eq(f"{let['customer']}{r}")
        out.formula(r, c["billed"], f'=SUMIFS({amount},{cust},{crit},{vend},{let["vendor"]}{r},'
                                    f'{cur},{let["currency"]}{r})', to_excel(rec.billed), money)
        out.formula(r, c["margin"], f'={let["billed"]}{r}-{let["cost"]}{r}', to_excel(rec.margin), money)
        pct = to_excel(rec.margin_pct) if rec.margin_pct is not None else ""
        out.formula(r, c["margin_pct"], f'=IF({let["billed"]}{r}=0,"",{let["margin"]}{r}/{let["billed"]}{r})', pct,
                    pct_fmt)
        out.number(r, c["python_billed"], rec.billed, money)
        out.formula(r, c["check"], f'=ROUND({let["python_billed"]}{r}-{let["billed"]}{r},6)', 0.0, money)
        out.number(r, c["lines_without_cost"], int(getattr(rec, "lines_without_cost", 0) or 0), int_fmt)
    out.finish()
    _resize_table(ws, S.table, len(rows), len(S.columns))


def _write_problems(ws, result) -> None:
    S = L.PROBLEMS
    out = _Sheet(ws, S)
    rows = list(result.problems)
    for i, p in enumerate(rows):
        for j, col in enumerate(S.columns, start=1):
            out.text(L.FIRST_DATA_ROW + i, j, getattr(p, col.key, ""))
    if not rows:
        out.text(L.FIRST_DATA_ROW, S.index("message"), "No problems found.")
    out.finish()
    _resize_table(ws, S.table, len(rows), len(S.columns))


def _unique_headers(columns: Sequence[str]) -> list[str]:
    """Excel tables need unique, non-blank text headers."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(columns, start=1):
        text = clean_text(name).strip() or f"Column{i}"
        key = text.casefold()
        if key in seen:
            seen[key] += 1
            text = f"{text} ({seen[key]})"
        else:
            seen[key] = 1
        out.append(text)
    return out


def _import_widths(headers: Sequence[str], rows) -> list[float]:
    """Column widths from the values of the first rows and the header's longest
    word (headers wrap), kept between the layout's minimum and maximum."""
    widths = [max((len(w) for w in h.split()), default=0) + 2 for h in headers]
    for row in rows[: L.IMPORT_WIDTH_SAMPLE_ROWS]:
        for j, value in enumerate(row[: len(widths)]):
            if value is not None:
                widths[j] = max(widths[j], len(str(value)) + 2)
    return [float(min(max(w, L.IMPORT_MIN_COLUMN_WIDTH), L.IMPORT_MAX_COLUMN_WIDTH)) for w in widths]


def _write_import_sheet(wb, index: int, read, month: dt.date, progress: Progress | None) -> str:
    name = L.import_sheet_name(index, read.vendor, read.report_type)
    ws = wb.create_sheet(name)
    headers = _unique_headers(list(read.columns))
    widths = _import_widths(headers, read.rows)
    setup_sheet(ws, f"Imported from {clean_text(read.file)} ({read.vendor} {read.report_type})",
                headers, widths, tab_color="A5A5A5")
    _month_header(ws, month)
    out = _Sheet(ws)
    n = 0
    for n, row in enumerate(read.rows, start=1):
        r = L.HEADER_ROW + n
        for j, value in enumerate(row, start=1):
            out.value(r, j, value)
        if progress and n % 50000 == 0:
            progress(f"  {name}: {n:,} rows")
    if headers:
        table = add_table(ws, L.import_table_name(index), len(headers), L.HEADER_ROW + max(n, 1))
        table.tableStyleInfo.name = "TableStyleLight1"
    return name


def _write_imports(ws, reads, sheet_names, imported_at: dt.datetime, month: dt.date) -> None:
    S = L.IMPORTS
    out = _Sheet(ws, S)
    c = {col.key: S.index(col.key) for col in S.columns}
    int_fmt = L.NUMBER_FORMATS["int"]
    for i, (read, sheet) in enumerate(zip(reads, sheet_names)):
        r = L.FIRST_DATA_ROW + i
        out.text(r, c["file"], Path(read.file).name)
        out.text(r, c["sha256"], read.sha256)
        out.text(r, c["vendor"], read.vendor)
        out.text(r, c["report_type"], read.report_type)
        out.number(r, c["rows_read"], int(read.rows_read), int_fmt)
        out.number(r, c["rows_skipped"], len(read.skipped), int_fmt)
        out.number(r, c["records"], len(read.records), int_fmt)
        out.text(r, c["sheet"], sheet)
        out.date(r, c["imported_at"], imported_at, L.NUMBER_FORMATS["datetime"])
        out.text(r, c["warnings"], "; ".join(read.warnings))
        check = PeriodCheck(read.file, getattr(read, "period", None), month, allowed=True)
        out.text(r, c["period"], check.stated())
        out.text(r, c["period_check"], check.verdict())
    out.finish()
    _resize_table(ws, S.table, len(reads), len(S.columns))


# --- entry point --------------------------------------------------------------------

def fill_workbook(wb, reads: Sequence, result, *, progress: Progress | None = None,
                  imported_at: dt.datetime | None = None) -> dict[str, int]:
    """Fill an opened template in place; returns how many Amount cells use each UDF."""
    month = result.month
    imported_at = (imported_at or dt.datetime.now(dt.timezone.utc)).replace(tzinfo=None, microsecond=0)
    ensure_styles(wb)
    fmts = _Formats()
    for sheet in L.SHEETS:
        if sheet.name not in wb.sheetnames:
            raise XlbillingError(f"billing template: sheet {sheet.name!r} is missing; regenerate it with"
                                 " python -m xlbilling.writers.billing_template")
        _month_header(wb[sheet.name], month)
    lines = list(result.lines)
    if progress:
        progress(f"writing {len(lines):,} invoice lines")
    counts = _write_lines(wb[L.INVOICE_LINES.name], lines, month, fmts, progress)
    _write_summary(wb[L.SUMMARY.name], result, len(lines), fmts)
    _write_reconciliation(wb[L.RECONCILIATION.name], result, len(lines), fmts)
    _write_problems(wb[L.PROBLEMS.name], result)
    names = []
    for i, read in enumerate(reads, start=1):
        if progress:
            progress(f"writing import sheet {i} of {len(reads)}: {read.file} ({len(read.rows):,} rows)")
        names.append(_write_import_sheet(wb, i, read, month, progress))
    _write_imports(wb[L.IMPORTS.name], reads, names, imported_at, month)
    wb.active = 0
    return counts


def save_atomic(wb, out: Path, *, overwrite: bool = True) -> None:
    """Save to a temp file beside `out`, then os.replace (outputs.atomic_write):
    `out` is either the old file or the complete new one, no temp file is left."""
    def save(tmp: str) -> None:
        with _fast_cells():
            wb.save(tmp)

    atomic_write(out, save, overwrite=overwrite)


def write_billing_workbook(out: str | Path, reads: Sequence, result, *, inputs: Iterable[str | Path] = (),
                           template: str | Path | None = None, force: bool = False,
                           progress: Progress | None = None, imported_at: dt.datetime | None = None) -> dict:
    """Write the month's billing workbook to `out` from the template.

    `inputs` (reports, price book) and the template are never overwritten.
    Returns facts for the caller's summary: path, seconds, UDF counts.
    """
    started = time.perf_counter()
    tpl = Path(template) if template else template_path()
    out_path = check_output(out, [tpl, *inputs], force=force)
    if progress:
        progress(f"opening template {tpl.name}")
    wb = open_workbook(tpl)
    counts = fill_workbook(wb, reads, result, progress=progress, imported_at=imported_at)
    if progress:
        progress(f"saving {out_path.name}")
    save_atomic(wb, out_path, overwrite=force)  # without --force: exclusive (a racing run gets "exists")
    return {"path": out_path, "seconds": time.perf_counter() - started, "amount_cells": counts}
