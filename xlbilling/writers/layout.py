"""The billing workbook's layout: sheet names, table names, columns (header,
width, number format kind) and which columns hold UDF formulas.

The single source of these names for the template generator
(`billing_template.py`), the openpyxl writer (`xlsx.py`) and the live xlwings
writer.  Pure data and small helpers: no openpyxl here.

Every sheet: title in A1, "Month" in A2 with the billing month in B2 (the
`$B$2` the PRORATED_STORAGE formulas use), headers on row 4 as an Excel table,
data from row 5.  docs/workbook.md describes the sheets for finance users.
"""
from __future__ import annotations

from dataclasses import dataclass

TITLE_ROW = 1
MONTH_ROW = 2          # A2 "Month", B2 the first day of the billing month
MONTH_CELL = "$B$2"
HEADER_ROW = 4
FIRST_DATA_ROW = HEADER_ROW + 1

# Cell kinds -> how a writer formats them.  "money" takes the row currency's
# minor units (JPY 0 decimals, USD 2, BHD 3); the others are fixed.
NUMBER_FORMATS = {
    "text": "@",
    # Non-integers (integers use "int").  At most 4 decimals on screen so an
    # Acronis 1.19999999925 GB fits the column instead of showing ###; the cell
    # holds the full value and the Working column the exact figure.
    "quantity": "#,##0.0###",
    "unit_price": "#,##0.00####",
    "rate": "0.00000",
    "int": "#,##0",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "month": "mmm yyyy",
    "general": "General",
}


def money_format(decimals: int) -> str:
    """Number format for an amount with `decimals` minor units (babel/CLDR)."""
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals


@dataclass(frozen=True, slots=True)
class Column:
    key: str               # attribute / field the writer fills it from
    header: str            # the table header a user sees
    width: float
    kind: str = "text"     # a NUMBER_FORMATS key or "money"
    udf: str = ""          # UDF(s) this column's formulas may call ("" = value or native formula)
    note: str = ""         # for docs/workbook.md
    wrap: bool = False     # long text: wrapped, so the printed page stays legible
    printed: bool = True   # False: on screen only, outside the print area (must be trailing columns)


@dataclass(frozen=True, slots=True)
class SheetLayout:
    name: str              # sheet name (<= 31 chars)
    table: str             # Excel table name
    title: str
    columns: tuple[Column, ...]
    tab_color: str = ""
    landscape: bool = True

    @property
    def printed_columns(self) -> int:
        """How many leading columns print (the print area is A to this column)."""
        n = 0
        for col in self.columns:
            if not col.printed:
                break
            n += 1
        return n

    def index(self, key: str) -> int:
        """1-based column number of `key`."""
        for i, col in enumerate(self.columns, start=1):
            if col.key == key:
                return i
        raise KeyError(f"{self.name}: no column {key!r}")

    def letter(self, key: str) -> str:
        return column_letter(self.index(key))

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def last_letter(self) -> str:
        return column_letter(len(self.columns))


def column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


C = Column

SUMMARY = SheetLayout(
    name="Summary", table="CustomerSummary", title="Billing summary by customer", tab_color="1F4E78",
    columns=(
        C("customer", "Customer", 30),
        C("currency", "Currency", 10),
        C("invoice_number", "Invoice", 16),
        C("lines", "Lines", 8, "int", note="=COUNTIFS over the invoice lines"),
        C("billed", "Billed", 16, "money", note="=SUMIFS of the invoice lines by customer and currency"),
        C("python_total", "xlbilling total", 16, "money",
          note="the total xlbilling computed in Python (sum of rounded lines)"),
        C("check", "Check", 10, "money", note="=xlbilling total - Billed: must be 0"),
        C("fx_rate", "FX rate", 11, "rate"),
        C("primary_currency", "Converted from", 14),
    ))

INVOICE_LINES = SheetLayout(
    name="Invoice lines", table="InvoiceLines", title="Invoice lines", tab_color="2E75B6",
    columns=(
        C("customer", "Customer", 22, wrap=True),
        C("vendor", "Vendor", 15),   # the longest label, "Hornetsecurity", whole
        C("item", "Item", 18, wrap=True),
        C("description", "Description", 26, wrap=True),
        C("quantity", "Quantity", 11, "quantity"),
        C("unit", "Unit", 8),
        C("unit_price", "Unit price", 14, "unit_price"),
        C("first_day", "From", 10.5, "date", note="storage licenses: first day assigned in the month"),
        C("last_day", "To", 10.5, "date", note="storage licenses: last day assigned in the month"),
        C("amount", "Amount", 12, "money",
          udf="PRORATED_STORAGE|ENDPOINT_CHARGE|COMMITMENT_FEE",
          note="=IFERROR(UDF(...), value)+0 where a user would use a UDF; else the value"),
        C("currency", "Currency", 9.5),
        C("fx_rate", "FX rate", 9.5, "rate"),
        C("working", "Working", 48, wrap=True, printed=False, note="the arithmetic, from the billing rules"),
        C("source", "Source", 26, wrap=True, printed=False, note="file, sheet and rows of the vendor report"),
        C("kind", "Kind", 11, printed=False),
    ))

RECONCILIATION = SheetLayout(
    name="Reconciliation", table="Reconciliation", title="Vendor cost against amounts billed", tab_color="548235",
    columns=(
        C("customer", "Customer", 28),
        C("vendor", "Vendor", 15),   # the longest label, "Hornetsecurity", whole
        C("currency", "Currency", 9),
        C("cost", "Vendor cost", 14, "money"),
        C("billed", "Billed", 14, "money", note="=SUMIFS of the invoice lines by customer, vendor, currency"),
        C("margin", "Margin", 14, "money", note="=Billed - Vendor cost"),
        C("margin_pct", "Margin %", 10, "percent", note="=Margin / Billed"),
        C("python_billed", "xlbilling billed", 14, "money", note="the billed amount xlbilling computed in Python"),
        C("check", "Check", 10, "money", note="=xlbilling billed - Billed: must be 0"),
        C("lines_without_cost", "Lines without cost", 12, "int"),
    ))

CLOUD_POOL = SheetLayout(
    name="Cloud pool", table="CloudPool", title="x360Recover cloud storage pool (GB)", tab_color="BF8F00",
    columns=(
        C("customer", "Customer", 28, wrap=True, note="the last row is the partner's pool as a whole"),
        C("server_licenses", "Server licenses", 11, "quantity", note="endpoint licenses adding to the pool"),
        C("workstation_licenses", "Workstation licenses", 12, "quantity"),
        C("allowance_gb", "Allowance GB", 13, "quantity", note="licenses x the Settings' GB per license"),
        C("used_gb", "Cloud used GB", 13, "quantity", note="cloud usage of endpoint-licensed systems"),
        C("above_allowance_gb", "Above allowance GB", 13, "quantity",
          note="used - allowance (negative: room to spare); the total row: the partner's overage"),
        C("allocated_gb", "Overage billed GB", 13, "quantity",
          note="the customer's share of the partner's overage, billed on its invoice"),
        C("outside_pool_gb", "Storage-licensed GB", 13, "quantity",
          note="cloud usage under a storage license: unlimited, outside the pool"),
        C("note", "Working", 60, wrap=True),
    ))

PROBLEMS = SheetLayout(
    name="Problems", table="Problems", title="Problems to review before invoicing", tab_color="C00000",
    columns=(
        C("title", "Problem", 24, wrap=True, note="the kind of problem in words (xlbilling help problems)"),
        C("vendor", "Vendor", 15),   # the longest label, "Hornetsecurity", whole
        C("account", "Account", 20, wrap=True),
        C("customer", "Customer", 22, wrap=True),
        C("message", "Message", 80, wrap=True),
        C("source", "Source", 36, wrap=True, printed=False),
        C("kind", "Code", 18, printed=False, note="the problem's stable code, for filters"),
    ))

IMPORTS = SheetLayout(
    name="Imports", table="Imports", title="Imported vendor reports", tab_color="7F7F7F",
    columns=(
        C("file", "File", 36),
        C("sha256", "SHA-256", 66, note="of the file's bytes, as read"),
        C("vendor", "Vendor", 15),   # the longest label, "Hornetsecurity", whole
        C("report_type", "Report type", 22),
        C("rows_read", "Rows read", 10, "int"),
        C("rows_skipped", "Rows skipped", 11, "int"),
        C("records", "Records", 10, "int"),
        C("sheet", "Import sheet", 26),
        C("imported_at", "Imported (UTC)", 20, "datetime"),
        C("warnings", "Warnings", 60, wrap=True),
        C("period", "Period stated", 30, wrap=True, note="what the report states: a column, a title row or its"
                                                         " file name; 'not stated' where it states none"),
        C("period_check", "Period check", 30, wrap=True,
          note="against the billing month; a mismatch is billed only with --allow-period-mismatch"),
    ))

# --- printing -------------------------------------------------------------------------
# How every sheet prints (billing workbook and price book), as data: the template
# generator and the writer's skeleton apply it with openpyxl's public page-setup API,
# so it holds whatever writes the rows.  A4 landscape, fitted to one page wide (the
# same scaling fits US Letter), as many pages tall as needed, the header row
# repeated on every page, sheet name and "Page n of N" in the footer.  Columns with
# printed=False (the Working, Source and code columns) stay on screen only.


@dataclass(frozen=True, slots=True)
class PrintSetup:
    orientation: str = "landscape"
    paper_size: int = 9            # 9 = A4 (openpyxl PAPERSIZE_A4); fitting to width suits Letter too
    fit_to_width: int = 1          # pages wide
    fit_to_height: int = 0         # 0 = as many pages tall as the rows need
    title_rows: str = f"{HEADER_ROW}:{HEADER_ROW}"
    margin_side_in: float = 0.4
    margin_top_in: float = 0.6
    footer_left: str = "&A"        # sheet name
    footer_right: str = "Page &P of &N"


PRINT = PrintSetup()
PRICEBOOK_PRINT = PrintSetup(title_rows="1:1")    # price book sheets: header in row 1
PRINT_AREA_SPARE_ROWS = 10        # rows below the data in the print area (totals below a table)

# Import sheets hold the vendor's raw rows: on screen for checking, not for printing.
# They are hidden (right-click a sheet tab > Unhide), so printing the workbook prints
# the billing sheets only; the Imports sheet says so in its row 3.
IMPORT_SHEETS_HIDDEN = True
IMPORT_SHEETS_NOTE = ("The Import sheets (one per report) are hidden so that printing the workbook leaves them out:"
                      " right-click any sheet tab > Unhide to see one.")
NOTE_ROW = 3

# Fixed sheets in workbook order; import sheets (one per report) follow.
SHEETS = (SUMMARY, INVOICE_LINES, RECONCILIATION, CLOUD_POOL, PROBLEMS, IMPORTS)
POOL_TOTAL_LABEL = "All customers (partner pool)"

# Import sheets: built per report from the report's own columns.
IMPORT_SHEET_PREFIX = "Import "
IMPORT_TABLE_PREFIX = "Import"
IMPORT_MIN_COLUMN_WIDTH = 8
IMPORT_MAX_COLUMN_WIDTH = 30
IMPORT_WIDTH_SAMPLE_ROWS = 200   # widths from the headers' words and the first rows' values

# Wrapped text: row height per line (Calibri 11) and the most lines a row grows to.
LINE_HEIGHT_PT = 14.5
MAX_ROW_LINES = 12

# Below the Summary table: one total per currency.
SUMMARY_TOTALS_LABEL = "Total"

# Named styles the template defines and writers use by name.
STYLE_TITLE = "xlb title"
STYLE_HEADER = "xlb header"
STYLE_LABEL = "xlb label"
TABLE_STYLE = "TableStyleMedium2"
FONT = "Calibri"


def import_sheet_name(index: int, vendor: str, report_type: str) -> str:
    """'Import 1 axcient-bff' (Excel allows 31 characters, no []:*?/\\)."""
    raw = f"{IMPORT_SHEET_PREFIX}{index} {vendor}"
    for ch in "[]:*?/\\'":
        raw = raw.replace(ch, "-")
    return raw[:31]


def import_table_name(index: int) -> str:
    return f"{IMPORT_TABLE_PREFIX}{index}"


# --- month control (xlbilling/ledger/month_control.py): written by writers/month_sheets.py
# after the fixed sheets, before the import sheets; not in the template (created when
# a build has a month status).
CHANGES = SheetLayout(
    name="Changes", table="Changes", title="Changes against the last closed month", tab_color="BF8F00",
    columns=(
        C("change", "Change", 20),
        C("customer", "Customer", 26, wrap=True),
        C("vendor", "Vendor", 15),   # the longest label, "Hornetsecurity", whole
        C("item", "Item", 22, wrap=True),
        C("account", "Account", 18, wrap=True),
        C("currency", "Currency", 9),
        C("quantity_then", "Quantity then", 12, "quantity"),
        C("quantity_now", "Quantity now", 12, "quantity"),
        C("price_then", "Unit price then", 13, "unit_price"),
        C("price_now", "Unit price now", 13, "unit_price"),
        C("amount_then", "Amount then", 13, "money"),
        C("amount_now", "Amount now", 13, "money"),
        C("difference", "Difference", 13, "money", note="=Amount now - Amount then"),
        C("percent", "Difference %", 11, "percent", note="=Difference / Amount then"),
        C("over_threshold", "Over threshold", 10, note="yes: more than the Settings threshold; also on Problems"),
        C("note", "Note", 40, wrap=True),
    ))

ACCOUNTS = SheetLayout(
    name="Accounts", table="AccountsWithUsage", title="Vendor accounts with usage this month", tab_color="A5A5A5",
    columns=(
        C("vendor", "Vendor", 15),   # the longest label, "Hornetsecurity", whole
        C("account", "Account", 26),
        C("label", "Vendor customer label", 30, wrap=True),
        C("customer", "Customer", 30, wrap=True, note="the price book's customer; blank = unmapped"),
        C("mapped", "Mapped", 9),
    ))

MONTH_SHEETS = (CHANGES, ACCOUNTS)
STATUS_CELL = "A3"          # Summary: the month's state in one line
STATUS_COLUMN = 11          # Summary: the month control block from column K
