"""Start a price book from a month's reports (`xlbilling pricebook init`):
every vendor account listed in Accounts (customer pre-filled with the vendor's
own label, Reviewed = no), every item seen listed in Rates with the price left
blank to fill, Customers derived from the labels."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Sequence

from xlbilling.pricing.engine import ITEM_LABELS
from xlbilling.pricing.pricebook_template import write_pricebook
from xlbilling.pricing.run import check_distinct_files


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
                accounts[key] = [rec.vendor, rec.account, label, label, "no", None, f"from {read.file}"]
            customers.setdefault(label.casefold(), label)
            item = rec.item
            if rec.item == "storage_license" and (rec.details or {}).get("size"):
                item = f"storage_license:{rec.details['size']}"
            unit = "license" if rec.item == "storage_license" else rec.unit
            tier = rec.tier if rec.item.startswith("endpoint_") else ""
            note = ""
            if rec.vendor_amount is not None:
                note = " (report states the sell price: leave Unit price blank; set a Pricing rule to reprice)"
            items.setdefault((rec.vendor, item, tier),
                             (rec.vendor, item, tier, None, unit, None, rec.vendor_currency or home_currency, None,
                              None, None, None, ITEM_LABELS.get(rec.item, rec.item) + note, None))
        for sk in getattr(read, "skipped", ()) or ():
            key = (read.vendor, sk.account)
            if sk.account and key not in accounts:
                label = sk.customer or sk.account
                accounts[key] = [read.vendor, sk.account, label, label, "no", None,
                                 f"from {read.file}: {sk.reason}"]
                customers.setdefault(label.casefold(), label)
    return {
        "customers": [(name, home_currency, None, None) for name in sorted(customers.values(), key=str.casefold)],
        "accounts": [tuple(a) for a in sorted(accounts.values(), key=lambda a: (a[0], a[2].casefold(), a[1]))],
        "rates": sorted(items.values(), key=lambda r: (r[0], r[1], r[2])),
    }


def init_pricebook(report_paths: Sequence[str | os.PathLike], out: str | os.PathLike, *,
                   month: dt.date | None = None, home_currency: str = "USD", force: bool = False) -> tuple[Path, dict]:
    from xlbilling.outputs import check_output
    from xlbilling.readers import read_report

    inputs = [os.fspath(p) for p in report_paths]
    check_output(out, inputs=inputs, force=force)
    check_distinct_files(inputs)
    reads = [read_report(p, month=month) for p in inputs]
    rows = pricebook_rows(reads, home_currency)
    path = write_pricebook(out, force=force, inputs=inputs, settings={"Home currency": home_currency}, **rows)
    return path, rows
