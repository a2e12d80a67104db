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


__all__ = ["UNITS", "VENDOR_LABELS", "vendor_label", "vendor_key", "unit_for", "item_labels", "reader_options", "service_order", "describe_item"]
