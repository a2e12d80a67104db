"""xlbilling.core.money: exact Decimal amounts, one rounding rule, the ways in
from Excel (D, to_date) and the one way out (to_excel).  BILLING_RULES.md "Money"."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from xlbilling.core.money import (
    D, Money, excel_serial_to_date, minor_units, normalise_currency, round_money, sum_money, to_date, to_excel,
)
from xlbilling.errors import CurrencyMismatchError, RuleInputError, UnknownCurrencyError, XlbillingError


# --- D: every Excel/file value -> Decimal, without float artefacts ----------

@pytest.mark.parametrize("value, expected", [
    (0.1, "0.1"),                       # float 0.1 is 0.1000000000000000055...; Excel shows 0.1
    (0.1 + 0.2, "0.3"),                 # 0.30000000000000004 at 15 significant digits is 0.3, as Excel shows
    (2.675, "2.675"),                   # binary 2.67499999999999982236431605997495353221893310546875
    (1.15, "1.15"),
    (-0.5, "-0.5"),
    (45.0, "45"),
    (1e20, "100000000000000000000"),    # '1e+20' from %g, back to plain digits
    (1e30, "1E+30"),                    # value 10^30; beyond the default 28-digit context (was InvalidOperation)
    (1e-7, "1E-7"),
    (3, "3"),
    (10**30, "1000000000000000000000000000000"),  # ints are exact, any size
    ("12.5", "12.5"),
    (" 3 ", "3"),
    ("1e3", "1E+3"),                    # = 1000
    ("-0.75", "-0.75"),
    (Decimal("1.10"), "1.10"),          # a Decimal from a currency-formatted cell stays as it is
])
def test_D_converts_exactly(value, expected):
    result = D(value)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)
    assert str(result) == str(Decimal(expected)) or result == Decimal(expected)


def test_D_keeps_0_1_as_0_1_not_the_binary_expansion():
    assert D(0.1) == Decimal("0.1")
    assert D(0.1) != Decimal(0.1)  # the naive conversion carries the float artefact
    # 0.1 + 0.2 summed as Decimals is exactly 0.3, never 0.30000000000000004
    assert D(0.1) + D(0.2) == Decimal("0.3")


@pytest.mark.parametrize("value", [
    True, False, None, "abc", "1,234.5", "", float("nan"), float("inf"), -float("inf"),
    Decimal("NaN"), Decimal("Infinity"), "NaN", "-Infinity", [1], object(),
])
def test_D_refuses_non_numbers_naming_argument_and_value(value):
    with pytest.raises(RuleInputError) as info:
        D(value, what="monthly_price")
    message = str(info.value)
    assert message.startswith("monthly_price: ")
    assert repr(value)[:20] in message or "finite" in message
    assert info.value.argument == "monthly_price"


# --- currencies and rounding --------------------------------------------------

@pytest.mark.parametrize("code, digits", [
    ("USD", 2), ("EUR", 2), ("GBP", 2), ("AUD", 2), ("CAD", 2),
    ("JPY", 0),                         # yen have no minor unit
    ("BHD", 3),                         # Bahraini dinar: fils, 3 digits (from the table, not a hard-coded 2)
    ("usd", 2), (" jpy ", 0),           # case and spaces do not matter
])
def test_minor_units_from_the_currency_table(code, digits):
    assert minor_units(code) == digits


@pytest.mark.parametrize("code", ["XYZ", "US", "", "   ", None, 12, "EURO"])
def test_unknown_currency_is_an_error(code):
    with pytest.raises(UnknownCurrencyError) as info:
        normalise_currency(code)
    assert repr(code) in str(info.value)


@pytest.mark.parametrize("amount, currency, expected", [
    ("2.675", "USD", "2.68"),     # tie at the third decimal: half away from zero -> up
    ("-2.675", "USD", "-2.68"),   # negative tie: away from zero -> down
    ("2.665", "USD", "2.67"),     # banker's rounding would give 2.66
    ("2.6749999", "USD", "2.67"),
    ("0.005", "EUR", "0.01"),
    ("-0.005", "EUR", "-0.01"),
    ("0.5", "JPY", "1"),          # JPY: 0 decimals; a half yen rounds away from zero
    ("2.5", "JPY", "3"),          # half-even would give 2
    ("-2.5", "JPY", "-3"),
    ("16123.456", "JPY", "16123"),
    ("1.0005", "BHD", "1.001"),   # 3 decimals, tie -> up
    ("68.9655172413793", "USD", "68.97"),  # 100 x 20 / 29
    ("10", "GBP", "10.00"),
])
def test_round_money_half_away_from_zero_to_the_minor_unit(amount, currency, expected):
    rounded = round_money(Decimal(amount), currency)
    assert rounded == Decimal(expected)
    assert rounded.as_tuple().exponent == -minor_units(currency)   # exactly the minor unit's digits


def test_round_money_is_idempotent():
    once = round_money(Decimal("2.675"), "USD")
    assert round_money(once, "USD") == once == Decimal("2.68")


def test_to_excel_is_the_only_float_and_carries_the_rounded_amount():
    assert to_excel(Decimal("68.97")) == 68.97
    assert isinstance(to_excel(Decimal("68.97")), float)


# --- Money ------------------------------------------------------------------------

def test_money_is_exact_with_an_iso_currency():
    m = Money(0.1, "usd")               # a float from Excel goes through D
    assert m.amount == Decimal("0.1") and m.currency == "USD"
    assert (Money(Decimal("0.1"), "USD") + Money(Decimal("0.2"), "USD")).amount == Decimal("0.3")
    assert (Money(Decimal("10"), "EUR") - Money(Decimal("2.5"), "EUR")) == Money(Decimal("7.5"), "EUR")
    assert (Money(Decimal("12.50"), "EUR") * 3).amount == Decimal("37.50")   # 12.50 x 3
    assert (-Money(Decimal("1"), "EUR")).amount == Decimal("-1")
    assert Money(Decimal("1"), "EUR") < Money(Decimal("2"), "EUR")


@pytest.mark.parametrize("operation", [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a < b, lambda a, b: a >= b,
    lambda a, b: sum_money([a, b], "USD"),
])
def test_mixing_currencies_is_an_error(operation):
    usd, eur = Money(Decimal("1.00"), "USD"), Money(Decimal("1.00"), "EUR")
    with pytest.raises(CurrencyMismatchError) as info:
        operation(usd, eur)
    assert "USD" in str(info.value) and "EUR" in str(info.value)
    assert isinstance(info.value, XlbillingError)


def test_money_refuses_non_amounts():
    with pytest.raises(RuleInputError):
        Money("abc", "USD")
    with pytest.raises(RuleInputError):
        Money(Decimal("NaN"), "USD")    # NaN is not an amount, Decimal or not
    with pytest.raises(UnknownCurrencyError):
        Money(Decimal(1), "XYZ")
    with pytest.raises(TypeError):
        Money(Decimal(1), "USD") * Money(Decimal(1), "USD")


def test_money_is_frozen_and_rounds_to_the_currency():
    m = Money(Decimal("1234.5"), "JPY")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.amount = Decimal(0)  # type: ignore[misc]
    assert m.rounded() == Money(Decimal("1235"), "JPY")   # 1234.5 -> away from zero
    assert not m.is_rounded() and m.rounded().is_rounded()
    assert str(Money(Decimal("9.99"), "EUR")) == "EUR 9.99"


def test_sum_money_of_rounded_lines():
    lines = [Money(Decimal("0.33"), "USD")] * 3
    assert sum_money(lines, "USD") == Money(Decimal("0.99"), "USD")   # 3 x 0.33, not 1.00
    assert sum_money([], "JPY") == Money(Decimal(0), "JPY")


# --- dates from Excel ------------------------------------------------------------

@pytest.mark.parametrize("serial, expected", [
    (1, dt.date(1900, 1, 1)),          # Excel's day 1
    (59, dt.date(1900, 2, 28)),
    (61, dt.date(1900, 3, 1)),         # after Excel's fictitious 1900-02-29 (serial 60)
    (44927, dt.date(2023, 1, 1)),
    (45000, dt.date(2023, 3, 15)),     # 44927 + 73: Jan 31 + Feb 28 = 59 days, +14 -> Mar 15
    (45292, dt.date(2024, 1, 1)),      # 44927 + 365
    (45351, dt.date(2024, 2, 29)),     # 45292 + 31 (Jan) + 28 -> the leap day
    (45351.75, dt.date(2024, 2, 29)),  # 18:00 on that day: time dropped
    (Decimal("45323"), dt.date(2024, 2, 1)),
    (2958465, dt.date(9999, 12, 31)),
])
def test_excel_serials(serial, expected):
    assert excel_serial_to_date(serial) == expected
    assert to_date(serial) == expected


@pytest.mark.parametrize("value, expected", [
    (dt.datetime(2024, 2, 29, 13, 5), dt.date(2024, 2, 29)),
    (dt.date(2024, 2, 29), dt.date(2024, 2, 29)),
    ("2024-02-29", dt.date(2024, 2, 29)),
    (" 2024-02-29T10:00:00 ", dt.date(2024, 2, 29)),
    ("45351", dt.date(2024, 2, 29)),
])
def test_to_date_accepts_what_excel_sends(value, expected):
    assert to_date(value) == expected


@pytest.mark.parametrize("value", ["abc", "2023-02-29", "29.02.2024", True, 0, -1, 60, 2958466, None, ""])
def test_to_date_refuses_naming_the_argument(value):
    with pytest.raises(RuleInputError) as info:
        to_date(value, what="first_day")
    assert str(info.value).startswith("first_day: ")
    assert repr(value) in str(info.value)
