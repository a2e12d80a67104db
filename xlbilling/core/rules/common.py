"""Rules shared by every vendor: currency conversion, average daily usage,
and the argument checks the rules use."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from xlbilling.core.money import D, minor_units, normalise_currency, round_money
from xlbilling.core.rules.result import Result, fmt
from xlbilling.core.words import count
from xlbilling.errors import RuleInputError, show_value

# seeds/001: "filling in the exchange rate with up to five decimals".
MAX_RATE_DECIMALS = 5


def non_negative(value: object, what: str) -> Decimal:
    d = D(value, what=what)
    if d < 0:
        raise RuleInputError(f"{what}: expected a number >= 0, found {show_value(value)}", argument=what, value=value)
    return d


def _convert(amount: object, rate: object, to_currency: str, strict_rate_decimals: bool) -> tuple:
    amount_d = D(amount, what="amount")
    rate_d = D(rate, what="rate")
    if rate_d <= 0:
        raise RuleInputError(f"rate: expected an exchange rate > 0, found {rate!r}", argument="rate", value=rate)
    if strict_rate_decimals and -rate_d.as_tuple().exponent > MAX_RATE_DECIMALS:
        raise RuleInputError(f"rate: at most {MAX_RATE_DECIMALS} decimals, found {rate!r}", argument="rate", value=rate)
    to_code = normalise_currency(to_currency)
    exact = amount_d * rate_d
    return amount_d, rate_d, to_code, exact, round_money(exact, to_code)


def convert_currency_value(amount: object, rate: object, to_currency: str) -> Decimal:
    """convert_currency without its working text (the CONVERT_CURRENCY UDF's per-row path)."""
    return _convert(amount, rate, to_currency, False)[-1]


def convert_currency(amount: object, rate: object, to_currency: str, *,
                     from_currency: str | None = None, strict_rate_decimals: bool = False) -> Result:
    """seeds/001: amount_in_target = amount_in_primary * rate, rounded once to the
    target currency's minor unit; the working records the rate used.

    The vendor platform stores rates with up to 5 decimals; a longer rate is
    accepted (a finance user's own rate) unless strict_rate_decimals is set.
    """
    amount_d, rate_d, to_code, exact, result = _convert(amount, rate, to_currency, strict_rate_decimals)
    src = f"{normalise_currency(from_currency)} " if from_currency else ""
    return Result(result, f"{src}{fmt(amount_d)} x rate {fmt(rate_d)} = {fmt(exact)} -> {to_code} {result}"
                          f" (rounded to {minor_units(to_code)} decimals)")


def average_daily_usage(daily_values: Iterable[object], days_in_month: object) -> Result:
    """seeds/004: a provider may bill a tenant deleted before the vendor's billing
    run on its average daily usage: sum of daily usage / days in the month,
    missing days counting 0 (so they are simply absent from the sum).  Unrounded."""
    days = D(days_in_month, what="days_in_month")
    if days != days.to_integral_value() or not 28 <= days <= 31:
        raise RuleInputError(f"days_in_month: expected 28 to 31, found {days_in_month!r}",
                             argument="days_in_month", value=days_in_month)
    values = [Decimal(0) if v is None else non_negative(v, "daily_values") for v in daily_values]
    if len(values) > days:
        raise RuleInputError(f"daily_values: {len(values)} days given for a {fmt(days)}-day month",
                             argument="daily_values", value=len(values))
    total = sum(values, Decimal(0))
    avg = total / days
    return Result(avg, f"sum of {count(len(values), 'daily value')} {fmt(total)} / {fmt(days)} days = {fmt(avg)}")
