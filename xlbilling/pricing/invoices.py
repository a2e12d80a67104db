"""The last steps of a month: lines ordered as an invoice reads, one invoice per
customer (total = sum of rounded lines), customers billed nothing, and the
cost / billed / margin reconciliation.  Pure (no file access)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Sequence

from xlbilling.core.records import InvoiceLine
from xlbilling.pricing.model import Invoice, PriceBook, Problem, ReconRow


def order_lines(lines: Iterable[InvoiceLine]) -> list[InvoiceLine]:
    """As a person reads an invoice: per customer, vendor by vendor (by name), each
    vendor's services in their unit's order, its commitment fee last."""
    from xlbilling.pricing.vendors import service_order

    return sorted(lines, key=lambda ln: (ln.customer.casefold(), ln.customer, service_order(ln.vendor, "")[0],
                                         ln.vendor, ln.kind == "commitment_fee", service_order(ln.vendor, ln.item)[1],
                                         ln.item, ln.description))


def build_invoices(lines: Sequence[InvoiceLine], pricebook: PriceBook, month: dt.date) -> list[Invoice]:
    """One invoice per customer.  Numbers here are provisional, the sequence from
    Settings 'Invoice number start' in customer-name order; the run (pricing/run.py)
    replaces them with the ledger's numbers, which never move (xlbilling/core/numbering.py)."""
    from xlbilling.core.numbering import format_number

    s = pricebook.settings
    by_customer: dict[str, list[InvoiceLine]] = defaultdict(list)
    for ln in lines:
        by_customer[ln.customer].append(ln)
    out: list[Invoice] = []
    for n, customer in enumerate(sorted(by_customer, key=lambda c: (c.casefold(), c)), 1):
        mine = by_customer[customer]
        currency = mine[0].currency
        total = sum((ln.amount for ln in mine), Decimal(0))  # totals are sums of rounded lines
        # the Summary's "converted from" note: only when the whole invoice was
        # converted, every line at one rate
        rates = {ln.fx_rate for ln in mine}
        fx = next(iter(rates)) if len(rates) == 1 else None
        primary = None
        if fx is not None:
            primaries = {f for f, t, r in pricebook.exchange_rates if t == currency and r == fx}
            primary = next(iter(primaries)) if len(primaries) == 1 else None
        out.append(Invoice(customer=customer, currency=currency, lines=tuple(mine), total=total,
                           invoice_number=format_number(s.invoice_number_format, s.invoice_number_start + n - 1,
                                                        prefix=s.invoice_prefix, month=month),
                           fx_rate=fx, primary_currency=primary))
    return out


def billed_nothing(invoices: Sequence[Invoice], pricebook: PriceBook, month: dt.date) -> list[Problem]:
    billed = {inv.customer.casefold() for inv in invoices if any(ln.amount for ln in inv.lines)}
    return [Problem("billed_nothing", customer=c.name,
                    message=f"customer {c.name!r} is in the price book but is billed nothing for {month:%Y-%m}:"
                            " check its accounts are mapped and its reports given")
            for c in pricebook.customers if c.name.casefold() not in billed]


def reconcile(lines: Iterable[InvoiceLine]) -> list[ReconRow]:
    """Cost, billed and margin per customer, vendor and currency.  A line whose
    vendor cost the price book does not give makes the row's cost and margin
    unknown (None: blank, counted in lines_without_cost), never cost 0 and
    margin 100%."""
    acc: dict[tuple[str, str, str], list[InvoiceLine]] = defaultdict(list)
    for ln in lines:
        acc[(ln.customer, ln.vendor, ln.currency)].append(ln)
    out = []
    for (customer, vendor, currency), lns in acc.items():
        billed = sum((ln.amount for ln in lns), Decimal(0))
        # a commitment fee has no vendor cost of its own: it is pure margin
        missing = sum(1 for ln in lns if ln.cost_amount is None and ln.kind != "commitment_fee")
        cost = margin = pct = None
        if not missing:
            cost = sum((ln.cost_amount for ln in lns if ln.cost_amount is not None), Decimal(0))
            margin = billed - cost
            pct = (margin / billed).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if billed else None
        out.append(ReconRow(customer, vendor, currency, cost, billed, margin, pct, missing))
    return out


def cost_problems(recon: Iterable[ReconRow]) -> list[Problem]:
    """Flag every reconciliation row whose cost is unknown."""
    return [Problem("cost_unknown", r.vendor, "", r.customer,
                    f"{r.lines_without_cost} {r.vendor} line(s) of {r.customer!r} ({r.currency}) have no vendor cost"
                    " in the price book, so the cost and margin are shown as unknown: fill Vendor cost per unit on"
                    " the Rates sheet (or the distributor discount) to see the margin")
            for r in recon if r.lines_without_cost]


__all__ = ["order_lines", "build_invoices", "billed_nothing", "reconcile", "cost_problems"]
