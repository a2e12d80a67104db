"""Write a price book workbook: the empty template (workbooks/pricebook.xlsx,
`python -m xlbilling.writers.pricebook_template`), a price book started from
reports (`xlbilling pricebook init`) and the demo sample all come from
write_pricebook(), so their layout is the one pricing/schema.py describes.

Every string goes through writers.cells.write_text: a vendor's customer name
"=cmd|..." stays literal text, never a formula."""
from __future__ import annotations

import argparse
import os
from decimal import Decimal
from pathlib import Path
from typing import Mapping, Sequence

from xlbilling.files.publish import atomic_write, check_output
from xlbilling.pricing.schema import DATE_COLUMNS, INSTRUCTIONS_SHEET, MONEY_COLUMNS, SETTINGS, SHEETS
from xlbilling.writers.cells import set_text as write_text

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "workbooks" / "pricebook.xlsx"

INSTRUCTIONS = (
    "xlbilling price book",
    "",
    "This workbook tells xlbilling who your customers are, which vendor accounts belong to them and what to charge.",
    "Fill the sheets left to right; `xlbilling pricebook init REPORT...` can start one from a month's reports.",
    "Full guide: run `xlbilling help pricebook`.  Percentages are fractions: 25% = 0.25.",
    "",
    "Settings      - every billing decision xlbilling makes, visible and changeable (home currency, Axcient basis,",
    "                x360Recover pool, invoice numbers, accounting export codes).",
    "Customers     - one row per customer: the currency you invoice it in and, optionally, its Axcient BFF basis.",
    "Accounts      - every vendor account (Axcient account no., x360Recover client id, Acronis tenant, Altaro customer)",
    "                and the customer it bills.  Usage of an account not listed here is NOT invoiced (listed as a problem).",
    "                Reviewed = no marks rows pre-filled from the vendor's own label: check them, then set yes.",
    "                REVIEW rows (a reference number such as HS-1001, your own partner tenant) have no customer yet:",
    "                type the customer there.  To rename a customer everywhere at once: Find & Replace (Ctrl+H),",
    "                Within: Workbook.",
    "Rates         - the price per unit of each vendor item (blank Customer = everyone; a customer's own row wins;",
    "                Item * = every item of the vendor).  Acronis: Pricing rule markup / margin / sell with a Rule rate",
    "                and Distributor discount reprices the vendor's sell price (Acronis CSP contract billing).",
    "ExchangeRates - From -> To rates with up to 5 decimals: amount in To = amount in From x Rate.",
    "Commitments   - minimum monthly commitment per customer and vendor: a 'Minimum Commitment Amount Fee' line",
    "                makes up any shortfall (Acronis CSP contract billing).",
    "Licenses      - your x360Recover license assignments: storage licenses are prorated by days assigned,",
    "                endpoint licenses never are (Axcient x360Recover license billing).",
    "",
    "Keep the column headers as they are; add rows inside the tables.  Cells are read as values, never formulas.",
)


def _print_setup(ws, area: str | None, title_rows: str = "1:1") -> None:
    """How a price-book sheet prints (writers/layout.py PRICEBOOK_PRINT): landscape,
    one page wide, the header row on every page, the table only."""
    from dataclasses import replace

    from xlbilling.writers.billing_template import apply_print_setup
    from xlbilling.writers.layout import PRICEBOOK_PRINT

    apply_print_setup(ws, replace(PRICEBOOK_PRINT, title_rows=title_rows) if title_rows else PRICEBOOK_PRINT)
    if not title_rows:
        ws.print_title_rows = None
    if area:
        ws.print_area = area


def _fill_sheet(ws, name: str, rows: Sequence[Sequence[object]]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.table import Table, TableStyleInfo

    cols = SHEETS[name]
    for c, (header, width, _, required) in enumerate(cols, 1):
        cell = ws.cell(row=1, column=c)
        write_text(cell, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, values in enumerate(rows, 2):
        for c, value in enumerate(values, 1):
            cell = ws.cell(row=r, column=c)
            header = cols[c - 1][0]
            if isinstance(value, str):
                write_text(cell, value)            # vendor strings stay text
            elif isinstance(value, Decimal):
                cell.value = int(value) if value == value.to_integral_value() and abs(value) < 10**15 else value
            else:
                cell.value = value
            if (name, header) in DATE_COLUMNS:
                cell.number_format = "yyyy-mm-dd"
            elif (name, header) in MONEY_COLUMNS:
                cell.number_format = "#,##0.00###"
            elif name == "Settings" and header == "Meaning":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    last_row = max(2, len(rows) + 1)
    ref = f"A1:{get_column_letter(len(cols))}{last_row}"
    table = Table(displayName=f"tbl{name}", ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    _print_setup(ws, f"A1:{get_column_letter(len(cols))}{last_row + 500}")
    # data validation lists on the table's columns and well below, for new rows
    for c, (header, _, allowed, _) in enumerate(cols, 1):
        if not allowed:
            continue
        dv = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle=header,
                            error=f"{header}: choose one of {', '.join(allowed)}")
        letter = get_column_letter(c)
        dv.add(f"{letter}2:{letter}{max(last_row, 2) + 500}")
        ws.add_data_validation(dv)


def build_workbook(*, settings: Mapping[str, object] | None = None, customers: Sequence[Sequence[object]] = (),
                   accounts: Sequence[Sequence[object]] = (), rates: Sequence[Sequence[object]] = (),
                   exchange_rates: Sequence[Sequence[object]] = (), commitments: Sequence[Sequence[object]] = (),
                   licenses: Sequence[Sequence[object]] = ()):
    """An openpyxl Workbook laid out per pricing/schema.py; rows are tuples in the
    sheet's column order.  `settings` overrides the defaults by setting name."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    overrides = dict(settings or {})
    unknown = set(overrides) - {n for n, _, _, _ in SETTINGS}
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    wb = Workbook()
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 120
    for r, line in enumerate(INSTRUCTIONS, 1):
        write_text(ws.cell(row=r, column=1), line)
    ws["A1"].font = Font(bold=True, size=14)
    _print_setup(ws, None, title_rows="")
    settings_rows = [(n, overrides.get(n, d), m + (f" Allowed: {', '.join(a)}." if a else ""))
                     for n, d, a, m in SETTINGS]
    data = {"Settings": settings_rows, "Customers": customers, "Accounts": accounts, "Rates": rates,
            "ExchangeRates": exchange_rates, "Commitments": commitments, "Licenses": licenses}
    for name in SHEETS:
        _fill_sheet(wb.create_sheet(name), name, [tuple(r) for r in data[name]])
    # per-setting validation lists
    from openpyxl.worksheet.datavalidation import DataValidation
    st = wb["Settings"]
    for r, (n, _, allowed, _) in enumerate(SETTINGS, 2):
        if allowed:
            dv = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=False)
            dv.add(f"B{r}")
            st.add_data_validation(dv)
    return wb


def write_pricebook(path: str | os.PathLike, *, force: bool = False, inputs: Sequence[str] = (),
                    protect_templates: bool = True, **sheets) -> Path:
    """Build and save atomically; refuses an existing file unless force, and an input."""
    out = check_output(path, inputs=inputs, force=force, protect_templates=protect_templates)
    wb = build_workbook(**sheets)
    atomic_write(out, wb.save, overwrite=force)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the empty price book template workbooks/pricebook.xlsx")
    parser.add_argument("--out", default=str(TEMPLATE_PATH))
    args = parser.parse_args(argv)
    write_pricebook(args.out, force=True, protect_templates=False)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
