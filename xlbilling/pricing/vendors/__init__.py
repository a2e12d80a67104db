"""One pricing unit per vendor model: mapped usage + price book -> charges and problems.

All of one shape (like Lago's charge models or beancount's plugins):

    price(usage: MappedUsage, pricebook: PriceBook, month: date) -> UnitResult

the mapped usage of one month + the price book -> charges (invoice lines before
the invoice currency) with their breakdown + typed problems.  Each module also
names its vendor key (VENDOR), its display name (LABEL) and default
descriptions of its items (LABELS).  The orchestrator (pricing/engine.py) looks
units up here by vendor key and never tests a vendor name itself."""
from __future__ import annotations

from types import ModuleType

from xlbilling.core.records import FORMER_VENDOR_KEYS
from xlbilling.pricing.vendors import acronis, altaro, axcient_bff, hornetsecurity, x360recover

UNITS: dict[str, ModuleType] = {m.VENDOR: m for m in (axcient_bff, x360recover, acronis, altaro, hornetsecurity)}

# vendor key -> name a person reads (workbook, exports)
VENDOR_LABELS: dict[str, str] = {v: m.LABEL for v, m in UNITS.items()}
# a workbook's Vendor cell (the label, or the key in workbooks written before labels) -> key
_KEY_OF_TEXT: dict[str, str] = {t.casefold(): v for v, label in VENDOR_LABELS.items() for t in (v, label)}


def vendor_label(vendor: str) -> str:
    """The vendor's name as a person reads it in a workbook cell ('axcient-bff'
    -> 'Axcient BFF'); text that is no vendor key is returned as given."""
    return VENDOR_LABELS.get(vendor, vendor)


def vendor_key(text: str) -> str:
    """The vendor key behind a Vendor cell read back from a workbook: its label
    or the key itself (workbooks written before labels), in any case; other
    text as given."""
    return _KEY_OF_TEXT.get(text.strip().casefold(), text)


def unit_for(vendor: str) -> ModuleType | None:
    return UNITS.get(vendor)


def reader_options(pricebook) -> dict:
    """Reader options the units derive from the price book (e.g. the Axcient BFF
    basis per account), merged: a unit may define reader_options(pricebook)."""
    out: dict = {}
    for m in UNITS.values():
        hook = getattr(m, "reader_options", None)
        if hook is not None:
            out.update(hook(pricebook))
    return out


def former_key_warnings(pricebook) -> list[str]:
    """Rates rows under a vendor's former key (FORMER_VENDOR_KEYS) whose item the
    former key's own reports never bill, so they can only price the new vendor's
    usage: Vendor altaro with a Hornetsecurity product code (the Altaro itemised
    report bills m365_users only: the altaro unit's LABELS).  They still apply;
    pricing lists the ones a month uses as former_vendor_key.  `pricebook check`
    names them all before any month is priced.  Accounts rows cannot be told
    apart without a report (an altaro account is an Altaro customer's name or a
    Hornetsecurity reference), so pricing alone names those."""
    out = []
    for vendor, old in sorted(FORMER_VENDOR_KEYS.items()):
        own = set(UNITS[old].LABELS)
        new_rows = {(r.item, r.tier, r.customer.casefold()): r.row for r in pricebook.rates if r.vendor == vendor}
        for rate in pricebook.rates:
            if rate.vendor != old or rate.item == "*" or rate.item.split(":", 1)[0] in own:
                continue
            why = (f"the item {rate.item!r} is a {vendor_label(vendor)} product ({old} reports bill only"
                   f" {', '.join(sorted(own))})")
            twin = new_rows.get((rate.item, rate.tier, rate.customer.casefold()))
            # retyping a row whose twin is already under the new key would make two rows for one item
            fix = (f"row {twin} has the same item, tier and customer under {vendor}: move into row {twin} what"
                   " this row adds, then delete this row" if twin
                   else f"set Vendor to {vendor} (meanwhile the row prices {vendor} usage where no {vendor} row"
                        " does)")
            out.append(f"sheet 'Rates', row {rate.row}, column 'Vendor': found {old!r}, expected {vendor!r}:"
                       f" {why}; {fix}")
    return out


def service_order(vendor: str, item: str) -> tuple[str, int]:
    """Where a line stands on an invoice: vendors by the name a person reads, then
    the unit's services in the order its LABELS list them (others after)."""
    unit = UNITS.get(vendor)
    items = list(unit.LABELS) if unit else []
    base = item.split(":", 1)[0]
    return (VENDOR_LABELS.get(vendor, vendor).casefold(), items.index(base) if base in items else len(items))


def describe_item(vendor: str, item: str, product: str = "") -> str:
    """The default description of an item (pricebook init): the report's product
    name, else the unit's label, else the key in words."""
    from xlbilling.pricing.charges import item_in_words

    unit = UNITS.get(vendor)
    return product or (unit.LABELS.get(item.split(":", 1)[0]) if unit else None) or item_in_words(item)


def item_labels() -> dict[str, str]:
    """Every unit's default item descriptions (item key -> text)."""
    out: dict[str, str] = {}
    for m in UNITS.values():
        for item, text in m.LABELS.items():
            out.setdefault(item, text)
    return out


__all__ = ["UNITS", "VENDOR_LABELS", "vendor_label", "vendor_key", "former_key_warnings", "unit_for", "item_labels", "reader_options", "service_order", "describe_item"]
