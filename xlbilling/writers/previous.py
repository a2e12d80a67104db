"""Read last month's billing workbook back (`build --compare-with FILE.xlsx`)
for the month-over-month review when no month is closed in a ledger yet.

Reads the values (cached results of formulas) of the Summary, Invoice lines
and, when present, Accounts sheets by their header names (layout.py), so a
workbook from this version or a user-sorted one reads the same.  Customers
get their key through the current price book (its Customer id), as this
run's do."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from xlbilling.core.money import D
from xlbilling.core.numbering import customer_key
from xlbilling.core.review import AccountFig, InvoiceFig, LineFig, MonthFigures
from xlbilling.errors import ReportError, XlbillingError
from xlbilling.files.xlsx_open import open_workbook
from xlbilling.pricing.vendors import vendor_key
from xlbilling.writers import layout as L


def _rows(ws, layout: L.SheetLayout, file: str):
    """{key: value} per data row, matched by header text; stops at the table's first blank row."""
    header = [c.value for c in next(ws.iter_rows(min_row=L.HEADER_ROW, max_row=L.HEADER_ROW))]
    pos = {}
    for col in layout.columns:
        if col.header in header:
            pos[col.key] = header.index(col.header)
    first = layout.columns[0].key
    if first not in pos:
        raise ReportError(f"{file}, sheet {layout.name!r}: header {layout.columns[0].header!r} not found in row"
                          f" {L.HEADER_ROW}: not a billing workbook written by xlbilling build")
    for row in ws.iter_rows(min_row=L.FIRST_DATA_ROW, values_only=True):
        if row[pos[first]] in (None, ""):
            break
        yield {k: (row[i] if i < len(row) else None) for k, i in pos.items()}


def _dec(value, file: str, sheet: str, what: str) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        return D(value, what=what)
    except XlbillingError:
        raise ReportError(f"{file}, sheet {sheet!r}: {what} {value!r} is not a number") from None


def read_previous_workbook(path: str | os.PathLike, pricebook=None) -> MonthFigures:
    file = os.fspath(path)
    name = os.path.basename(file)
    try:
        wb = open_workbook(file, read_only=True, data_only=True)
    except XlbillingError as exc:
        raise ReportError(f"--compare-with {file}: {exc}") from None
    except OSError as exc:
        raise ReportError(f"--compare-with {file}: cannot be read ({exc.strerror or exc})") from None
    except Exception as exc:  # openpyxl's many exception types for a damaged file
        raise ReportError(f"--compare-with {file}: not an .xlsx billing workbook ({type(exc).__name__})") from None
    try:
        for sheet in (L.SUMMARY.name, L.INVOICE_LINES.name):
            if sheet not in wb.sheetnames:
                raise ReportError(f"--compare-with {file}: no sheet {sheet!r}: not a billing workbook written by"
                                  " xlbilling build")
        summary = wb[L.SUMMARY.name]
        month_value = summary["B2"].value
        month = month_value.date() if isinstance(month_value, dt.datetime) else month_value
        if not isinstance(month, dt.date):
            raise ReportError(f"--compare-with {file}: Summary!B2 holds {month_value!r}, expected the billing month")
        lines: dict[str, list[LineFig]] = {}
        for r in _rows(wb[L.INVOICE_LINES.name], L.INVOICE_LINES, name):
            sheet = L.INVOICE_LINES.name
            lines.setdefault(str(r["customer"]).casefold(), []).append(LineFig(
                vendor_key(str(r.get("vendor") or "")), str(r.get("item") or ""), str(r.get("description") or ""),
                _dec(r.get("quantity"), name, sheet, "Quantity"), str(r.get("unit") or ""),
                _dec(r.get("unit_price"), name, sheet, "Unit price"), _dec(r.get("amount"), name, sheet, "Amount"),
                str(r.get("currency") or ""), str(r.get("kind") or "usage"), str(r.get("source") or "")))
        invoices = []
        for r in _rows(summary, L.SUMMARY, name):
            customer = str(r["customer"])
            if customer.startswith(L.SUMMARY_TOTALS_LABEL + " ") and not r.get("invoice_number"):
                continue
            c = pricebook.customer(customer) if pricebook is not None else None
            invoices.append(InvoiceFig(customer_key(customer, c.customer_id if c else ""), customer,
                                       str(r.get("currency") or ""), str(r.get("invoice_number") or ""),
                                       _dec(r.get("python_total"), name, L.SUMMARY.name, "xlbilling total"),
                                       tuple(lines.get(customer.casefold(), ()))))
        accounts: list[AccountFig] = []
        has_accounts = L.ACCOUNTS.name in wb.sheetnames
        if has_accounts:
            for r in _rows(wb[L.ACCOUNTS.name], L.ACCOUNTS, name):
                accounts.append(AccountFig(vendor_key(str(r["vendor"])), str(r.get("account") or ""),
                                           str(r.get("customer") or ""), str(r.get("label") or "")))
    finally:
        wb.close()
    return MonthFigures(month.replace(day=1), tuple(invoices), tuple(accounts), f"workbook {name} ({month:%Y-%m})",
                        has_accounts=has_accounts)


__all__ = ["read_previous_workbook"]
