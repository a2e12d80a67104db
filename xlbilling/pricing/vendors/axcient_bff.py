"""Axcient Backup for Files (seeds/000): storage GB on the customer's basis
(uncompressed / compressed / per account, Basic plans always uncompressed),
local servers and workstations, archived mailboxes, priced from the Rates sheet."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xlbilling.core.records import UsageRecord
from xlbilling.core.rules import axcient_bff as bff_rules
from xlbilling.pricing.charges import (MappedUsage, UnitResult, group_records, overlapping_reports,
                                       plain_quantity, price_groups)
from xlbilling.pricing.model import PriceBook

VENDOR = "axcient-bff"
LABEL = "Axcient BFF"
LABELS = {
    "online_gb": "Online backup storage",
    "local_gb": "Local backup storage",
    "local_servers": "Local backup, servers",
    "local_workstations": "Local backup, workstations",
    "archive_mailboxes": "Email archiving mailboxes",
}
STORAGE_ITEMS = {"online_gb": "", "local_gb": "local_"}   # item -> details key prefix


def price(usage: MappedUsage, pricebook: PriceBook, month: dt.date) -> UnitResult:
    out = UnitResult()
    overlapping_reports(usage, out)

    def quantity_of(rec: UsageRecord, customer: str) -> tuple[Decimal, str]:
        return billable_quantity(rec, customer, pricebook)

    price_groups(pricebook, group_records(usage.records, quantity_of), out, LABELS)
    return out


def reader_options(pricebook: PriceBook) -> dict:
    """The reader re-applies each customer's own basis to its accounts."""
    by_account = {}
    for acct in pricebook.accounts:
        if acct.vendor == VENDOR and acct.customer:
            c = pricebook.customer(acct.customer)
            if c is not None and c.basis:
                by_account[acct.account] = c.basis
    return {"basis_by_account": by_account}


def billable_quantity(rec: UsageRecord, customer: str, pricebook: PriceBook) -> tuple[Decimal, str]:
    """The billable quantity of one record, re-applying the customer's basis
    (seeds/000) from the record's details when the reader kept them."""
    prefix = STORAGE_ITEMS.get(rec.item)
    if prefix is None:
        return plain_quantity(rec, customer)
    qty, part = _basis_quantity(rec, customer, pricebook, prefix)
    if prefix and (rec.details or {}).get("local_backup_is_billable") == "0":
        # BILLING_RULES 1 Decision: local GB of an account whose LocalBackupIsBillable
        # is 0 follows the Settings choice (default: not billed, as the flag says)
        if pricebook.settings.bff_local_gb_when_not_billable != "billed":
            return Decimal(0), f"{part}; LocalBackupIsBillable 0: not billed (Settings)"
        return qty, f"{part}; LocalBackupIsBillable 0: billed (Settings)"
    return qty, part


def _basis_quantity(rec: UsageRecord, customer: str, pricebook: PriceBook, prefix: str) -> tuple[Decimal, str]:
    d = rec.details or {}
    unc, comp = d.get(f"{prefix}uncompressed_gb"), d.get(f"{prefix}compressed_gb")
    if unc in (None, "") or comp in (None, ""):
        return plain_quantity(rec, customer)
    c = pricebook.customer(customer)
    basis = (c.basis if c and c.basis else "") or pricebook.settings.default_basis
    # seeds/000: uncompressed / compressed / per account; Basic plans always uncompressed
    r = bff_rules.billable_gb(unc, comp, d.get("can_view_compressed", 0), basis, d.get("plan", ""))
    return r.value, f"{rec.account}: {r.working}"
