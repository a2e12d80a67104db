"""Axcient Backup for Files rules (seeds/000, BILLING_RULES.md section 1)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from xlbilling.core.rules import axcient_bff as bff
from xlbilling.errors import RuleInputError

UNC, COMP = 120.5, 80.25   # one account: UncompressedDiskGB 120.5, CompressedDiskGB 80.25


@pytest.mark.parametrize("flag, basis, plan, expected", [
    (0, "uncompressed", "Select", "120.5"),        # basis uncompressed: UncompressedDiskGB
    (1, "uncompressed", "Select", "120.5"),        # ... whatever CanViewCompressed says
    (0, "compressed", "Select", "80.25"),          # basis compressed: CompressedDiskGB
    (1, "account", "Select", "80.25"),             # account: CanViewCompressed 1 -> compressed (= BillableDiskGB)
    (0, "account", "Select", "120.5"),             # account: CanViewCompressed 0 -> uncompressed
    (1, "compressed", "Basic", "120.5"),           # Basic: always uncompressed (Axcient bills the partner so)
    (1, "account", "Trial (Basic)", "120.5"),      # Decision: a plan containing the word Basic is Basic
    (1, "compressed", "basic", "120.5"),           # any letter case
    (1, "compressed", "BasicPlus", "80.25"),       # not the word Basic
    (1, "compressed", "ShadowProtect BDR", "80.25"),
    (1, None, "", "120.5"),                        # blank basis -> default uncompressed
    (1.0, " Account ", None, "80.25"),             # Excel float flag, basis with spaces/case
    ("1", "account", "", "80.25"),                 # '1' from a text file
    (True, "account", "", "80.25"),
    (None, "account", "", "120.5"),                # blank flag = 0
])
def test_billable_gb(flag, basis, plan, expected):
    result = bff.billable_gb(UNC, COMP, flag, basis, plan)
    assert result.value == Decimal(expected)
    assert result.working  # the working explains the choice


def test_billable_gb_keeps_decimal_exactness():
    # 0.1 + 0.2 GB as floats would be 0.30000000000000004; D reads Excel's 15 digits
    assert bff.billable_gb(0.1 + 0.2, 0.1, 0, "uncompressed").value == Decimal("0.3")


@pytest.mark.parametrize("kwargs, argument", [
    (dict(uncompressed_gb=-1, compressed_gb=1), "uncompressed_gb"),
    (dict(uncompressed_gb=1, compressed_gb="abc"), "compressed_gb"),
    (dict(uncompressed_gb=1, compressed_gb=1, basis="billable"), "basis"),
    (dict(uncompressed_gb=1, compressed_gb=1, can_view_compressed=2), "can_view_compressed"),
    (dict(uncompressed_gb=1, compressed_gb=1, can_view_compressed="maybe"), "can_view_compressed"),
])
def test_billable_gb_errors_name_the_argument(kwargs, argument):
    with pytest.raises(RuleInputError) as info:
        bff.billable_gb(**kwargs)
    assert info.value.argument == argument
    assert str(info.value).startswith(argument)


@pytest.mark.parametrize("is_del, is_expired, expected", [
    (0, 0, True),            # live account: billed
    (1, 0, False),           # IsDel = 1: deleted, not billed
    (0, 1, False),           # IsExpired = 1: expired trial, not billed
    (1, 1, False),
    (None, None, True),      # blank flags are 0
    (1.0, 0.0, False),       # floats from Excel
    ("Yes", "No", False),    # FORMATS.md boolean spellings
    ("0", "N", True),
])
def test_is_billable(is_del, is_expired, expected):
    assert bff.is_billable(is_del, is_expired) is expected


def test_is_billable_refuses_other_values():
    with pytest.raises(RuleInputError) as info:
        bff.is_billable(2, 0)
    assert "is_del" in str(info.value) and "2" in str(info.value)


@pytest.mark.parametrize("billable, servers, non_servers, expected", [
    (1, 2, 5, ("2", "5")),   # LocalBackupIsBillable 1: LocalBillableNumServers 2, LocalBillableNumNonServers 5
    (0, 2, 5, ("0", "0")),   # not billable for local backup: nothing
    (1, 0, 0, ("0", "0")),
])
def test_local_devices(billable, servers, non_servers, expected):
    s, w = bff.local_devices(billable, servers, non_servers)
    assert (s.value, w.value) == (Decimal(expected[0]), Decimal(expected[1]))


def test_archive_mailboxes_bills_billable_not_provisioned():
    result = bff.archive_mailboxes(12, 15)   # 15 provisioned, 12 billable (archiver installed)
    assert result.value == Decimal(12)
    assert "15" in result.working and "not billed" in result.working
    assert bff.archive_mailboxes(7).value == Decimal(7)


def test_rollup_account_data_never_double_counts():
    rows = [
        {"account": "P", "parent": "", "fields": {"UncompressedDiskGB": Decimal("10")}},
        {"account": "S1", "parent": "P", "fields": {"UncompressedDiskGB": Decimal("5")}},
        {"account": "S2", "parent": "P", "fields": {"UncompressedDiskGB": 2.5}},
        {"account": "S3", "parent": "P", "fields": {"UncompressedDiskGB": 0}},   # deleted sub: zeroed
        {"account": "Q", "parent": None, "fields": {"UncompressedDiskGB": 1}},
    ]
    totals = bff.rollup_account_data(rows)
    assert totals == {"P": {"UncompressedDiskGB": Decimal("17.5")},   # 10 + 5 + 2.5 + 0
                      "Q": {"UncompressedDiskGB": Decimal("1")}}


def test_rollup_account_data_orphan_sub_account_is_an_error():
    with pytest.raises(RuleInputError) as info:
        bff.rollup_account_data([{"account": "S1", "parent": "P", "fields": {}}])
    assert "'S1'" in str(info.value) and "'P'" in str(info.value)
