"""Start a price book from a month's reports (`xlbilling pricebook init`):
every vendor account listed in Accounts (customer pre-filled with the vendor's
own label, Reviewed = no), every item seen listed in Rates with the price left
blank to fill, Customers derived from the labels."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Sequence

from xlbilling.core.formula_text import formula_like
from xlbilling.errors import ReportError
from xlbilling.pricing.run import check_distinct_files
from xlbilling.pricing.vendors import describe_item
from xlbilling.writers.pricebook_template import write_pricebook


# A label that is only a reference (Hornetsecurity 'HS-1001', an account number, a tenant id)
# names no customer: proposing it would create a customer called 'HS-1001'.
_REFERENCE_ONLY = re.compile(r"[A-Z]{0,4}[-_#/.]?\d[\d\-_/.]*|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def review_reason(label: str, details: dict | None = None) -> str:
    """Why the vendor's label must not be proposed as a customer ('' when it can be)."""
    if formula_like(label):
        return "the vendor's name starts like a spreadsheet formula: type the customer's name"
    if (details or {}).get("tenant_kind") == "partner":
        return ("your own (partner) tenant, not a customer: leave Customer blank to keep it off the invoices (it"
                " is then listed as an account without a customer), or type the customer it is for")
    if _REFERENCE_ONLY.fullmatch(label.strip()):
        return "the vendor gives only a reference number: type the customer this account belongs to"
    return ""


def _account_row(vendor: str, account: str, label: str, note: str, details: dict | None = None) -> list:
    """An Accounts row proposing the vendor's label as the customer - except a
    label that names no customer (review_reason): that row is marked REVIEW, its
    Customer left blank to type, so the fix is made in one place (this cell)."""
    reason = review_reason(label, details)
    if reason:
        return [vendor, account, label, None, "no", None, f"REVIEW: {reason} ({note})"]
    return [vendor, account, label, label, "no", None, note]


def pricebook_rows(reads: Sequence, home_currency: str = "USD") -> dict[str, list[tuple]]:
    """The Customers / Accounts / Rates rows for the reports' accounts and items."""
    accounts: dict[tuple[str, str], list] = {}
    customers: dict[str, str] = {}
    items: dict[tuple[str, str, str], tuple] = {}
    for read in reads:
        for rec in read.records:
            key = (rec.vendor, rec.account)
            label = rec.customer or rec.account
            if key not in accounts:
                accounts[key] = _account_row(rec.vendor, rec.account, label, f"from {read.file}", rec.details)
            if accounts[key][3]:
                customers.setdefault(label.casefold(), label)
            item = rec.item
            if rec.item == "storage_license" and (rec.details or {}).get("size"):
                item = f"storage_license:{rec.details['size']}"
            unit = "license" if rec.item == "storage_license" else rec.unit
            tier = rec.tier if rec.item.startswith("endpoint_") else ""
            # the hint goes to Notes, which never reaches an invoice; Description is invoice text
            note = None
            if rec.vendor_amount is not None:
                note = "report states the sell price: leave Unit price blank; set a Pricing rule to reprice"
            items.setdefault((rec.vendor, item, tier),
                             (rec.vendor, item, tier, None, unit, None, rec.vendor_currency or home_currency, None,
                              None, None, None,
                              describe_item(rec.vendor, rec.item, (rec.details or {}).get("product", "")),
                              None, note))
        for sk in getattr(read, "skipped", ()) or ():
            key = (read.vendor, sk.account)
            if sk.account and key not in accounts:
                label = sk.customer or sk.account
                accounts[key] = _account_row(read.vendor, sk.account, label, f"from {read.file}: {sk.reason}")
                if accounts[key][3]:
                    customers.setdefault(label.casefold(), label)
    return {
        "customers": [(name, home_currency, None, None) for name in sorted(customers.values(), key=str.casefold)],
        # rows to REVIEW (no customer proposed) first, then by vendor and label
        "accounts": [tuple(a) for a in sorted(accounts.values(), key=lambda a: (a[3] is not None, a[0],
                                                                                a[2].casefold(), a[1]))],
        "rates": sorted(items.values(), key=lambda r: (r[0], r[1], r[2])),
    }


_MONTH_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])(?!\d)")
LICENSE_TABLE_READER = "x360recover-licenses"


def _period_month(period: object) -> dt.date | None:
    """The month a report's own period names (ReadResult.period where a reader
    detects one: a date, a (first, last) pair inside one month, or 'YYYY-MM')."""
    if isinstance(period, (tuple, list)) and period:
        months = {m for m in (_period_month(p) for p in period) if m}
        return months.pop() if len(months) == 1 else None
    if isinstance(period, dt.date):
        return period.replace(day=1)
    if isinstance(period, str):
        return _name_month(period)
    for attr in ("month", "start", "first_day"):
        value = getattr(period, attr, None)
        if isinstance(value, dt.date):
            return value.replace(day=1)
    return None


def _name_month(text: str) -> dt.date | None:
    found = {(int(y), int(m)) for y, m in _MONTH_IN_NAME.findall(text)}
    return dt.date(*found.pop(), 1) if len(found) == 1 else None


def stated_month(reads: Sequence, paths: Sequence[str]) -> dt.date | None:
    """The billing month the other reports state (their own period) or imply (a
    YYYY-MM every dated file name, or their folder's name, agrees on); None when
    they disagree or say nothing."""
    months = {m for m in (_period_month(getattr(r, "period", None)) for r in reads) if m}
    if not months:
        months = {m for m in (_name_month(Path(p).name) for p in paths) if m}
    if not months:
        months = {m for m in (_name_month(Path(p).resolve().parent.name) for p in paths) if m}
    return months.pop() if len(months) == 1 else None


def read_for_init(inputs: Sequence[str], month: dt.date | None) -> tuple[list, dt.date | None]:
    """Read every report; a license-assignment table (billed for one month) takes
    --month or, without it, the month the other reports state or imply."""
    from xlbilling.readers import identify, read_report

    reads: dict[str, object] = {}
    deferred = []
    for p in inputs:
        if month is None and identify(p).reader == LICENSE_TABLE_READER:
            deferred.append(p)
        else:
            reads[p] = read_report(p, month=month)
    if deferred:
        month = stated_month(list(reads.values()), inputs)
        if month is None:
            names = ", ".join(Path(p).name for p in deferred)
            raise ReportError(f"{names}: an x360Recover license-assignment table lists the licenses of one month,"
                              " and no other report names that month: add --month YYYY-MM (for example"
                              " --month 2026-10)")
        for p in deferred:
            reads[p] = read_report(p, month=month)
    return [reads[p] for p in inputs], month


def init_pricebook(report_paths: Sequence[str | os.PathLike], out: str | os.PathLike, *,
                   month: dt.date | None = None, home_currency: str = "USD", force: bool = False) -> tuple[Path, dict]:
    """Write a new price book listing every account and item of the reports.
    The rows are also returned, with rows["month"] the month the license tables
    were read for (given, stated by the reports, or None when none was needed)."""
    from xlbilling.files.publish import check_output

    inputs = [os.fspath(p) for p in report_paths]
    check_output(out, inputs=inputs, force=force)
    check_distinct_files(inputs)
    reads, month = read_for_init(inputs, month)
    rows = pricebook_rows(reads, home_currency)
    path = write_pricebook(out, force=force, inputs=inputs, settings={"Home currency": home_currency}, **rows)
    rows["month"] = month
    return path, rows
