"""Acronis Cyber Protect Cloud through a distributor (seeds/001, seeds/004): the
report states the sell price; a Rates rule reprices it (markup / margin on cost,
percent of sell), cost = sell x (1 - distributor discount).  Cancellations in
Acronis' invoice window are flagged."""
from __future__ import annotations

import datetime as dt

from xlbilling.core.rules import acronis as acronis_rules
from xlbilling.core.rules import x360recover as x360_rules
from xlbilling.pricing.charges import MappedUsage, UnitResult, group_records, overlapping_reports, price_groups
from xlbilling.pricing.model import PriceBook

VENDOR = "acronis"
LABEL = "Acronis"
LABELS: dict[str, str] = {}


def price(usage: MappedUsage, pricebook: PriceBook, month: dt.date) -> UnitResult:
    out = UnitResult()
    _cancel_window_accounts(pricebook, month, out)
    overlapping_reports(usage, out)
    # Settings "Acronis distributor discount" (seeds/001) when no Rates row gives one
    price_groups(pricebook, group_records(usage.records), out, LABELS,
                 default_discount=pricebook.settings.acronis_distributor_discount)
    return out


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
