"""The records that flow through xlbilling: where a number came from, the
normalised usage record every reader yields, and the invoice line every
pricing rule ends in.  Frozen, so a record read is the record billed.

report -> UsageRecord -> (pricing rules) -> InvoiceLine -> workbook / CSV
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Mapping, Sequence

# FORMATS.md "Normalised usage record": vendor keys.
VENDORS = ("axcient-bff", "x360recover", "acronis", "altaro", "hornetsecurity")

# vendor key -> the key its price-book rows were typed under before it had its own
# (Hornetsecurity license lines were vendor altaro until 2026-12): such rows still
# apply, with a problem asking to retype them.
FORMER_VENDOR_KEYS = {"hornetsecurity": "altaro"}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a figure came from: file, sheet and 1-based row numbers as a
    spreadsheet shows them (header = row 1).  Several rows when a record sums
    rows (Acronis infras, Altaro users): a tuple, or for big roll-ups the
    readers' RowNumbers (one array; equal to the tuple of its numbers)."""

    file: str
    sheet: str | None = None
    rows: Sequence[int] = ()

    def __str__(self) -> str:
        text = self.file
        if self.sheet:
            text += f"!{self.sheet}"
        if self.rows:
            text += " row" + ("s " if len(self.rows) > 1 else " ") + _compress_rows(self.rows)
        return text


def _compress_rows(rows: Sequence[int]) -> str:
    """(2,3,4,7) -> '2-4,7': keeps traces of big roll-ups readable."""
    ranges_text = getattr(rows, "ranges_text", None)
    if ranges_text is not None:
        return ranges_text()  # readers' RowNumbers: computed on its array, no million ints built
    parts: list[str] = []
    ordered = sorted(set(rows))
    start = prev = ordered[0]
    for r in ordered[1:]:
        if r == prev + 1:
            prev = r
            continue
        parts.append(f"{start}-{prev}" if prev != start else f"{start}")
        start = prev = r
    parts.append(f"{start}-{prev}" if prev != start else f"{start}")
    return ",".join(parts)


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """One account's quantity of one billable item, exact, with its source.

    FORMATS.md: vendor, account, customer, item, quantity, unit.  `tier` is the
    x360Recover endpoint tier (bundled / self-hosted / cloud-only), blank
    elsewhere.  `vendor_amount`/`vendor_currency` carry a price the report
    itself states (Acronis Estimated Cost, Hornetsecurity Customer Total),
    unrounded.  `details` holds reader-specific facts kept for the working
    (e.g. tenant kind, plan, first/last day of a license) as strings.
    """

    vendor: str
    account: str
    customer: str
    item: str
    quantity: Decimal
    unit: str
    source: Source
    tier: str = ""
    vendor_amount: Decimal | None = None
    vendor_currency: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One line of a customer invoice.

    `amount` is rounded once to the currency's minor unit (BILLING_RULES.md
    "Money"); `quantity` and `unit_price` are unrounded.  `working` is the
    breakdown a finance user reads to check the figure; `sources` trace it to
    the vendor rows.  `kind` is 'usage', 'commitment_fee' or 'adjustment'.
    `cost_amount` is what the vendor/distributor charges us for the line (for
    the margin reconciliation), `fx_rate` the exchange rate applied, if any.
    """

    customer: str
    vendor: str
    item: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    currency: str
    sources: tuple[Source, ...] = ()
    working: str = ""
    kind: str = "usage"
    cost_amount: Decimal | None = None
    fx_rate: Decimal | None = None

    @property
    def source_text(self) -> str:
        return "; ".join(str(s) for s in self.sources)


def _slot_setters(cls) -> tuple:
    return tuple(cls.__dict__[f.name].__set__ for f in fields(cls))


(_SET_VENDOR, _SET_ACCOUNT, _SET_CUSTOMER, _SET_ITEM, _SET_QUANTITY, _SET_UNIT, _SET_SOURCE, _SET_TIER,
 _SET_VENDOR_AMOUNT, _SET_VENDOR_CURRENCY, _SET_DETAILS) = _slot_setters(UsageRecord)


def usage_record(vendor: str, account: str, customer: str, item: str, quantity: Decimal, unit: str,
                 source: Source, details: Mapping[str, str]) -> UsageRecord:
    """UsageRecord(vendor, account, customer, item, quantity, unit, source, details=details)
    built twice as fast, for readers emitting tens of thousands of records.

    Why it is the same object: a frozen slots dataclass's __init__ does nothing but
    set each field, in order, with object.__setattr__ (UsageRecord has no
    __post_init__ - tests/test_records_fast.py fails if one appears); this sets the
    same slots through their descriptors, with the defaults __init__ would use
    (tier "", no stated amount or currency)."""
    r = object.__new__(UsageRecord)
    _SET_VENDOR(r, vendor)
    _SET_ACCOUNT(r, account)
    _SET_CUSTOMER(r, customer)
    _SET_ITEM(r, item)
    _SET_QUANTITY(r, quantity)
    _SET_UNIT(r, unit)
    _SET_SOURCE(r, source)
    _SET_TIER(r, "")
    _SET_VENDOR_AMOUNT(r, None)
    _SET_VENDOR_CURRENCY(r, None)
    _SET_DETAILS(r, details)
    return r
