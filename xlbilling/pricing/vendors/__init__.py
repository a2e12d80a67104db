"""One pricing unit per vendor model, all of one shape (like Lago's charge
models or beancount's plugins):

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


def item_labels() -> dict[str, str]:
    """Every unit's default item descriptions (item key -> text)."""
    out: dict[str, str] = {}
    for m in UNITS.values():
        for item, text in m.LABELS.items():
            out.setdefault(item, text)
    return out


__all__ = ["UNITS", "VENDOR_LABELS", "unit_for", "item_labels", "reader_options"]
