"""Invoice lines as CSV: the `lines` listing, a Xero sales-invoice import and a
QuickBooks Online invoice import (column names and rules: shared/ACCOUNTING_EXPORTS.md).

Names stay literal: a customer called "=SUM(A1)" is written as that text.  An
accounting import matches ContactName / Customer exactly, so prefixing an
apostrophe (the usual CSV-injection defence) would create a wrong contact;
docs/exports.md explains the decision.  Amounts are exact decimal strings."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence

from xlbilling.core.rules.result import fmt
from xlbilling.core.rules.x360recover import month_bounds
from xlbilling.errors import OutputError
from xlbilling.pricing.engine import VENDOR_LABELS, item_code
from xlbilling.pricing.model import Invoice, PriceBook, PricingResult
from xlbilling.outputs import atomic_write_text, check_output

LINES_COLUMNS = ("customer", "vendor", "item", "description", "quantity", "unit", "unit_price", "amount", "currency",
                 "source")
# ACCOUNTING_EXPORTS.md 5.1: the 27-column template header, exactly
XERO_COLUMNS = ("*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
                "POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "Reference", "*InvoiceDate",
                "*DueDate", "InventoryItemCode", "*Description", "*Quantity", "*UnitAmount", "Discount",
                "*AccountCode", "*TaxType", "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2",
                "Currency", "BrandingTheme")
# ACCOUNTING_EXPORTS.md 5.2: the compact header of QuickBooks' sample file
QBO_COLUMNS = ("InvoiceNo", "Customer", "InvoiceDate", "DueDate", "Terms", "Location", "Memo", "Item(Product/Service)",
               "ItemDescription", "ItemQuantity", "ItemRate", "ItemAmount", "Taxable", "TaxRate", "TaxAmount",
               "Service Date", "Currency")
XERO_MAX_INVOICES = 500          # ACCOUNTING_EXPORTS.md: at most 500 invoices per file
IMPORT_MAX_DECIMALS = 4          # quantities / unit prices an import keeps (Xero: 4)
DATE_FORMATS = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y", "iso": "%Y-%m-%d"}


def plain(d: Decimal) -> str:
    """An exact decimal as plain text: no exponent ('1E+3' -> '1000'), no float."""
    return format(d, "f")


def _csv(rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def lines_csv(result: PricingResult) -> str:
    """`xlbilling lines --format csv`: one row per invoice line, exact amounts."""
    rows: list[Sequence[object]] = [LINES_COLUMNS]
    for ln in result.lines:
        rows.append((ln.customer, ln.vendor, ln.item, ln.description, plain(ln.quantity), ln.unit,
                     plain(ln.unit_price), plain(ln.amount), ln.currency, ln.source_text))
    return _csv(rows)


def default_invoice_date(month: dt.date) -> dt.date:
    """Decision: invoices are dated the last day of the billing month unless --invoice-date says otherwise."""
    return month_bounds(month)[1]


def _decimals(d: Decimal) -> int:
    exp = d.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def import_quantity_price(line, max_decimals: int = IMPORT_MAX_DECIMALS) -> tuple[Decimal, Decimal, str]:
    """(quantity, unit price, description) that an accounting import multiplies back
    to exactly the line amount.  When quantity x unit price is not exactly the
    rounded amount, or either has more decimals than the import keeps (Xero: 4),
    the line goes as 1 x amount and the quantity and price move into the
    description, so the invoice in Xero / QuickBooks adds up to the cent."""
    q, u = line.quantity, line.unit_price
    # exact equality, not "rounds to": the importer's own rounding mode then never matters
    if _decimals(q) <= max_decimals and _decimals(u) <= max_decimals and q * u == line.amount:
        return q.normalize() if q == q.to_integral_value() else q, u, line.description
    # fmt() marks a shortened figure with '~' (named rounding mode in core.rules.result)
    return (Decimal(1), line.amount,
            f"{line.description} ({fmt(q)} {line.unit} x {fmt(u)} {line.currency})")


def _dates(result: PricingResult, pricebook: PriceBook, invoice_date: dt.date | None) -> tuple[dt.date, dt.date]:
    day = invoice_date or default_invoice_date(result.month)
    return day, day + dt.timedelta(days=pricebook.settings.payment_terms_days)


def xero_rows(result: PricingResult, pricebook: PriceBook, invoices: Sequence[Invoice],
              invoice_date: dt.date | None = None, date_format: str = "dmy") -> list[list[object]]:
    s = pricebook.settings
    day, due = _dates(result, pricebook, invoice_date)
    fmt_date = DATE_FORMATS[date_format]
    rows: list[list[object]] = [list(XERO_COLUMNS)]
    for inv in invoices:
        for ln in inv.lines:
            qty, price, desc = import_quantity_price(ln)
            row = dict.fromkeys(XERO_COLUMNS, "")
            row.update({"*ContactName": inv.customer, "*InvoiceNumber": inv.invoice_number,
                        "Reference": f"Backup services {result.month:%Y-%m}",
                        "*InvoiceDate": day.strftime(fmt_date), "*DueDate": due.strftime(fmt_date),
                        "InventoryItemCode": item_code(pricebook, ln), "*Description": desc,
                        "*Quantity": plain(qty), "*UnitAmount": plain(price), "*AccountCode": s.xero_account_code,
                        "*TaxType": s.xero_tax_type,
                        # ACCOUNTING_EXPORTS.md: Currency only for foreign-currency invoices
                        "Currency": inv.currency if inv.currency != s.home_currency else ""})
            rows.append([row[c] for c in XERO_COLUMNS])
    return rows


def qbo_rows(result: PricingResult, pricebook: PriceBook, invoice_date: dt.date | None = None,
             date_format: str = "mdy") -> list[list[object]]:
    s = pricebook.settings
    day, due = _dates(result, pricebook, invoice_date)
    fmt_date = DATE_FORMATS[date_format]
    rows: list[list[object]] = [list(QBO_COLUMNS)]
    for inv in result.invoices:
        for ln in inv.lines:
            qty, price, desc = import_quantity_price(ln)
            if s.qbo_item_naming == "vendor:item":
                item = f"{VENDOR_LABELS.get(ln.vendor, ln.vendor)}:{ln.item}"   # QBO Item:Sub-item convention
            else:
                item = item_code(pricebook, ln) or ln.description
            row = dict.fromkeys(QBO_COLUMNS, "")
            row.update({"InvoiceNo": inv.invoice_number, "Customer": inv.customer,
                        "InvoiceDate": day.strftime(fmt_date), "DueDate": due.strftime(fmt_date),
                        "Terms": f"Net {s.payment_terms_days}", "Memo": f"Backup services {result.month:%Y-%m}",
                        "Item(Product/Service)": item, "ItemDescription": desc, "ItemQuantity": plain(qty),
                        "ItemRate": plain(price), "ItemAmount": plain(ln.amount),
                        "Currency": inv.currency if inv.currency != s.home_currency else ""})
            rows.append([row[c] for c in QBO_COLUMNS])
    return rows


def split_invoices(invoices: Sequence[Invoice], per_file: int = XERO_MAX_INVOICES) -> list[list[Invoice]]:
    """Chunks of at most `per_file` invoices; an invoice's lines never straddle two files."""
    return [list(invoices[i:i + per_file]) for i in range(0, len(invoices), per_file)] or [[]]


def export_paths(out: str | os.PathLike, parts: int) -> list[Path]:
    """FILE.csv when one file is enough, else FILE-1.csv, FILE-2.csv, ..."""
    path = Path(out)
    if parts <= 1:
        return [path]
    return [path.with_name(f"{path.stem}-{n}{path.suffix or '.csv'}") for n in range(1, parts + 1)]


def export_contents(fmt_name: str, result: PricingResult, pricebook: PriceBook, *,
                    invoice_date: dt.date | None = None, date_format: str | None = None,
                    per_file: int = XERO_MAX_INVOICES) -> list[str]:
    """The import file(s) as text: Xero split into files of `per_file` invoices, QBO one file."""
    if fmt_name == "xero":
        return [_csv(xero_rows(result, pricebook, chunk, invoice_date, date_format or "dmy"))
                for chunk in split_invoices(result.invoices, per_file)]
    if fmt_name == "qbo":
        return [_csv(qbo_rows(result, pricebook, invoice_date, date_format or "mdy"))]
    raise OutputError(f"--to: expected xero or qbo, found {fmt_name!r}")


def write_export(fmt_name: str, result: PricingResult, pricebook: PriceBook, out: str | os.PathLike, *,
                 invoice_date: dt.date | None = None, date_format: str | None = None, force: bool = False,
                 inputs: Sequence[str | os.PathLike] = (), per_file: int = XERO_MAX_INVOICES) -> list[Path]:
    """Write the Xero or QBO import file(s) atomically; returns the paths written.
    Every target is checked (not an input, not existing unless force) before any is written."""
    contents = export_contents(fmt_name, result, pricebook, invoice_date=invoice_date, date_format=date_format,
                               per_file=per_file)
    paths = export_paths(out, len(contents)) if fmt_name == "xero" else [Path(out)]
    for p in paths:
        check_output(p, inputs=inputs, force=force)
    for p, text in zip(paths, contents):
        atomic_write_text(p, text, overwrite=force)
    return paths


__all__ = ["lines_csv", "write_export", "export_contents", "xero_rows", "qbo_rows", "split_invoices", "export_paths", "XERO_COLUMNS",
           "QBO_COLUMNS", "LINES_COLUMNS", "import_quantity_price", "default_invoice_date"]
