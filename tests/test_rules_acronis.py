"""Acronis rules: distributor pricing and the minimum commitment (seeds/001),
usage-report quantities and the cancel window (seeds/004)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xlbilling.core.records import InvoiceLine
from xlbilling.core.rules import acronis
from xlbilling.errors import CurrencyMismatchError, RuleInputError, UnknownCurrencyError


@pytest.mark.parametrize("sell, discount, expected", [
    (12.5, 0.2, "10"),         # 12.5 x (1 - 0.2)
    (100, 0, "100"),           # no discount
    (100, 1, "0"),             # 100% discount
    (0.1, 0.3, "0.07"),        # 0.1 x 0.7, exact (floats would give 0.06999999999999999)
    (9.99, 0.15, "8.4915"),    # 9.99 x 0.85, unrounded
])
def test_cost_price(sell, discount, expected):
    assert acronis.cost_price(sell, discount).value == Decimal(expected)


@pytest.mark.parametrize("sell, discount, argument", [
    (10, 1.2, "distributor_discount"),    # above 100%
    (10, -0.1, "distributor_discount"),
    (-10, 0.2, "sell_price"),
    ("ten", 0.2, "sell_price"),
])
def test_cost_price_errors(sell, discount, argument):
    with pytest.raises(RuleInputError) as info:
        acronis.cost_price(sell, discount)
    assert info.value.argument == argument


@pytest.mark.parametrize("sell, discount, rule, rate, expected", [
    (12.5, 0.2, "", 0, "12.5"),               # no price list: the sell price stands
    (12.5, 0.2, None, None, "12.5"),          # blank cells
    (12.5, 0.2, "", 0.5, "12.5"),             # a rate without a rule changes nothing
    (12.5, 0.2, "markup", 0.25, "12.5"),      # cost 10 x (1 + 0.25)
    (12.5, 0.2, "markup", 0, "10"),           # cost 10 x 1
    (12.5, 0.2, "margin", 0.375, "16"),       # cost 10 / (1 - 0.375) = 10 / 0.625
    (12.5, 0.2, "margin", 0, "10"),           # margin of 0: the cost price
    (12.5, 0.2, "margin", 0.2, "12.5"),       # 10 / 0.8
    (12.5, 0.2, "sell", 0.9, "11.25"),        # percent of sell: 12.5 x 0.9
    (12.5, 0.2, "sell", 1.1, "13.75"),        # 12.5 x 1.1
    (12.5, 0.2, "Percent Markup", 0.25, "12.5"),     # the platform's own wording
    (12.5, 0.2, " MARGIN ", 0.375, "16"),
    (12.5, 0.2, "percent of sell price", 0.9, "11.25"),
    (12.5, None, "markup", 0.25, "15.625"),   # blank discount = 0: cost 12.5 x 1.25
])
def test_reseller_price(sell, discount, rule, rate, expected):
    assert acronis.reseller_price(sell, discount, rule, rate).value == Decimal(expected)


def test_reseller_price_margin_is_exact_and_unrounded():
    # cost 10 / (1 - 0.3) = 14.285714285714285714285714... (28 significant digits, not rounded to cents)
    price = acronis.reseller_price(12.5, 0.2, "margin", 0.3).value
    assert price == Decimal(10) / Decimal("0.7")
    assert abs(price * Decimal("0.7") - 10) < Decimal("1e-25")


@pytest.mark.parametrize("rule, rate, argument", [
    ("margin", 1, "rate"),          # margin of 100%: division by zero
    ("margin", 1.5, "rate"),
    ("markup", -0.1, "rate"),
    ("discount", 0.1, "rule"),
    ("", "abc", None),              # blank rule ignores the rate entirely
])
def test_reseller_price_errors(rule, rate, argument):
    if argument is None:
        assert acronis.reseller_price(10, 0, rule, rate).value == Decimal(10)
        return
    with pytest.raises(RuleInputError) as info:
        acronis.reseller_price(10, 0.2, rule, rate)
    assert info.value.argument == argument


def test_reseller_price_blank_rule_still_checks_the_discount():
    with pytest.raises(RuleInputError, match="distributor_discount"):
        acronis.reseller_price(10, -0.5, "", 0)


@pytest.mark.parametrize("usage, commitment, currency, expected", [
    (850, 1000, "EUR", "150.00"),      # 1000 - 850
    (1000, 1000, "EUR", "0.00"),       # exactly at the commitment: no fee
    (1200, 1000, "EUR", "0.00"),       # above: no fee, never negative
    (999.995, 1000, "USD", "0.01"),    # 0.005 -> half away from zero
    (98765.4, 100000, "JPY", "1235"),  # 1234.6 yen -> 1235
    (0, 500, "GBP", "500.00"),
])
def test_commitment_fee(usage, commitment, currency, expected):
    result = acronis.commitment_fee(usage, commitment, currency)
    assert result.value == Decimal(expected)
    assert str(result.value) == expected


def test_commitment_fee_errors():
    with pytest.raises(RuleInputError, match="minimum_commitment"):
        acronis.commitment_fee(10, -1)
    with pytest.raises(UnknownCurrencyError):
        acronis.commitment_fee(10, 20, "EURO")


def _line(amount: str, currency: str = "EUR") -> InvoiceLine:
    return InvoiceLine(customer="C1", vendor="acronis", item="pw_base_storage", description="Storage",
                       quantity=Decimal(1), unit="GB", unit_price=Decimal(amount), amount=Decimal(amount),
                       currency=currency)


def test_apply_commitment_adds_the_fee_line_below_the_commitment():
    lines = acronis.apply_commitment([_line("300.00"), _line("450.00")], 1000, customer="C1", currency="EUR")
    assert len(lines) == 3                                     # both usage lines kept
    fee = lines[-1]
    assert fee.description == "Minimum Commitment Amount Fee"  # seeds/001 verbatim
    assert fee.amount == Decimal("250.00")                     # 1000 - (300 + 450)
    assert fee.kind == "commitment_fee"
    assert sum(line.amount for line in lines) == Decimal("1000.00")


def test_apply_commitment_at_or_above_lists_only_usage():
    at = acronis.apply_commitment([_line("600.00"), _line("400.00")], 1000, customer="C1", currency="EUR")
    assert [line.amount for line in at] == [Decimal("600.00"), Decimal("400.00")]   # 600 + 400 = 1000


def test_apply_commitment_mixing_currencies_is_an_error():
    with pytest.raises(CurrencyMismatchError) as info:
        acronis.apply_commitment([_line("300.00", "USD")], 1000, customer="C1", currency="EUR")
    assert "USD" in str(info.value) and "EUR" in str(info.value)


@pytest.mark.parametrize("day, expected", [
    (dt.date(2024, 2, 29), True),     # last day of a leap February
    (dt.date(2024, 2, 28), False),    # not the last day in 2024
    (dt.date(2023, 2, 28), True),     # last day in 2023
    (dt.date(2024, 3, 1), True),      # 1st of the next month
    (dt.date(2024, 3, 2), True),      # 2nd: still in the window
    (dt.date(2024, 3, 3), False),     # 3rd: safe
    (dt.date(2024, 1, 31), True),
    (dt.date(2024, 4, 30), True),
    (dt.date(2024, 4, 29), False),
    (dt.date(2024, 12, 31), True),
    (dt.datetime(2024, 3, 15, 12), False),
    (45351, True),                    # Excel serial of 2024-02-29
])
def test_cancel_window(day, expected):
    assert acronis.cancel_window(day) is expected


@pytest.mark.parametrize("quantity_bytes, expected_gb", [
    (1073741824, "1"),            # 1024^3 bytes = 1 GB (Acronis' GB)
    (1610612736, "1.5"),          # 1.5 x 1024^3
    (1000000000, "0.931322574615478515625"),   # 10^9 / 2^30, exact
    (0, "0"),
])
def test_bytes_to_gb(quantity_bytes, expected_gb):
    assert acronis.bytes_to_gb(quantity_bytes) == Decimal(expected_gb)


def test_quantity_helpers():
    assert acronis.seconds_to_points(5400) == Decimal("1.5")       # 5400 s / 3600
    assert acronis.seconds_to_points(1000) == Decimal("0.28")      # 1000 / 3600 = 0.2777... -> 0.28
    assert acronis.seconds_to_points(18) == Decimal("0.01")        # 18 / 3600 = 0.005 -> half up 0.01
    assert acronis.seconds_to_points(17) == Decimal("0.00")        # 0.00472... -> 0.00
    assert acronis.billed_usage_field("customer") == "total"
    assert acronis.billed_usage_field("Partner") == "production"
    assert acronis.billed_usage_field(None) == "total"
    assert acronis.days_in_month(dt.date(2024, 2, 10)) == 29
    assert acronis.days_in_month(dt.date(2023, 2, 10)) == 28
