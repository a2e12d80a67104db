"""Pricing: price book + usage records -> invoice lines; the price book and the engine only (files: writers/).

docs/architecture.md "Pricing API":

    load_pricebook(path) -> PriceBook                 pricing/pricebook.py (the workbook adapter, with
                                                      pricebook_sheets.py and pricebook_cells.py)
    price_month(reads, pricebook, month) -> PricingResult   pricing/engine.py (pure)
    run_month(report_paths, pricebook_path, month)    pricing/run.py (read + load + price, for build/lines/export)
"""
from __future__ import annotations

__all__ = ["load_pricebook", "price_month", "run_month"]


def __getattr__(name: str):
    # lazy, so importing the pure engine never drags the workbook adapter in
    if name == "load_pricebook":
        from xlbilling.pricing.pricebook import load_pricebook
        return load_pricebook
    if name == "price_month":
        from xlbilling.pricing.engine import price_month
        return price_month
    if name == "run_month":
        from xlbilling.pricing.run import run_month
        return run_month
    raise AttributeError(name)
