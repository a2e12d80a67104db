"""Invoice currency: each Charge becomes an InvoiceLine in its customer's
invoice currency, rounded once (BILLING_RULES "Money").  A price in another
currency converts through the price book's ExchangeRates (seeds/001:
amount_in_target = amount_in_primary x rate) and the line records the rate.
Pure (no file access)."""
from __future__ import annotations

from typing import Sequence

from xlbilling.core.money import minor_units, round_money
from xlbilling.core.records import InvoiceLine
from xlbilling.core.rules.common import convert_currency
from xlbilling.core.rules.result import fmt
from xlbilling.pricing.charges import Charge
from xlbilling.pricing.model import PriceBook, Problem


def invoice_currency(pricebook: PriceBook, customer: str) -> str:
    c = pricebook.customer(customer)
    return c.currency if c and c.currency else pricebook.settings.home_currency


def to_invoice_lines(charges: Sequence[Charge], pricebook: PriceBook) -> tuple[list[InvoiceLine], list[Problem]]:
    """Every charge in its invoice currency; a charge with no exchange rate to it
    is a problem and is not invoiced."""
    lines: list[InvoiceLine] = []
    problems: list[Problem] = []
    for ch in charges:
        line = to_invoice_line(ch, pricebook)
        if isinstance(line, Problem):
            problems.append(line)
        else:
            lines.append(line)
    return lines, problems


def to_invoice_line(ch: Charge, pricebook: PriceBook) -> InvoiceLine | Problem:
    inv_ccy = invoice_currency(pricebook, ch.customer)
    exact = ch.exact
    if ch.currency == inv_ccy:
        fx = None
        amount = round_money(exact, inv_ccy)
        price_text = (f"{fmt(ch.quantity)} {ch.unit} x {ch.currency} {fmt(ch.unit_price)} = {fmt(exact)}"
                      f" -> {inv_ccy} {amount} (rounded to {minor_units(inv_ccy)} decimals)")
        unit_price = ch.unit_price
    else:
        fx = pricebook.fx_rate(ch.currency, inv_ccy)
        if fx is None:
            return Problem("no_exchange_rate", ch.vendor, ch.account, ch.customer,
                           f"{ch.customer!r} is invoiced in {inv_ccy} but the {ch.vendor} {ch.item} price is in"
                           f" {ch.currency}, and the price book's ExchangeRates sheet has no {ch.currency} ->"
                           f" {inv_ccy} rate: add one (up to 5 decimals); this line was not invoiced",
                           "; ".join(str(s) for s in ch.sources))
        # seeds/001: convert with the recorded rate, rounding once in the target currency
        conv = convert_currency(exact, fx, inv_ccy, from_currency=ch.currency)
        amount = conv.value
        unit_price = ch.unit_price * fx
        price_text = f"{fmt(ch.quantity)} {ch.unit} x {ch.currency} {fmt(ch.unit_price)} = {fmt(exact)}; {conv.working}"
    cost = None
    if ch.cost_per_unit is not None:
        cost = round_money(ch.quantity * ch.cost_per_unit * (fx if fx is not None else 1), inv_ccy)
    return InvoiceLine(customer=ch.customer, vendor=ch.vendor, item=ch.item, description=ch.description,
                       quantity=ch.quantity, unit=ch.unit, unit_price=unit_price, amount=amount,
                       currency=inv_ccy, sources=ch.sources,
                       working=f"{ch.working}; {price_text}" if ch.working else price_text,
                       cost_amount=cost, fx_rate=fx)


__all__ = ["to_invoice_lines", "to_invoice_line", "invoice_currency"]
