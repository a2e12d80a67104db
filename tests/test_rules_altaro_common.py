"""Altaro billed users (seeds/003) and the shared rules: currency conversion
(seeds/001) and average daily usage (seeds/004)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from xlbilling.core.rules import altaro, common
from xlbilling.errors import RuleInputError, UnknownCurrencyError

# --- Altaro / Hornetsecurity billed users ---------------------------------------

TYPES = ["Mailbox", "N/A", "OneDrive", "User Teams Chats", "SharePoint", "Teams", "Mailbox", "mailbox", None]
NAMES = ["Ann Lee", "Shared Box", "ann lee ", "Bob Roe", "Site A", "Team X", "Ann  Lee", "", "Carl"]


def test_billed_users_counts_distinct_names_of_billed_types():
    result = altaro.billed_users(TYPES, NAMES)
    # billed types: Mailbox, N/A, OneDrive, User Teams Chats (any case); SharePoint, Teams, blank are not.
    # names among them: Ann Lee, Shared Box, "ann lee ", Bob Roe, "Ann  Lee", "" (blank: not a user)
    # trimmed, case-insensitive, inner spaces folded -> {ann lee, shared box, bob roe} = 3
    assert result.count == 3
    assert result.names == ("Ann Lee", "Bob Roe", "Shared Box")
    # the three spellings of Ann Lee are reported (two people may share a display name)
    assert result.merged_spellings == (("Ann  Lee", "Ann Lee", "ann lee "),)
    assert result.result.value == Decimal(3)


@pytest.mark.parametrize("types, names, expected", [
    ([], [], 0),
    (["SharePoint"], ["Site"], 0),
    (["N/A"], ["Room 1"], 1),
    ([" user teams chats "], ["Eve"], 1),
    (["Mailbox", "OneDrive"], ["Eve", "EVE"], 1),
])
def test_billed_users_table(types, names, expected):
    assert altaro.billed_users(types, names).count == expected


def test_name_key_folds_every_unicode_space_like_the_regex_did():
    # str.split() and the former r"\s+" fold agree on every code point (checked once over all of
    # Unicode); here: no-break space, em space, tab and a line break each fold to ONE space, outer ones trimmed
    assert altaro.name_key("\u00a0Ann\u2003\t Lee\n") == "ann lee"
    assert altaro.name_key("Stra\u00dfe") == "strasse"   # casefold, not lower: the German sharp s
    assert altaro.name_key(None) == "" and altaro.name_key("  ") == ""


def test_billed_users_columns_of_different_lengths_is_an_error():
    with pytest.raises(RuleInputError) as info:
        altaro.billed_users(["Mailbox", "Mailbox"], ["Ann"])
    assert "object_types" in str(info.value) and "object_names" in str(info.value)


# --- currency conversion ----------------------------------------------------------

@pytest.mark.parametrize("amount, rate, to_currency, expected", [
    (100, 161.23456, "JPY", "16123"),       # 16123.456 -> whole yen
    (100, 161.5, "JPY", "16150"),
    (0.5, 1, "JPY", "1"),                   # half a yen -> away from zero
    (100, 1.08, "USD", "108.00"),
    (19.99, 0.85123, "EUR", "17.02"),       # 19.99 x 0.85123 = 17.0160877
    (-10, 1.5, "GBP", "-15.00"),            # credits convert too
    (1000, 7.43, "dkk", "7430.00"),         # any ISO currency as target
])
def test_convert_currency(amount, rate, to_currency, expected):
    result = common.convert_currency(amount, rate, to_currency)
    assert result.value == Decimal(expected)
    assert str(result.value) == expected


def test_convert_currency_records_the_rate():
    result = common.convert_currency(100, 161.23456, "JPY", from_currency="EUR")
    assert "EUR" in result.working and "161.23456" in result.working and "JPY 16123" in result.working


@pytest.mark.parametrize("rate, kwargs, error", [
    (0, {}, RuleInputError),
    (-1.1, {}, RuleInputError),
    ("abc", {}, RuleInputError),
    (1.123456, {"strict_rate_decimals": True}, RuleInputError),   # seeds/001: up to five decimals
])
def test_convert_currency_rate_errors(rate, kwargs, error):
    with pytest.raises(error) as info:
        common.convert_currency(100, rate, "USD", **kwargs)
    assert "rate" in str(info.value)


def test_convert_currency_long_rate_allowed_unless_strict():
    assert common.convert_currency(100, 1.123456, "USD").value == Decimal("112.35")   # 112.3456


def test_convert_currency_unknown_target():
    with pytest.raises(UnknownCurrencyError):
        common.convert_currency(100, 1.1, "XYZ")


# --- average daily usage ----------------------------------------------------------

@pytest.mark.parametrize("values, days, expected", [
    ([10, 20, 30], 30, "2"),                          # 60 / 30: the 27 missing days count 0
    ([None, 10], 28, str(Decimal(10) / 28)),          # blank day = 0: 10 / 28
    ([1.5] * 29, 29, "1.5"),                          # every day of a leap February: 43.5 / 29
    ([1] * 31, 31.0, "1"),
    ([], 30, "0"),
    ([0.1, 0.2], 30, str(Decimal("0.3") / 30)),       # exact: 0.1 + 0.2 = 0.3
])
def test_average_daily_usage(values, days, expected):
    assert common.average_daily_usage(values, days).value == Decimal(expected)


@pytest.mark.parametrize("values, days, argument", [
    ([1] * 30, 29, "daily_values"),     # more days than the month has
    ([1], 27, "days_in_month"),
    ([1], 30.5, "days_in_month"),
    ([-1], 30, "daily_values"),
    (["x"], 30, "daily_values"),
])
def test_average_daily_usage_errors(values, days, argument):
    with pytest.raises(RuleInputError) as info:
        common.average_daily_usage(values, days)
    assert info.value.argument == argument


def test_non_negative():
    assert common.non_negative("0", "x") == Decimal(0)
    with pytest.raises(RuleInputError, match="x: expected a number >= 0"):
        common.non_negative(-0.01, "x")
