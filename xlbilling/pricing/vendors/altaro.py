"""Altaro / Hornetsecurity 365 Total Backup itemised report (seeds/003): the
reader counts distinct users per customer; priced per user from the Rates sheet."""
from __future__ import annotations

import datetime as dt

from xlbilling.pricing.charges import MappedUsage, UnitResult, group_records, overlapping_reports, price_groups
from xlbilling.pricing.model import PriceBook

VENDOR = "altaro"
LABEL = "Altaro 365"
LABELS = {"m365_users": "Microsoft 365 backup users"}


def price(usage: MappedUsage, pricebook: PriceBook, month: dt.date) -> UnitResult:
    out = UnitResult()
    overlapping_reports(usage, out)
    price_groups(pricebook, group_records(usage.records), out, LABELS)
    return out
