"""Hornetsecurity license report (FORMATS.md): one record per license line with
the vendor's own price (Customer Total), which stands unless a Rates rule
reprices it."""
from __future__ import annotations

import datetime as dt

from xlbilling.pricing.charges import MappedUsage, UnitResult, group_records, overlapping_reports, price_groups
from xlbilling.pricing.model import PriceBook

VENDOR = "hornetsecurity"
LABEL = "Hornetsecurity"
LABELS: dict[str, str] = {}


def price(usage: MappedUsage, pricebook: PriceBook, month: dt.date) -> UnitResult:
    out = UnitResult()
    overlapping_reports(usage, out)
    price_groups(pricebook, group_records(usage.records), out, LABELS)
    return out
