"""Minimum commitments (seeds/001): per customer and vendor, in the invoice
currency; when the month's (rounded) usage is below the commitment one fee line
makes up the difference.  Pure (no file access)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Sequence

from xlbilling.core.records import InvoiceLine, Source
from xlbilling.core.rules import acronis as acronis_rules
from xlbilling.core.rules.common import convert_currency
from xlbilling.pricing.currency import invoice_currency
from xlbilling.pricing.model import Commitment, PriceBook, Problem


def apply_commitments(lines: Sequence[InvoiceLine], pricebook: PriceBook) -> tuple[list[InvoiceLine], list[Problem]]:
    """The lines plus a fee line per commitment not reached."""
    by_key: dict[tuple[str, str], list[InvoiceLine]] = defaultdict(list)
    for ln in lines:
        by_key[(ln.customer.casefold(), ln.vendor)].append(ln)
    problems: list[Problem] = []
    for com in pricebook.commitments:
        key = (com.customer.casefold(), com.vendor)
        applied = _apply_one(com, by_key.get(key, []), pricebook, problems)
        if applied is not None:
            by_key[key] = applied
    return [ln for group in by_key.values() for ln in group], problems


def _apply_one(com: Commitment, mine: list[InvoiceLine], pricebook: PriceBook,
               problems: list[Problem]) -> list[InvoiceLine] | None:
    inv_ccy = invoice_currency(pricebook, com.customer)
    amount, note, fx = com.amount, "", None
    if com.currency != inv_ccy:
        fx = pricebook.fx_rate(com.currency, inv_ccy)
        if fx is None:
            problems.append(Problem(
                "no_exchange_rate", com.vendor, "", com.customer,
                f"minimum commitment of {com.customer!r} for {com.vendor} is in {com.currency}, the invoice in"
                f" {inv_ccy}, and ExchangeRates has no {com.currency} -> {inv_ccy} rate: add one; commitment not"
                " applied"))
            return None
        conv = convert_currency(com.amount, fx, inv_ccy, from_currency=com.currency)
        amount, note = conv.value, f" (commitment {conv.working})"
    known = pricebook.customer(com.customer)
    customer = known.name if known else com.customer
    applied = acronis_rules.apply_commitment(mine, amount, customer=customer, currency=inv_ccy, vendor=com.vendor)
    if len(applied) > len(mine):
        fee = applied[-1]
        row_source = (Source(pricebook.path, "Commitments", (com.row,)),)
        if note:
            applied[-1] = replace(fee, working=fee.working + note, sources=fee.sources or row_source, fx_rate=fx)
        elif not fee.sources:
            applied[-1] = replace(fee, sources=row_source)
    return applied


__all__ = ["apply_commitments"]
