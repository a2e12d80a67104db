"""Price a month: usage records (ReadResult) + price book -> invoice lines,
invoices, reconciliation and the problems finance staff must look at.

The orchestrator reads top to bottom, one step per module:

    drop duplicate reports      pricing/duplicates.py
    map accounts -> customers   pricing/mapping.py
    vendor units                pricing/vendors/<vendor>.py (one per vendor model)
    currency                    pricing/currency.py (each charge -> invoice line, rounded once)
    commitments                 pricing/commitments.py
    invoices, reconciliation    pricing/invoices.py

Pure: no file, workbook or pandas access (tests/test_pricing_purity.py).  It
names no vendor: units are looked up in pricing/vendors by vendor key.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Sequence

from xlbilling.core.rules import x360recover as x360_rules
from xlbilling.gc_pause import gc_paused
from xlbilling.pricing.charges import Charge, MappedUsage
from xlbilling.pricing.commitments import apply_commitments
from xlbilling.pricing.currency import to_invoice_lines
from xlbilling.pricing.duplicates import drop_duplicates, find_duplicate_reports
from xlbilling.pricing.invoices import billed_nothing, build_invoices, cost_problems, order_lines, reconcile
from xlbilling.pricing.mapping import map_accounts
from xlbilling.pricing.model import PoolRow, PriceBook, PricingResult, Problem
from xlbilling.pricing.rates import find_price_and_rule, find_rate, item_code
from xlbilling.pricing.vendors import UNITS, VENDOR_LABELS, item_labels
from xlbilling.pricing.vendors.x360recover import storage_rate

Progress = Callable[[str, int, int], None]

ITEM_LABELS = item_labels()   # default invoice descriptions (a Rates row's Description wins)


@gc_paused
def price_month(reads: Sequence, pricebook: PriceBook, month: dt.date,
                progress: Progress | None = None) -> PricingResult:
    """Price every record of `reads` (ReadResult-shaped: file, sha256, vendor,
    report_type, records, skipped, warnings) with `pricebook` for `month`.

    `progress(step, done, total)` is called as work advances (optional)."""
    month = x360_rules.month_bounds(month)[0]
    reads, problems = drop_duplicates(reads)
    mapped = map_accounts(reads, pricebook, progress)
    problems += mapped.problems
    charges, pool, pool_rows = _run_units(mapped.usage, pricebook, month, problems)
    del mapped          # (one MappedRecord per record: freed before the lines are made)
    lines, fx_problems = to_invoice_lines(charges, pricebook)
    del charges         # the lines carry what the workbook shows; the charges' memory is reused
    lines, commit_problems = apply_commitments(lines, pricebook)
    problems += fx_problems + commit_problems
    invoices = build_invoices(order_lines(lines), pricebook, month)
    problems += billed_nothing(invoices, pricebook, month)
    ordered = tuple(ln for inv in invoices for ln in inv.lines)
    recon = reconcile(ordered)
    problems += cost_problems(recon)
    return PricingResult(month=month, lines=ordered, invoices=tuple(invoices), problems=tuple(problems),
                         reconciliation=tuple(recon), pool=tuple(pool), pool_rows=tuple(pool_rows))


def _run_units(usage: dict[str, MappedUsage], pricebook: PriceBook, month: dt.date,
               problems: list[Problem]) -> tuple[list[Charge], list[str], list[PoolRow]]:
    """Every registered unit prices its vendor's usage (an empty usage too: a unit
    may bill from the price book alone, e.g. a Licenses sheet)."""
    charges: list[Charge] = []
    pool: list[str] = []
    pool_rows: list[PoolRow] = []
    for vendor, unit in UNITS.items():
        result = unit.price(usage.get(vendor) or MappedUsage(vendor), pricebook, month)
        charges += result.charges
        problems += result.problems
        pool += result.pool
        pool_rows += result.pool_rows
    for vendor in sorted(set(usage) - set(UNITS)):
        problems.append(Problem("no_pricing_unit", vendor=vendor,
                                message=f"usage of vendor {vendor!r} was read but xlbilling has no pricing for"
                                        " it: not invoiced"))
    return charges, pool, pool_rows


__all__ = ["price_month", "find_rate", "item_code", "find_duplicate_reports", "ITEM_LABELS", "VENDOR_LABELS",
           "find_price_and_rule", "storage_rate"]
