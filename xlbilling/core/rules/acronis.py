"""Acronis Cyber Protect Cloud rules: distributor pricing and minimum commitment
(seeds/001, BILLING_RULES.md 3) and usage-report quantities (seeds/004, FORMATS.md)."""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from xlbilling.core.money import D, normalise_currency, round_money, to_date
from xlbilling.core.records import InvoiceLine, Source
from xlbilling.core.rules.common import non_negative
from xlbilling.core.rules.result import Result, fmt
from xlbilling.errors import CurrencyMismatchError, RuleInputError, show_value

# seeds/001: the price-list rules a distributor may apply, with a percentage p.
PRICE_RULES = ("markup", "margin", "sell")
# seeds/001: currencies Acronis prices exist in; others are reached by a rate.
PRIMARY_CURRENCIES = ("EUR", "USD", "AUD", "GBP", "JPY", "CAD")
COMMITMENT_FEE_DESCRIPTION = "Minimum Commitment Amount Fee"  # seeds/001, verbatim

BYTES_PER_GB = Decimal(1024) ** 3   # seeds/004: Acronis' "GB" is 1024^3 bytes
SECONDS_PER_POINT = Decimal(3600)   # FORMATS.md: compute points are seconds / 3600


def _fraction(value: object, what: str) -> Decimal:
    d = D(value, what=what)
    if d < 0:
        raise RuleInputError(f"{what}: expected a fraction >= 0 (20% = 0.2), found {show_value(value)}",
                             argument=what, value=value)
    return d


def _cost(sell_price: object, distributor_discount: object) -> tuple[Decimal, Decimal, Decimal]:
    """(sell, discount, cost): cost_price's checks and arithmetic, no text."""
    sell = non_negative(sell_price, "sell_price")
    disc = _fraction(distributor_discount, "distributor_discount")
    if disc > 1:
        raise RuleInputError(f"distributor_discount: expected a fraction from 0 to 1 (20% = 0.2), found"
                             f" {distributor_discount!r}", argument="distributor_discount", value=distributor_discount)
    return sell, disc, sell * (1 - disc)


def cost_price_value(sell_price: object, distributor_discount: object) -> Decimal:
    """cost_price without its working text (the COST_PRICE UDF's per-row path)."""
    return _cost(sell_price, distributor_discount)[2]


def cost_price(sell_price: object, distributor_discount: object) -> Result:
    """seeds/001: cost price = sell price x (1 - distributor discount); unrounded."""
    sell, disc, cost = _cost(sell_price, distributor_discount)
    return Result(cost, f"sell {fmt(sell)} x (1 - {fmt(disc)}) = cost {fmt(cost)}")


def _markup(cost: object, markup_rate: object) -> tuple[Decimal, Decimal, Decimal]:
    c = non_negative(cost, "cost")
    p = _fraction(markup_rate, "rate")
    return c, p, c * (1 + p)


def markup_on_cost(cost: object, markup_rate: object) -> Result:
    """seeds/001 'Percent Markup - Cost Price': cost x (1 + p)."""
    c, p, price = _markup(cost, markup_rate)
    return Result(price, f"cost {fmt(c)} x (1 + {fmt(p)}) = {fmt(price)}")


def _margin(cost: object, margin_rate: object) -> tuple[Decimal, Decimal, Decimal]:
    c = non_negative(cost, "cost")
    p = _fraction(margin_rate, "rate")
    if p >= 1:
        raise RuleInputError(f"rate: a margin must be below 1 (100%), found {margin_rate!r}",
                             argument="rate", value=margin_rate)
    return c, p, c / (1 - p)


def margin_on_cost(cost: object, margin_rate: object) -> Result:
    """seeds/001 'Percent Margin - Cost Price': cost / (1 - p), so that
    margin = (price - cost) / price; p must be < 1."""
    c, p, price = _margin(cost, margin_rate)
    return Result(price, f"cost {fmt(c)} / (1 - {fmt(p)}) = {fmt(price)}")


def _of_sell(sell_price: object, rate: object) -> tuple[Decimal, Decimal, Decimal]:
    s = non_negative(sell_price, "sell_price")
    p = _fraction(rate, "rate")
    return s, p, s * p


def percent_of_sell(sell_price: object, rate: object) -> Result:
    """seeds/001 'Percent of Sell Price': sell x p."""
    s, p, price = _of_sell(sell_price, rate)
    return Result(price, f"sell {fmt(s)} x {fmt(p)} = {fmt(price)}")


def normalise_rule(rule: object) -> str:
    """'' (no price list: the sell price stands) or one of PRICE_RULES."""
    text = "" if rule is None else str(rule).strip().lower()
    aliases = {"percent markup": "markup", "markup on cost": "markup", "margin on cost": "margin",
               "percent margin": "margin", "percent of sell": "sell", "percent of sell price": "sell",
               "none": ""}
    text = aliases.get(text, text)
    if text not in PRICE_RULES + ("",):
        raise RuleInputError(f"rule: expected markup, margin, sell or blank, found {rule!r}",
                             argument="rule", value=rule)
    return text


def reseller_price_value(sell_price: object, distributor_discount: object, rule: object = "",
                         rate: object = 0) -> Decimal:
    """reseller_price without its working text (the RESELLER_PRICE UDF's per-row
    path): the same checks in the same order, the same arithmetic."""
    chosen = normalise_rule(rule)
    rate_value = 0 if rate in (None, "") else rate
    disc = 0 if distributor_discount in (None, "") else distributor_discount
    if chosen == "":
        sell = non_negative(sell_price, "sell_price")
        _fraction(disc, "distributor_discount")
        return sell
    if chosen == "sell":
        return _of_sell(sell_price, rate_value)[2]
    cost = _cost(sell_price, disc)[2]
    return (_markup if chosen == "markup" else _margin)(cost, rate_value)[2]


def reseller_price(sell_price: object, distributor_discount: object, rule: object = "", rate: object = 0) -> Result:
    """seeds/001: without a price list the sell price stands; with one, the
    product is repriced by markup on cost, margin on cost or percent of sell.
    Unrounded (a unit price): rounding happens once per invoice line."""
    chosen = normalise_rule(rule)
    rate_value = 0 if rate in (None, "") else rate
    if chosen == "":
        sell = non_negative(sell_price, "sell_price")
        # Still validate the discount: a bad cell should not hide behind a blank rule.
        _fraction(0 if distributor_discount in (None, "") else distributor_discount, "distributor_discount")
        return Result(sell, f"no price list: sell price {fmt(sell)} stands")
    if chosen == "sell":
        return percent_of_sell(sell_price, rate_value)
    cost = cost_price(sell_price, 0 if distributor_discount in (None, "") else distributor_discount)
    priced = markup_on_cost(cost.value, rate_value) if chosen == "markup" else margin_on_cost(cost.value, rate_value)
    return Result(priced.value, f"{cost.working}; {chosen}: {priced.working}")


def _commitment(usage_total: object, minimum_commitment: object, currency: str) -> tuple:
    usage = D(usage_total, what="usage_total")
    commitment = non_negative(minimum_commitment, "minimum_commitment")
    code = normalise_currency(currency)
    return usage, commitment, code, round_money(max(Decimal(0), commitment - usage), code)


def commitment_fee_value(usage_total: object, minimum_commitment: object, currency: str = "USD") -> Decimal:
    """commitment_fee without its working text (the COMMITMENT_FEE UDF's per-row path)."""
    return _commitment(usage_total, minimum_commitment, currency)[3]


def commitment_fee(usage_total: object, minimum_commitment: object, currency: str = "USD") -> Result:
    """seeds/001: below the commitment the invoice adds one 'Minimum Commitment
    Amount Fee' line = commitment - usage total; at or above it, nothing."""
    usage, commitment, code, fee = _commitment(usage_total, minimum_commitment, currency)
    if fee == 0:
        return Result(fee, f"usage {fmt(usage)} >= commitment {fmt(commitment)}: no fee")
    return Result(fee, f"commitment {fmt(commitment)} - usage {fmt(usage)} = {code} {fee}")


def apply_commitment(lines: Sequence[InvoiceLine], minimum_commitment: object, *, customer: str,
                     currency: str, vendor: str = "acronis") -> list[InvoiceLine]:
    """seeds/001: the invoice lists every usage line, plus - when their (rounded)
    total is below the commitment - one fee line making up the difference.
    Lines of other currencies are an error, never silently summed."""
    code = normalise_currency(currency)
    for line in lines:
        if line.currency != code:
            raise CurrencyMismatchError(f"line {line.description!r} is in {line.currency}, commitment in {code}:"
                                        " convert it first (CONVERT_CURRENCY)")
    usage_total = sum((line.amount for line in lines), Decimal(0))
    fee = commitment_fee(usage_total, minimum_commitment, code)
    out = list(lines)
    if fee.value > 0:
        out.append(InvoiceLine(
            customer=customer, vendor=vendor, item="minimum_commitment_fee",
            description=COMMITMENT_FEE_DESCRIPTION, quantity=Decimal(1), unit="fee",
            unit_price=fee.value, amount=fee.value, currency=code,
            sources=tuple(s for line in lines for s in line.sources),
            working=fee.working, kind="commitment_fee"))
    return out


def cancel_window(day: object) -> bool:
    """seeds/004: Acronis builds invoice data from the last day of a month to the
    2nd of the next; a cancellation in that window causes mismatches (warn)."""
    d = to_date(day, what="date")
    last = calendar.monthrange(d.year, d.month)[1]
    return d.day == last or d.day <= 2


def bytes_to_gb(quantity_bytes: object) -> Decimal:
    """seeds/004: storage is reported in bytes; Acronis' GB is 1024^3 bytes. Unrounded."""
    return D(quantity_bytes, what="bytes") / BYTES_PER_GB


POINT_DECIMALS = Decimal("0.01")


def seconds_to_points(seconds: object) -> Decimal:
    """FORMATS.md: compute points come as seconds in usage.delta; points =
    s / 3600, rounded to 2 decimals as Acronis documents them (half up, i.e.
    away from zero for these non-negative figures).  Rounded once, on the
    tenant's summed seconds."""
    return (D(seconds, what="seconds") / SECONDS_PER_POINT).quantize(POINT_DECIMALS, rounding=ROUND_HALF_UP)


def billed_usage_field(tenant_kind: object) -> str:
    """FORMATS.md: bill `total` for customer tenants, `production` for partners
    (trial usage of a partner's own tenant is not billable)."""
    kind = (str(tenant_kind or "")).strip().lower()
    return "production" if kind in ("partner", "folder", "reseller") else "total"


def days_in_month(day: object) -> int:
    d: dt.date = to_date(day, what="month")
    return calendar.monthrange(d.year, d.month)[1]


# Source is re-exported for callers building lines by hand.
__all__ = [n for n in dir() if not n.startswith("_")] + ["Source"]
