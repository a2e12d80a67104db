"""Acronis Cyber Protect Cloud through a distributor (seeds/001, seeds/004): the
report states the sell price; a Rates rule reprices it (markup / margin on cost,
percent of sell), cost = sell x (1 - distributor discount).  Cancellations in
Acronis' invoice window are flagged."""
from __future__ import annotations

import datetime as dt

from decimal import Decimal

from xlbilling.core.records import UsageRecord
from xlbilling.core.rules import acronis as acronis_rules
from xlbilling.core.rules import x360recover as x360_rules
from xlbilling.core.rules.result import fmt
from xlbilling.pricing.charges import (MappedRecord, MappedUsage, UnitResult, group_records, overlapping_reports,
                                       plain_quantity, price_groups)
from xlbilling.pricing.model import PriceBook

VENDOR = "acronis"
LABEL = "Acronis"
# product names a customer reads (a Rates row's Description wins); listed in service order
LABELS: dict[str, str] = {
    "pw_base_workstations": "Acronis Cyber Protect, workstations",
    "pw_base_servers": "Acronis Cyber Protect, servers",
    "pw_base_vms": "Acronis Cyber Protect, virtual machines",
    "pw_base_m365_seats": "Acronis Cyber Protect, Microsoft 365 seats",
    "pw_base_storage": "Acronis Cyber Protect, backup storage",
    "dr_compute_points": "Acronis Disaster Recovery, compute points",
}


def price(usage: MappedUsage, pricebook: PriceBook, month: dt.date) -> UnitResult:
    out = UnitResult()
    _cancel_window_accounts(pricebook, month, out)
    overlapping_reports(usage, out)
    billable = [m for m in usage.records if not _partner_storage(m, out)]
    quantity_of = plain_quantity if pricebook.settings.acronis_bill_customer_trial else _without_trial
    # Storage items carry their backend ("pw_base_storage:azure"): the Rates row of that
    # key prices it, else the plain item's row (pricing/rates.py).
    # Settings "Acronis distributor discount" (seeds/001) when no Rates row gives one
    price_groups(pricebook, group_records(billable, quantity_of), out, LABELS,
                 default_discount=pricebook.settings.acronis_distributor_discount)
    return out


def _partner_storage(m: MappedRecord, out: UnitResult) -> bool:
    """Storage on partner-owned infrastructure (the reader's *_child_storages
    items, as Acronis' WHMCS module names them) is the partner's own storage:
    never on a customer invoice, listed for the partner's review."""
    rec = m.record
    if rec.details.get("partner_storage") != "1":
        return False
    out.problem("partner_storage",
                f"{fmt(rec.quantity)} {rec.unit} of {rec.item} for tenant {rec.account} ({rec.customer}) is on "
                f"infrastructure the partner owns (infra owner {rec.details.get('infra_owner_id', '?')}): the "
                f"partner's own storage, not billed to {m.customer!r}; review it against your own costs",
                vendor=rec.vendor, account=rec.account, customer=m.customer, source=str(rec.source))
    return True


def _without_trial(rec: UsageRecord, customer: str) -> tuple[Decimal, str]:
    """Settings 'Acronis bill customer trial usage' = no: a customer tenant's
    production usage only (the reader keeps it beside the total)."""
    prod = rec.details.get("production_quantity")
    if prod is None:
        return plain_quantity(rec, customer)
    qty = Decimal(prod)
    trial = rec.quantity - qty
    note = f" (total {fmt(rec.quantity)} less trial {fmt(trial)})" if trial else ""
    return qty, f"{rec.account}: {fmt(qty)} {rec.unit} production{note}"


def _cancel_window_accounts(pricebook: PriceBook, month: dt.date, out: UnitResult) -> None:
    for acct in pricebook.accounts:
        if acct.vendor == VENDOR and acct.cancelled_on and in_cancel_window(acct.cancelled_on, month):
            out.problem("cancel_window",
                        f"account {acct.account!r} was cancelled on {acct.cancelled_on}, inside Acronis' invoice"
                        " window (last day of a month to the 2nd of the next): the vendor's figures may not"
                        " match; check the Acronis invoice (Acronis: usage is invoiced from the last day of a month to the 2nd)",
                        vendor=acct.vendor, account=acct.account, customer=acct.customer,
                        source=f"{pricebook.path}!Accounts row {acct.row}")


def in_cancel_window(day: dt.date, month: dt.date) -> bool:
    """seeds/004: cancelled from the last day of the billing month to the 2nd of the next."""
    if not acronis_rules.cancel_window(day):
        return False
    start, end = x360_rules.month_bounds(month)
    return end <= day <= end + dt.timedelta(days=2) or start <= day <= start + dt.timedelta(days=1)
