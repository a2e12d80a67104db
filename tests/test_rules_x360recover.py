"""x360Recover appliance-based licensing rules (seeds/002, BILLING_RULES.md section 2)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from xlbilling.core.rules import x360recover as x
from xlbilling.errors import RuleInputError, UnknownCurrencyError

D_ = dt.date
FEB24 = D_(2024, 2, 1)   # leap-year February: 29 days


@pytest.mark.parametrize("on_appliance, on_cloud, expected", [
    (1, 1, "bundled"),       # on an Axcient cloud vault (and the appliance)
    (0, 1, "cloud-only"),    # Axcient cloud, no appliance copy left
    (1, 0, "self-hosted"),   # no Axcient cloud vault (none, or private only)
    (0, 0, "self-hosted"),
    (1.0, True, "bundled"),
    (None, "1", "cloud-only"),
])
def test_endpoint_tier(on_appliance, on_cloud, expected):
    assert x.endpoint_tier(on_appliance, on_cloud) == expected


@pytest.mark.parametrize("servers, workstations, srate, wrate, currency, expected", [
    (3, 12, 45, 12.5, "USD", "285.00"),       # 3 x 45 + 12 x 12.5 = 135 + 150
    (0, 0, 45, 12.5, "USD", "0.00"),
    (1, 1, 0.333, 0.333, "USD", "0.67"),      # 0.666 -> 0.67, rounded once for the line
    (2, 5, 4500, 1234.5, "JPY", "15173"),     # 9000 + 6172.5 = 15172.5 -> half away from zero -> 15173
    (1, 0, 19.995, 9, "eur", "20.00"),        # 19.995 -> 20.00 (not banker's 19.99... tie goes up)
])
def test_endpoint_charge(servers, workstations, srate, wrate, currency, expected):
    result = x.endpoint_charge(servers, workstations, srate, wrate, currency)
    assert result.value == Decimal(expected)
    assert str(result.value) == expected      # exactly the currency's digits


def test_endpoint_charge_errors():
    with pytest.raises(RuleInputError, match="servers"):
        x.endpoint_charge(-1, 0, 1, 1)
    with pytest.raises(UnknownCurrencyError):
        x.endpoint_charge(1, 0, 1, 1, "XYZ")


@pytest.mark.parametrize("price, first, last, month, currency, expected", [
    (100, D_(2024, 2, 10), None, FEB24, "USD", "68.97"),     # 100 x 20 days (10..29) / 29 = 68.9655
    (100, None, None, FEB24, "USD", "100.00"),                # whole month: the price
    (100, D_(2024, 2, 1), D_(2024, 2, 29), FEB24, "USD", "100.00"),   # 29/29
    (100, D_(2024, 2, 10), D_(2024, 2, 10), FEB24, "USD", "3.45"),    # same day: 1 day, 100/29 = 3.448
    (100, D_(2023, 2, 15), None, D_(2023, 2, 1), "USD", "50.00"),     # 2023 not leap: 14 (15..28) / 28
    (310, D_(2024, 3, 1), D_(2024, 3, 15), D_(2024, 3, 31), "USD", "150.00"),  # 310 x 15 / 31
    (290, D_(2024, 1, 5), D_(2024, 2, 5), FEB24, "USD", "50.00"),    # from January: Feb 1..5 = 5 days, 290 x 5/29
    (290, D_(2024, 1, 1), D_(2024, 1, 31), FEB24, "USD", "0.00"),    # removed before the month: 0
    (290, D_(2024, 3, 1), None, FEB24, "USD", "0.00"),               # assigned after the month: 0
    (10000, D_(2024, 4, 1), D_(2024, 4, 10), D_(2024, 4, 20), "JPY", "3333"),  # 10000 x 10/30 = 3333.33
    (100, 45332, None, 45323, "USD", "68.97"),                # Excel serials: 45323 = 2024-02-01, +9 = Feb 10
    (100, dt.datetime(2024, 2, 10, 9), "", dt.datetime(2024, 2, 1), "USD", "68.97"),  # datetime, "" = blank
    (49.99, D_(2024, 2, 15), None, FEB24, "USD", "25.86"),    # 49.99 x 15 / 29 = 25.8568...
])
def test_prorated_storage(price, first, last, month, currency, expected):
    result = x.prorated_storage(price, first, last, month, currency)
    assert result.value == Decimal(expected)


def test_workings_say_one_in_the_singular():
    """A count of exactly 1 in a working reads '1 server', '1 day', never '1 servers'."""
    assert x.endpoint_charge(1, 2, 45, 12.5).working == "1 server x 45 + 2 workstations x 12.5 = 70 -> USD 70.00"
    assert x.endpoint_charge(3, 1, 45, 12.5).working.startswith("3 servers x 45 + 1 workstation x 12.5 =")
    # same day: 1 day, 100 / 29 = 3.448... -> 3.45
    assert x.prorated_storage(100, D_(2024, 2, 10), D_(2024, 2, 10), FEB24).working.startswith(
        "100 x 1 day assigned (2024-02-10 to 2024-02-10) / 29 days =")
    assert " x 20 days assigned " in x.prorated_storage(100, D_(2024, 2, 10), None, FEB24).working


def test_prorated_storage_last_before_first_is_an_error():
    with pytest.raises(RuleInputError) as info:
        x.prorated_storage(100, D_(2024, 2, 10), D_(2024, 2, 9), FEB24)
    assert info.value.argument == "last_day"


@pytest.mark.parametrize("first, last, month, expected", [
    (None, None, FEB24, 29),
    (D_(2024, 2, 29), None, FEB24, 1),          # the leap day alone
    (D_(2024, 2, 10), D_(2024, 2, 10), FEB24, 1),
    (D_(2023, 12, 1), D_(2024, 3, 1), FEB24, 29),
    (None, D_(2024, 1, 31), FEB24, 0),
])
def test_days_assigned(first, last, month, expected):
    assert x.days_assigned(first, last, month) == expected


def test_monthly_license_count_is_not_prorated():
    intervals = [
        (None, None),                            # assigned all along: counts
        (D_(2024, 1, 1), D_(2024, 1, 31)),       # January only: does not count
        (D_(2024, 2, 29), D_(2024, 2, 29)),      # one day in February: counts for the whole month
        (D_(2024, 3, 1), None),                  # from March: does not count
        (D_(2024, 1, 20), D_(2024, 2, 1)),       # overlaps Feb 1: counts
    ]
    assert x.monthly_license_count(intervals, FEB24).value == Decimal(3)


@pytest.mark.parametrize("servers, workstations, server_gb, workstation_gb, expected", [
    (3, 12, None, None, "8400"),     # 3 x 2000 + 12 x 200 = 6000 + 2400
    (0, 0, None, None, "0"),
    (1, 1, 2048, 100, "2148"),       # settings: 2 TB at 1024 GB/TB, 100 GB per workstation
    (2, 0, "", "", "4000"),          # "" = default
])
def test_pool_allowance_gb(servers, workstations, server_gb, workstation_gb, expected):
    assert x.pool_allowance_gb(servers, workstations, server_gb, workstation_gb).value == Decimal(expected)


def test_pool_settings_tb_base():
    pool = x.PoolSettings(gb_per_tb=Decimal(1024))
    assert pool.server_gb == Decimal(2048)   # 2 TB x 1024
    assert x.pool_allowance_gb(1, 0, pool=pool).value == Decimal(2048)


@pytest.mark.parametrize("cloud_gb, servers, workstations, expected", [
    (9000, 3, 12, "600"),      # 9000 - 8400
    (8400, 3, 12, "0"),        # exactly at the pool
    (100, 3, 12, "0"),         # below: never negative
    (2000.5, 1, 0, "0.5"),     # 2000.5 - 2000
])
def test_storage_overage_gb(cloud_gb, servers, workstations, expected):
    assert x.storage_overage_gb(cloud_gb, servers, workstations).value == Decimal(expected)


def test_allocate_overage_pro_rata_adds_up_exactly():
    shares = x.allocate_overage({"A": 300, "B": 100, "C": 0}, 200)
    assert shares["A"].value == Decimal(150)   # 200 x 300/400
    assert shares["B"].value == Decimal(50)    # the remainder: 200 - 150
    assert shares["C"].value == Decimal(0)
    thirds = x.allocate_overage({"A": 1, "B": 1, "C": 1}, 100)
    assert sum(r.value for r in thirds.values()) == Decimal(100)   # 33.33.. + 33.33.. + remainder
    assert thirds["A"].value == Decimal(100) / 3


def test_allocate_overage_nothing_to_allocate():
    assert all(r.value == 0 for r in x.allocate_overage({"A": 5}, 0).values())
    assert all(r.value == 0 for r in x.allocate_overage({"A": 0}, 50).values())


def test_month_helpers():
    assert x.month_bounds(dt.datetime(2024, 2, 17)) == (D_(2024, 2, 1), D_(2024, 2, 29))
    assert x.month_bounds(D_(2023, 2, 17)) == (D_(2023, 2, 1), D_(2023, 2, 28))
    assert x.parse_month("2026-10") == D_(2026, 10, 1)
    with pytest.raises(RuleInputError, match="month"):
        x.parse_month("October")
