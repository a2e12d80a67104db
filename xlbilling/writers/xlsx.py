"""The headless writer: the billing template (workbooks/billing.xlsx) filled
with one month's reads and pricing result, saved atomically.

How it is written (writers/stream.py): the template is opened with openpyxl
and becomes the *skeleton* (month, import sheets' headers, tables sized to the
rows that follow, calculation properties); the data rows are streamed as XML
text, one sheet at a time, and spliced in when the zip is written.  Nothing
keeps an object per cell, so time and memory per customer stay flat.

What is written: values come from Python (the same rule functions the UDFs
call).  Totals are native formulas over each invoice's own block of invoice
lines (the lines are written grouped by invoice), so recalculating costs the
number of lines, not customers x lines, and a Check column beside each total
must read 0.  Amount cells a user would compute with a UDF are values by
default; with `udf_formulas=True` they are `=IFERROR(UDF(...), value)+0` (live in
Excel with the add-in, the Python value elsewhere).  Every formula carries its
Python value as the cached result, and nothing forces a full recalculation on
opening (docs/workbook.md, "Opening fast").  Vendor strings are always text.

Adding a sheet: describe it in layout.py (and add it to layout.SHEETS, then
regenerate the template), write a `_write_<sheet>(out: RowWriter, ...)` that
puts rows from layout.FIRST_DATA_ROW down, and add one `Content` line to
`_contents` below.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Sequence

from xlbilling.core.money import minor_units, to_excel
from xlbilling.core.period import PeriodCheck
from xlbilling.errors import OutputError, XlbillingError
from xlbilling.files.publish import atomic_write
from xlbilling.files.publish import check_output as _check_output, sha256_file
from xlbilling.files.xlsx_open import open_workbook
from xlbilling.gc_pause import gc_paused
from xlbilling.pricing.vendors import vendor_label
from xlbilling.writers import layout as L
from xlbilling.writers.billing_template import add_table, apply_print_area, ensure_styles, setup_sheet, template_path
from xlbilling.writers.cells import clean_text
from xlbilling.writers.stream import RowWriter, SheetRows, write_package
from xlbilling.writers.udf_cells import amount_cell, iferror

Progress = Callable[[str], None]

# Calculation properties written to the workbook (docs/workbook.md, "Opening fast").
# Excel recalculates every formula on opening a file whose calcId is lower than
# its own calculation engine's id (MS-XLS RecalcId: "if the value is less than
# the recalculation engine identifier associated with the application, the
# application will recalculate the results of all formulas"); openpyxl's
# default 124519 is Excel 2007's, so every current Excel would recalculate the
# whole workbook - every UDF cell - on opening.  191029 is the id Microsoft 365
# Excel writes; an Excel whose engine is newer recalculates once, and saving
# the file from it stores its own id.  The cached values are Python's and
# right, so no forced full recalculation (fullCalcOnLoad) either.
CALC_ID = 191029


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


# --- small helpers ---------------------------------------------------------------------

class _Formats:
    """Money number formats by currency, looked up once."""

    def __init__(self) -> None:
        self._money: dict[str, str] = {}

    def money(self, currency: str) -> str:
        fmt = self._money.get(currency)
        if fmt is None:
            try:
                fmt = L.money_format(min(minor_units(currency), 4))
            except XlbillingError:
                fmt = L.money_format(2)
            self._money[currency] = fmt
        return fmt


def _quantity_format(q: Decimal) -> str:
    return L.NUMBER_FORMATS["int"] if q == q.to_integral_value() else L.NUMBER_FORMATS["quantity"]


def _wrap(layout: L.SheetLayout) -> dict[int, float]:
    return {i: c.width for i, c in enumerate(layout.columns, start=1) if c.wrap}


def _resize_table(ws, name: str, n_rows: int, n_cols: int) -> None:
    last_row = L.HEADER_ROW + max(n_rows, 1)
    ref = f"A{L.HEADER_ROW}:{L.column_letter(n_cols)}{last_row}"
    table = ws.tables[name]
    table.ref = ref
    if table.autoFilter is not None:
        table.autoFilter.ref = ref


def _eq(cell_ref: str) -> str:
    """A SUMIFS/COUNTIFS criterion that matches the text in `cell_ref` exactly
    (apart from case, as SUMIFS always does): a leading '=' makes the rest a
    value even when it starts with '=', '<' or '>', and ~ * ? are escaped so a
    vendor's customer name is never read as an operator or a wildcard."""
    return f'"="&SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({cell_ref},"~","~~"),"*","~*"),"?","~?")'


def _month_header(ws, month: dt.date) -> None:
    ws.cell(row=L.MONTH_ROW, column=2).value = month
    ws.cell(row=L.MONTH_ROW, column=2).number_format = L.NUMBER_FORMATS["month"]


# --- where each invoice's lines are --------------------------------------------------------

Block = tuple[int, int]   # first and last sheet row of an invoice's lines


def invoice_blocks(lines: Sequence) -> dict[tuple[str, str], Block | None]:
    """(customer, currency) -> the rows its lines occupy on the Invoice lines
    sheet, or None when they are not one contiguous block (then its totals
    fall back to the whole table).  Pricing returns lines grouped by invoice
    (PricingResult.lines = each invoice's lines in turn), so every invoice is
    one block and each total scans only its own rows."""
    blocks: dict[tuple[str, str], Block | None] = {}
    prev = None
    for i, line in enumerate(lines):
        key = (line.customer, line.currency)
        row = L.FIRST_DATA_ROW + i
        if key == prev:
            first, _ = blocks[key]
            blocks[key] = (first, row)
        elif key in blocks:
            blocks[key] = None          # seen before, not adjacent: not one block
        else:
            blocks[key] = (row, row)
        prev = key if blocks[key] is not None else None
    return blocks


_LINE_LETTERS = {c.key: L.INVOICE_LINES.letter(c.key) for c in L.INVOICE_LINES.columns}


def _line_ranges(block: Block | None, n_lines: int, keys=("amount", "customer", "vendor", "currency")) -> dict:
    """Absolute Invoice lines ranges of `keys` over `block` (or the whole table)."""
    lo, hi = block or (L.FIRST_DATA_ROW, max(L.FIRST_DATA_ROW + n_lines - 1, L.FIRST_DATA_ROW))
    sheet = L.INVOICE_LINES.name
    return {k: f"'{sheet}'!${_LINE_LETTERS[k]}${lo}:${_LINE_LETTERS[k]}${hi}" for k in keys}


# --- the sheets ---------------------------------------------------------------------

def _usage_sumifs(S: L.SheetLayout, r: int, block: Block, ref: dict[str, str]) -> str:
    """The usage total of the fee line's customer, vendor and currency: SUMIFS
    over the rows of its invoice's block above and below row `r`, never over
    the fee cell itself (that would be a circular reference, which Excel
    evaluates to 0)."""
    parts = []
    for lo, hi in ((block[0], r - 1), (r + 1, block[1])):
        if lo > hi:
            continue
        rng = {k: f"${S.letter(k)}${lo}:${S.letter(k)}${hi}" for k in ("amount", "customer", "vendor", "currency", "kind")}
        parts.append(f'SUMIFS({rng["amount"]},{rng["customer"]},{_eq(ref["customer"])},{rng["vendor"]},{ref["vendor"]},'
                     f'{rng["currency"]},{ref["currency"]},{rng["kind"]},"usage")')
    return "+".join(parts) or "0"


def _write_lines(out: RowWriter, lines, blocks, month: dt.date, fmts: _Formats, udf_formulas: bool,
                 progress: Progress | None, counts: dict[str, int]) -> None:
    S = L.INVOICE_LINES
    ci = {c.key: S.index(c.key) for c in S.columns}
    letters = {c.key: S.letter(c.key) for c in S.columns}
    whole = (L.FIRST_DATA_ROW, L.FIRST_DATA_ROW + len(lines) - 1)
    usage: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    if udf_formulas:   # usage totals per (customer, vendor, currency) for commitment-fee formulas
        for line in lines:
            if line.kind == "usage":
                usage[(line.customer, line.vendor, line.currency)] += line.amount
    date_fmt = L.NUMBER_FORMATS["date"]
    price_fmt, rate_fmt = L.NUMBER_FORMATS["unit_price"], L.NUMBER_FORMATS["rate"]
    text, number = out.text, out.number
    (c_customer, c_vendor, c_item, c_description, c_quantity, c_unit, c_unit_price, c_first_day, c_last_day,
     c_amount, c_currency, c_fx_rate, c_working, c_source, c_kind) = (
        ci[k] for k in ("customer", "vendor", "item", "description", "quantity", "unit", "unit_price", "first_day",
                        "last_day", "amount", "currency", "fx_rate", "working", "source", "kind"))
    for i, line in enumerate(lines):
        r = L.FIRST_DATA_ROW + i
        text(r, c_customer, line.customer)
        text(r, c_vendor, vendor_label(line.vendor))   # the name a person reads; SUMIFS match this cell
        text(r, c_item, line.item)
        text(r, c_description, line.description)
        number(r, c_quantity, line.quantity, _quantity_format(line.quantity))
        text(r, c_unit, line.unit)
        number(r, c_unit_price, line.unit_price, price_fmt)
        money = fmts.money(line.currency)
        choice = None
        if udf_formulas:
            ref = {k: f"{v}{r}" for k, v in letters.items()}
            sumifs = ""
            if line.kind == "commitment_fee":
                sumifs = _usage_sumifs(S, r, blocks.get((line.customer, line.currency)) or whole, ref)
            choice = amount_cell(line, ref, month, month_cell=L.MONTH_CELL,
                                 usage_total=usage.get((line.customer, line.vendor, line.currency)),
                                 usage_sumifs=sumifs)
        if choice is not None and choice.formula:
            if choice.first_day:
                out.date(r, c_first_day, choice.first_day, date_fmt)
                out.date(r, c_last_day, choice.last_day, date_fmt)
            out.formula(r, c_amount, iferror(choice.formula, line.amount), to_excel(line.amount), money)
            counts[choice.udf] += 1
        else:
            number(r, c_amount, line.amount, money)
            counts["value"] += 1
        text(r, c_currency, line.currency)
        if line.fx_rate is not None:
            number(r, c_fx_rate, line.fx_rate, rate_fmt)
        text(r, c_working, line.working)
        text(r, c_source, line.source_text)
        text(r, c_kind, line.kind)
        if progress and i and i % 50000 == 0:
            progress(f"  invoice lines: {i:,} of {len(lines):,}")


def _write_summary(out: RowWriter, result, blocks, n_lines: int, fmts: _Formats) -> None:
    """One row per invoice: Lines and Billed over the invoice's own block of
    lines (with the customer and currency as criteria, so a line moved into
    the block from elsewhere is not counted and the Check shows it), then one
    total per currency below the table."""
    S = L.SUMMARY
    c = {col.key: S.index(col.key) for col in S.columns}
    A, B = S.letter("customer"), S.letter("currency")
    billed_l, total_l = S.letter("billed"), S.letter("python_total")
    invoices = list(result.invoices)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    int_fmt = L.NUMBER_FORMATS["int"]
    for i, inv in enumerate(invoices):
        r = L.FIRST_DATA_ROW + i
        money = fmts.money(inv.currency)
        rng = _line_ranges(blocks.get((inv.customer, inv.currency)), n_lines)
        out.text(r, c["customer"], inv.customer)
        out.text(r, c["currency"], inv.currency)
        out.text(r, c["invoice_number"], inv.invoice_number)
        crit = _eq(f"{A}{r}")
        out.formula(r, c["lines"], f"=COUNTIFS({rng['customer']},{crit},{rng['currency']},{B}{r})", len(inv.lines),
                    int_fmt)
        out.formula(r, c["billed"], f"=SUMIFS({rng['amount']},{rng['customer']},{crit},{rng['currency']},{B}{r})",
                    to_excel(inv.total), money)
        out.number(r, c["python_total"], inv.total, money)
        out.formula(r, c["check"], f"=ROUND({total_l}{r}-{billed_l}{r},6)", 0.0, money)
        if inv.fx_rate is not None:
            out.number(r, c["fx_rate"], inv.fx_rate, L.NUMBER_FORMATS["rate"])
            out.text(r, c["primary_currency"], inv.primary_currency)
        totals[inv.currency] += inv.total
    # One total per currency below the table: the sum of the customers' billed amounts.
    last = L.FIRST_DATA_ROW + max(len(invoices), 1) - 1
    billed_rng = f"${billed_l}${L.FIRST_DATA_ROW}:${billed_l}${last}"
    cur_rng = f"${B}${L.FIRST_DATA_ROW}:${B}${last}"
    r = last + 2
    for currency in sorted(totals):
        money = fmts.money(currency)
        out.label(r, c["customer"], f"{L.SUMMARY_TOTALS_LABEL} {currency}")
        out.text(r, c["currency"], currency)
        out.formula(r, c["billed"], f"=SUMIFS({billed_rng},{cur_rng},{B}{r})", to_excel(totals[currency]), money,
                    bold=True)
        out.number(r, c["python_total"], totals[currency], money)
        out.formula(r, c["check"], f"=ROUND({total_l}{r}-{billed_l}{r},6)", 0.0, money)
        r += 1


def _write_reconciliation(out: RowWriter, result, blocks, n_lines: int, fmts: _Formats) -> None:
    """One row per customer + vendor + currency; Billed sums the vendor's lines
    within that invoice's block."""
    S = L.RECONCILIATION
    c = {col.key: S.index(col.key) for col in S.columns}
    let = {col.key: S.letter(col.key) for col in S.columns}
    pct_fmt, int_fmt = L.NUMBER_FORMATS["percent"], L.NUMBER_FORMATS["int"]
    for i, rec in enumerate(result.reconciliation):
        r = L.FIRST_DATA_ROW + i
        money = fmts.money(rec.currency)
        rng = _line_ranges(blocks.get((rec.customer, rec.currency)), n_lines)
        out.text(r, c["customer"], rec.customer)
        out.text(r, c["vendor"], vendor_label(rec.vendor))   # as on the Invoice lines: the SUMIFS matches it
        out.text(r, c["currency"], rec.currency)
        out.number(r, c["cost"], rec.cost, money)
        crit = _eq(f"{let['customer']}{r}")
        out.formula(r, c["billed"], f'=SUMIFS({rng["amount"]},{rng["customer"]},{crit},{rng["vendor"]},'
                                    f'{let["vendor"]}{r},{rng["currency"]},{let["currency"]}{r})',
                    to_excel(rec.billed), money)
        # a blank (unknown) cost leaves the margin blank, never Billed - 0
        cost_ref, margin_ref = f'{let["cost"]}{r}', f'{let["margin"]}{r}'
        margin = to_excel(rec.margin) if rec.margin is not None else ""
        out.formula(r, c["margin"], f'=IF({cost_ref}="","",{let["billed"]}{r}-{cost_ref})', margin, money)
        pct = to_excel(rec.margin_pct) if rec.margin_pct is not None else ""
        out.formula(r, c["margin_pct"], f'=IF(OR({let["billed"]}{r}=0,{margin_ref}=""),"",{margin_ref}/'
                                        f'{let["billed"]}{r})', pct, pct_fmt)
        out.number(r, c["python_billed"], rec.billed, money)
        out.formula(r, c["check"], f'=ROUND({let["python_billed"]}{r}-{let["billed"]}{r},6)', 0.0, money)
        out.number(r, c["lines_without_cost"], int(getattr(rec, "lines_without_cost", 0) or 0), int_fmt)


def _write_pool(out: RowWriter, result) -> None:
    """The x360Recover pool as figures (PricingResult.pool_rows), so an overage
    that vanished can be seen; the partner total last."""
    S = L.CLOUD_POOL
    rows = sorted(getattr(result, "pool_rows", ()) or (), key=lambda r: (r.customer == "", r.customer.casefold()))
    for i, row in enumerate(rows):
        r = L.FIRST_DATA_ROW + i
        for j, col in enumerate(S.columns, start=1):
            value = getattr(row, col.key)
            if col.key == "customer":
                out.text(r, j, value or L.POOL_TOTAL_LABEL)
            elif col.kind == "quantity":
                out.number(r, j, value, _quantity_format(value), bold=not row.customer)
            else:
                out.text(r, j, value)
    if not rows:
        out.text(L.FIRST_DATA_ROW, S.index("note"), "No x360Recover usage this month.")


def _write_problems(out: RowWriter, result) -> None:
    S = L.PROBLEMS
    rows = list(result.problems)
    for i, p in enumerate(rows):
        for j, col in enumerate(S.columns, start=1):
            value = getattr(p, col.key, "")
            out.text(L.FIRST_DATA_ROW + i, j, vendor_label(value) if col.key == "vendor" else value)
    if not rows:
        out.text(L.FIRST_DATA_ROW, S.index("message"), "No problems found.")


def _write_imports(out: RowWriter, reads, sheet_names, imported_at: dt.datetime, month: dt.date) -> None:
    S = L.IMPORTS
    c = {col.key: S.index(col.key) for col in S.columns}
    int_fmt = L.NUMBER_FORMATS["int"]
    for i, (read, sheet) in enumerate(zip(reads, sheet_names)):
        r = L.FIRST_DATA_ROW + i
        out.text(r, c["file"], Path(read.file).name)
        out.text(r, c["sha256"], read.sha256)
        out.text(r, c["vendor"], vendor_label(read.vendor))
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


# --- import sheets ---------------------------------------------------------------------

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
    head = getattr(rows, "head", None)   # LazyRows: the first rows without building the rest
    for row in (head(L.IMPORT_WIDTH_SAMPLE_ROWS) if head else rows[: L.IMPORT_WIDTH_SAMPLE_ROWS]):
        for j, value in enumerate(row[: len(widths)]):
            if value is not None:
                widths[j] = max(widths[j], len(str(value)) + 2)
    return [float(min(max(w, L.IMPORT_MIN_COLUMN_WIDTH), L.IMPORT_MAX_COLUMN_WIDTH)) for w in widths]


def _add_import_sheet(wb, index: int, read, month: dt.date) -> str:
    """The import sheet's skeleton: title, month, headers, widths, table."""
    name = L.import_sheet_name(index, read.vendor, read.report_type)
    ws = wb.create_sheet(name)
    headers = _unique_headers(list(read.columns))
    setup_sheet(ws, f"Imported from {clean_text(read.file)} ({vendor_label(read.vendor)} {read.report_type})",
                headers, _import_widths(headers, read.rows), tab_color="A5A5A5")
    _month_header(ws, month)
    if L.IMPORT_SHEETS_HIDDEN:   # the vendor's raw rows: on screen, not printed (the Imports sheet says so)
        ws.sheet_state = "hidden"
    if headers:
        table = add_table(ws, L.import_table_name(index), len(headers), L.HEADER_ROW + max(len(read.rows), 1))
        table.tableStyleInfo.name = "TableStyleLight1"
    return name


def _write_import_rows(out: RowWriter, read, name: str, progress: Progress | None) -> None:
    """The report as read, one sheet row per report row: streamed (LazyRows), so
    a sheet's rows are freed as they are written, never all sheets' at once."""
    values = out.values
    stream = getattr(read.rows, "stream", None)
    for n, row in enumerate(stream() if stream else read.rows, start=1):
        values(L.HEADER_ROW + n, row)
        if progress and n % 100000 == 0:
            progress(f"  {name}: {n:,} rows")


# --- entry point --------------------------------------------------------------------

@dataclass(frozen=True)
class Content:
    """A fixed sheet's streamed rows: its layout, how many table rows, how to fill them."""

    layout: L.SheetLayout
    rows: int
    fill: Callable[[RowWriter], None]


def _contents(reads, result, lines, blocks, fmts: _Formats, import_names, imported_at, udf_formulas: bool,
              progress: Progress | None, counts: dict[str, int]) -> list[Content]:
    """The fixed sheets' contents, in any order (the template orders the sheets)."""
    n = len(lines)
    return [
        Content(L.SUMMARY, len(result.invoices), lambda out: _write_summary(out, result, blocks, n, fmts)),
        Content(L.INVOICE_LINES, n, lambda out: _write_lines(out, lines, blocks, result.month, fmts, udf_formulas,
                                                             progress, counts)),
        Content(L.RECONCILIATION, len(result.reconciliation),
                lambda out: _write_reconciliation(out, result, blocks, n, fmts)),
        Content(L.CLOUD_POOL, len(getattr(result, "pool_rows", ()) or ()), lambda out: _write_pool(out, result)),
        Content(L.PROBLEMS, len(result.problems), lambda out: _write_problems(out, result)),
        Content(L.IMPORTS, len(reads), lambda out: _write_imports(out, reads, import_names, imported_at, result.month)),
    ]


def _skeleton(template: Path, month: dt.date, reads):
    """The template with the month, the import sheets' skeletons and the
    calculation properties; returns (workbook, import sheet names)."""
    wb = open_workbook(template)
    ensure_styles(wb)
    for sheet in L.SHEETS:
        if sheet.name not in wb.sheetnames:
            raise XlbillingError(f"billing template: sheet {sheet.name!r} is missing; regenerate it with"
                                 " python -m xlbilling.writers.billing_template")
        _month_header(wb[sheet.name], month)
    names = [_add_import_sheet(wb, i, read, month) for i, read in enumerate(reads, start=1)]
    wb.calculation.fullCalcOnLoad = None      # omitted: no forced full recalculation
    wb.calculation.calcId = CALC_ID
    wb.active = 0
    return wb, names


@gc_paused
def write_billing_workbook(out: str | Path, reads: Sequence, result, *, inputs: Iterable[str | Path] = (),
                           template: str | Path | None = None, force: bool = False,
                           progress: Progress | None = None, imported_at: dt.datetime | None = None,
                           udf_formulas: bool = False, month_status=None, publish_guard=None) -> dict:
    """Write the month's billing workbook to `out` from the template.

    `inputs` (reports, price book) and the template are never overwritten;
    `udf_formulas` writes live UDF formulas in Amount cells (docs/workbook.md);
    `publish_guard`: files/publish.atomic_write's guard (the ledger record kept
    with the workbook, in build).
    Returns facts for the caller's summary: path, seconds, Amount cells per UDF.
    """
    started = time.perf_counter()
    tpl = Path(template) if template else template_path()
    out_path = check_output(out, [tpl, *inputs], force=force)
    imported_at = (imported_at or dt.datetime.now(dt.timezone.utc)).replace(tzinfo=None, microsecond=0)
    if progress:
        progress(f"opening template {tpl.name}")
    wb, import_names = _skeleton(tpl, result.month, reads)
    lines = list(result.lines)
    blocks = invoice_blocks(lines)
    counts: dict[str, int] = defaultdict(int)
    fmts = _Formats()
    sheets = []
    contents = _contents(reads, result, lines, blocks, fmts, import_names, imported_at, udf_formulas, progress,
                         counts)
    if month_status is not None:   # month control: Changes, Accounts, the Summary block (writers/month_sheets.py)
        from xlbilling.writers.month_sheets import add_month_sheets

        contents = add_month_sheets(wb, contents, month_status, result)
    for content in contents:
        _resize_table(wb[content.layout.name], content.layout.table, content.rows, len(content.layout.columns))
        apply_print_area(wb[content.layout.name], content.layout, content.rows)   # print: layout.PRINT
        sheets.append(SheetRows(content.layout.name, content.fill, _wrap(content.layout)))
    for read, name in zip(reads, import_names):
        sheets.append(SheetRows(name, lambda out, read=read, name=name: _write_import_rows(out, read, name, progress)))
    if progress:
        progress(f"writing {len(lines):,} invoice lines and {sum(len(r.rows) for r in reads):,} import rows")
    # without --force the new file is published exclusively (a racing run gets "exists")
    atomic_write(out_path, lambda tmp: write_package(wb, sheets, tmp, progress=progress), overwrite=force,
                 guard=publish_guard)
    return {"path": out_path, "seconds": time.perf_counter() - started, "amount_cells": dict(counts)}
