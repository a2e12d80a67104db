"""Axcient BFF pricing unit, table tests: local GB of an account whose
LocalBackupIsBillable is 0 follows the Settings choice (BILLING_RULES 1
Decision, default not billed) and the working says which."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.test_pricing_fixtures import NOV, book, rate, read, rec
from xlbilling.pricing.engine import price_month

D = Decimal


def _local(account, gb, billable):
    return rec("axcient-bff", account, "local_gb", gb,
               details={"local_uncompressed_gb": str(gb), "local_compressed_gb": str(gb), "can_view_compressed": "0",
                        "plan": "Select", "local_backup_is_billable": billable})


@pytest.mark.parametrize("setting, qty, amount, said", [
    # account 1 (flag 1) 100 GB is billed; account 2 (flag 0) 40 GB:
    ("not billed", D(100), D("5.00"), "not billed"),     # 100 x 0.05 = 5.00
    ("billed", D(140), D("7.00"), "billed"),             # (100 + 40) x 0.05 = 7.00
])
def test_local_gb_of_a_not_billable_account_follows_the_setting(setting, qty, amount, said):
    pb = book(customers=[("A", "USD")], accounts=[("axcient-bff", "1", "A"), ("axcient-bff", "2", "A")],
              rates=[rate("axcient-bff", "local_gb", "0.05")], bff_local_gb_when_not_billable=setting)
    res = price_month([read([_local("1", 100, "1"), _local("2", 40, "0")])], pb, NOV)
    (line,) = res.lines
    assert (line.quantity, line.amount) == (qty, amount)
    assert f"LocalBackupIsBillable 0: {said}" in line.working


def test_default_is_not_billed():
    pb = book(customers=[("A", "USD")], accounts=[("axcient-bff", "2", "A")], rates=[rate("axcient-bff", "local_gb", "0.05")])
    res = price_month([read([_local("2", 40, "0")])], pb, NOV)
    assert res.lines == ()   # 40 GB on a LocalBackupIsBillable 0 account: nothing to bill by default
