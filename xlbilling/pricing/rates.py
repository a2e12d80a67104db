"""Which price-book Rates row prices a vendor item: the lookups every pricing
unit and the exports share.  Pure (no file access)."""
from __future__ import annotations

from typing import Callable

from xlbilling.core.records import FORMER_VENDOR_KEYS, InvoiceLine
from xlbilling.core.rules import x360recover as x360_rules
from xlbilling.pricing.model import ANY, PriceBook, Rate

Score = tuple[int, int, int, int]


def _best_rate(pricebook: PriceBook, vendor: str, item: str, tier: str, customer: str,
               wanted: Callable[[Rate], bool]) -> tuple[Score, Rate] | None:
    """The most specific wanted row (_scan), memoised per price book for the
    module's own predicates: a month asks ~800,000 times (20,000 customers)
    and almost every customer gets the answer of the all-customers rows.  A
    customer with no customer-specific row of its own is asked as customer ''
    (rows of other customers never match it either), so the memo holds about
    vendors x items x tiers answers plus those of customers with own rows."""
    if wanted not in _MEMOISED:
        return _scan(pricebook, vendor, item, tier, customer, wanted)
    cust = customer.casefold()
    own = pricebook._index.get("rate_customers")
    if own is None:
        own = pricebook._index["rate_customers"] = {r.customer.casefold() for r in pricebook.rates if r.customer}
    key = (vendor, item, tier, cust if cust in own else "", wanted)
    memo = pricebook._index.setdefault("best_rate", {})
    try:
        return memo[key]
    except KeyError:
        found = memo[key] = _scan(pricebook, vendor, item, tier, key[3], wanted)
        return found


def _scan(pricebook: PriceBook, vendor: str, item: str, tier: str, customer: str,
          wanted: Callable[[Rate], bool]) -> tuple[Score, Rate] | None:
    """The most specific wanted row: the vendor's own row > a row under its former
    key (Hornetsecurity rows typed as altaro), then customer row > all-customers
    row, exact item > "*", exact tier > blank tier."""
    best: tuple[Score, Rate] | None = None
    vendors = (vendor, FORMER_VENDOR_KEYS.get(vendor, vendor))
    cust = customer.casefold()
    # An item keyed by a variant, e.g. Acronis storage per backend "pw_base_storage:azure",
    # falls back to the plain item's row ("pw_base_storage"), then to "*".
    plain = item.split(":", 1)[0] if ":" in item else None
    for rate in _candidates(pricebook, vendors, item, plain):
        if rate.tier and rate.tier != tier:
            continue
        if rate.customer and rate.customer.casefold() != cust:
            continue
        if not wanted(rate):
            continue
        score = (1 if rate.vendor == vendor else 0, 1 if rate.customer else 0, 2 if rate.item == item else (1 if rate.item == plain else 0),
                 1 if rate.tier else 0)
        if best is None or score > best[0]:
            best = (score, rate)
    return best


def _candidates(pricebook: PriceBook, vendors: tuple[str, ...], item: str, plain: str | None) -> list[Rate]:
    """The Rates rows of `vendors` whose item is `item`, `plain` or "*", from an
    index built once per price book (a month makes ~600,000 lookups: scanning
    every row each time was the biggest cost of pricing).  Each list keeps the
    sheet's order, and rows of different lists never tie on score (the vendor
    or the item part differs), so the first-best row is the one a full scan
    would pick."""
    index = pricebook._index.get("rates_by_vendor_item")
    if index is None:
        index = {}
        for rate in pricebook.rates:
            index.setdefault((rate.vendor, rate.item), []).append(rate)
        pricebook._index["rates_by_vendor_item"] = index
    found: list[Rate] = []
    for vendor in dict.fromkeys(vendors):        # distinct, in order
        for key in dict.fromkeys((item, ANY, plain)):   # None never matches an item
            found += index.get((vendor, key), ())
    return found


def _filled(rate: Rate) -> bool:
    return rate.unit_price is not None or bool(rate.rule) or rate.distributor_discount is not None


def _has_price(rate: Rate) -> bool:
    return rate.unit_price is not None


def _has_rule(rate: Rate) -> bool:
    return bool(rate.rule) or rate.distributor_discount is not None


def _has_cost(rate: Rate) -> bool:
    return rate.cost_per_unit is not None


_MEMOISED = frozenset({_filled, _has_price, _has_rule, _has_cost})


def find_rate(pricebook: PriceBook, vendor: str, item: str, tier: str = "", customer: str = "") -> Rate | None:
    """The Rates row for a vendor item: a customer-specific row wins over an
    all-customers row, then an exact item over "*", then an exact tier over a
    blank tier.  Rows with nothing filled in (price, rule, discount) are ignored,
    so a row left blank by `pricebook init` reads as "no rate"."""
    best = _best_rate(pricebook, vendor, item, tier, customer, _filled)
    return best[1] if best else None


def find_cost_row(pricebook: PriceBook, vendor: str, item: str, tier: str = "", customer: str = "") -> Rate | None:
    """The most specific Rates row stating a Vendor cost per unit.  A row may give
    only the cost (the report states the sell price, as Hornetsecurity's does):
    find_rate ignores such a row, but the line's cost must not read "unknown"."""
    best = _best_rate(pricebook, vendor, item, tier, customer, _has_cost)
    return best[1] if best else None


def find_price_and_rule(pricebook: PriceBook, vendor: str, item: str, tier: str = "",
                        customer: str = "") -> tuple[Rate | None, Rate | None]:
    """(row giving the unit price, row giving the pricing rule / discount).

    A row with a Pricing rule but no Unit price (e.g. vendor acronis, item *,
    customer X, margin 0.3) reprices the item's sell price: the report's own
    (Acronis distributor export) or the list price of the best row that has a
    Unit price.  It applies unless the price row is more specific and has no rule."""
    price = _best_rate(pricebook, vendor, item, tier, customer, _has_price)
    rule = _best_rate(pricebook, vendor, item, tier, customer, _has_rule)
    if price is not None and _has_rule(price[1]):
        return price[1], price[1]
    if rule is not None and (price is None or rule[0] >= price[0]):
        return (price[1] if price else None), rule[1]
    return (price[1] if price else None), None


def item_code(pricebook: PriceBook, line: InvoiceLine) -> str:
    """The accounting item code for a line (exports): the matching Rates row's
    code, the commitment-fee code from Settings, else ''."""
    if line.kind == "commitment_fee":
        return pricebook.settings.commitment_item_code
    coded = [r for r in pricebook.rates if r.vendor in (line.vendor, FORMER_VENDOR_KEYS.get(line.vendor)) and r.item_code
             and (r.item in (line.item, ANY) or (line.item == "storage_license" and r.item.startswith("storage_license")))
             and (not r.customer or r.customer.casefold() == line.customer.casefold())]
    # the row whose description the line carries (tiers, storage sizes), else the best match
    for r in sorted(coded, key=lambda r: (not r.customer, r.item == ANY)):
        if r.description and line.description.startswith(r.description):
            return r.item_code
    tier = _tier_of(line)
    best = _best_rate(pricebook, line.vendor, line.item, tier, line.customer, lambda r: bool(r.item_code))
    return best[1].item_code if best else ""


def _tier_of(line: InvoiceLine) -> str:
    for tier in x360_rules.TIERS:
        if line.description.endswith(f"({tier})"):
            return tier
    return ""


__all__ = ["find_rate", "find_price_and_rule", "item_code"]
