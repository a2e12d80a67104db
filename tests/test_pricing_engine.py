"""Pricing engine table tests: every expected amount is worked by hand in the comment."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.test_pricing_fixtures import NOV, book, lic, rate, read, rec, skipped
from xlbilling.pricing.engine import find_rate, price_month
from xlbilling.pricing.model import Customer, Problem

D = Decimal


def kinds(result):
    # cost_unknown (rates without a vendor cost) is tested in tests/test_costs.py
    return sorted(p.kind for p in result.problems if p.kind != "cost_unknown")


def test_plain_rate_and_invoice_adds_up():
    pb = book(customers=[("Acme", "USD")], accounts=[("axcient-bff", "100", "Acme")],
              rates=[rate("axcient-bff", "online_gb", "0.25"), rate("axcient-bff", "archive_mailboxes", "1.10")])
    r = read([rec("axcient-bff", "100", "online_gb", "123.45"), rec("axcient-bff", "100", "archive_mailboxes", 3,
                                                                   "mailbox")])
    res = price_month([r], pb, NOV)
    amounts = {ln.item: ln.amount for ln in res.lines}
    assert amounts["online_gb"] == D("30.86")        # 123.45 x 0.25 = 30.8625 -> 30.86
    assert amounts["archive_mailboxes"] == D("3.30")  # 3 x 1.10 = 3.30
    inv = res.invoices[0]
    assert inv.total == D("34.16")                    # 30.86 + 3.30
    assert inv.invoice_number == "INV-00001"          # default format {prefix}{n:05d} from 1 (provisional)
    assert all(ln.sources for ln in res.lines)


def test_half_away_from_zero():
    pb = book(customers=[("A", "USD")], accounts=[("altaro", "A", "A")], rates=[rate("altaro", "m365_users", "0.125")])
    res = price_month([read([rec("altaro", "A", "m365_users", 1, "user")])], pb, NOV)
    assert res.lines[0].amount == D("0.13")  # 0.125 -> 0.13 (half away from zero, not half-even 0.12)


def test_bff_customer_basis_override_reapplied_from_details():
    details = {"uncompressed_gb": "100", "compressed_gb": "60", "can_view_compressed": "0", "plan": "Select"}
    basic = dict(details, plan="Trial (Basic)")
    pb = book(customers=[Customer("Comp", "USD", "compressed"), Customer("Plain", "USD")],
              accounts=[("axcient-bff", "1", "Comp"), ("axcient-bff", "2", "Plain"), ("axcient-bff", "3", "Comp")],
              rates=[rate("axcient-bff", "online_gb", "0.25")])
    r = read([rec("axcient-bff", "1", "online_gb", 100, details=details),
              rec("axcient-bff", "2", "online_gb", 100, details=details),
              rec("axcient-bff", "3", "online_gb", 100, details=basic)])
    res = price_month([r], pb, NOV)
    by = {ln.customer: ln for ln in res.lines}
    # Comp: account 1 compressed 60 GB + account 3 Basic plan always uncompressed 100 GB = 160 x 0.25 = 40.00
    assert by["Comp"].quantity == D(160) and by["Comp"].amount == D("40.00")
    # Plain: default basis uncompressed 100 x 0.25 = 25.00
    assert by["Plain"].amount == D("25.00")
    assert "Basic" in by["Comp"].working


@pytest.mark.parametrize("commitment, fee, total", [
    ("100", D("20.00"), D("100.00")),   # usage 80.00 < 100: fee 100 - 80 = 20.00, total 100.00
    ("80", None, D("80.00")),           # usage = commitment: no fee
    ("50", None, D("80.00")),           # usage above: no fee
])
def test_minimum_commitment(commitment, fee, total):
    pb = book(customers=[("Acme", "USD")], accounts=[("acronis", "t1", "Acme")],
              rates=[rate("acronis", "pw_base_storage", "0.5"), rate("acronis", "pw_base_servers", "30")],
              commitments=[("Acme", "acronis", commitment, "USD")])
    r = read([rec("acronis", "t1", "pw_base_storage", 40), rec("acronis", "t1", "pw_base_servers", 2, "seat")])
    res = price_month([r], pb, NOV)   # 40 x 0.5 = 20.00; 2 x 30 = 60.00; usage 80.00
    fees = [ln for ln in res.lines if ln.kind == "commitment_fee"]
    assert [f.amount for f in fees] == ([fee] if fee else [])
    if fee:
        assert fees[0].description == "Minimum Commitment Amount Fee"
        assert res.lines[-1].kind == "commitment_fee"   # after the usage lines
    assert res.invoices[0].total == total == sum(ln.amount for ln in res.invoices[0].lines)


def test_commitment_without_usage_bills_the_commitment():
    pb = book(customers=[("Idle", "USD")], commitments=[("Idle", "acronis", "150", "USD")])
    res = price_month([], pb, NOV)
    assert [ln.amount for ln in res.lines] == [D("150.00")]  # 150 - 0
    assert "billed_nothing" not in kinds(res)


def test_fx_conversion_records_rate_and_rounds_once_eur():
    pb = book(customers=[("Euro", "EUR")], accounts=[("altaro", "Euro", "Euro")],
              rates=[rate("altaro", "m365_users", "3.50")], fx=[("USD", "EUR", "0.92345")])
    res = price_month([read([rec("altaro", "Euro", "m365_users", 10, "user")])], pb, NOV)
    ln = res.lines[0]
    # 10 x 3.50 = USD 35.00 x 0.92345 = 32.32075 -> EUR 32.32
    assert (ln.amount, ln.currency, ln.fx_rate) == (D("32.32"), "EUR", D("0.92345"))
    assert ln.unit_price == D("3.50") * D("0.92345")
    assert "0.92345" in ln.working
    assert res.invoices[0].fx_rate == D("0.92345") and res.invoices[0].primary_currency == "USD"


def test_jpy_rounds_to_whole_yen():
    pb = book(customers=[("Tokyo", "JPY")], accounts=[("axcient-bff", "9", "Tokyo")],
              rates=[rate("axcient-bff", "online_gb", "0.25")], fx=[("USD", "JPY", "151.23456")])
    res = price_month([read([rec("axcient-bff", "9", "online_gb", 101)])], pb, NOV)
    # 101 x 0.25 = USD 25.25 x 151.23456 = 3818.67264 -> JPY 3819 (0 decimals)
    assert res.lines[0].amount == D("3819") and res.lines[0].currency == "JPY"


def test_missing_exchange_rate_is_a_problem_not_a_line():
    pb = book(customers=[("Euro", "EUR")], accounts=[("altaro", "Euro", "Euro")],
              rates=[rate("altaro", "m365_users", "3.50")])
    res = price_month([read([rec("altaro", "Euro", "m365_users", 10, "user")])], pb, NOV)
    assert res.lines == ()
    assert "no_exchange_rate" in kinds(res)
    assert "USD -> EUR" in next(p.message for p in res.problems if p.kind == "no_exchange_rate")


def test_acronis_sell_price_with_margin_and_markup_rules():
    pb = book(customers=[("M", "USD"), ("K", "USD"), ("S", "USD")],
              accounts=[("acronis", "m", "M"), ("acronis", "k", "K"), ("acronis", "s", "S")],
              rates=[rate("acronis", "*", customer="M", rule="margin", rule_rate="0.3", distributor_discount="0.2"),
                     rate("acronis", "*", customer="K", rule="markup", rule_rate="0.25", distributor_discount="0.2")])
    recs = [rec("acronis", a, "Backup storage, SKU1", 10, amount="12.34567") for a in ("m", "k", "s")]
    res = price_month([read(recs)], pb, NOV)
    by = {ln.customer: ln for ln in res.lines}
    # sell 1.234567/GB; cost = 1.234567 x 0.8 = 0.9876536; margin: / 0.7 = 1.410933714...; x 10 = 14.10933.. -> 14.11
    assert by["M"].amount == D("14.11")
    assert by["M"].cost_amount == D("9.88")    # 10 x 0.9876536 = 9.876536 -> 9.88
    # markup: 0.9876536 x 1.25 = 1.234567; x 10 = 12.34567 -> 12.35
    assert by["K"].amount == D("12.35")
    # no price list: the sell price stands: 12.34567 -> 12.35; cost with discount 0 = sell
    assert by["S"].amount == D("12.35")
    recon = {r.customer: r for r in res.reconciliation}
    assert recon["M"].margin == D("14.11") - D("9.88") == D("4.23")


def test_rate_precedence_customer_then_item_then_tier():
    pb = book(customers=[("A", "USD")], rates=[
        rate("x360recover", "endpoint_server", "50"),
        rate("x360recover", "endpoint_server", "55", tier="bundled"),
        rate("x360recover", "*", "1", customer="A"),
        rate("x360recover", "endpoint_server", "40", customer="A")])
    assert find_rate(pb, "x360recover", "endpoint_server", "bundled", "A").unit_price == D(40)
    assert find_rate(pb, "x360recover", "endpoint_workstation", "bundled", "A").unit_price == D(1)
    assert find_rate(pb, "x360recover", "endpoint_server", "bundled", "B").unit_price == D(55)
    assert find_rate(pb, "x360recover", "endpoint_server", "self-hosted", "B").unit_price == D(50)


def test_x360_endpoints_by_tier_not_prorated_and_storage_prorated():
    pb = book(customers=[("A", "USD")], accounts=[("x360recover", "c1", "A")],
              rates=[rate("x360recover", "endpoint_server", "55", tier="bundled"),
                     rate("x360recover", "endpoint_server", "40", tier="self-hosted"),
                     rate("x360recover", "endpoint_workstation", "12", tier="bundled"),
                     rate("x360recover", "storage_license", "100")],
              licenses=[lic("A", "storage", dt.date(2026, 11, 16), None)])
    devices = read([rec("x360recover", "c1", "endpoint_server", 2, "device", tier="bundled"),
                    rec("x360recover", "c1", "endpoint_server", 1, "device", tier="self-hosted"),
                    rec("x360recover", "c1", "endpoint_workstation", 3, "device", tier="bundled")],
                   report_type="device-usage")
    res = price_month([devices], pb, NOV)
    got = sorted((ln.item, ln.description, ln.amount) for ln in res.lines)
    assert ("endpoint_server", "x360Recover server endpoint (bundled)", D("110.00")) in got      # 2 x 55, whole month
    assert ("endpoint_server", "x360Recover server endpoint (self-hosted)", D("40.00")) in got   # 1 x 40
    assert ("endpoint_workstation", "x360Recover workstation endpoint (bundled)", D("36.00")) in got  # 3 x 12
    storage = next(ln for ln in res.lines if ln.item == "storage_license")
    # 16..30 Nov = 15 days: 100 x 15 / 30 = 50.00
    assert storage.amount == D("50.00")
    assert "15 days" in storage.working


def test_x360_license_report_endpoints_and_storage_record():
    pb = book(customers=[("A", "USD")], accounts=[("x360recover", "loc1", "A")],
              rates=[rate("x360recover", "endpoint_server", "55", tier="bundled"),
                     rate("x360recover", "storage_license:1TB", "93"), rate("x360recover", "storage_license", "1")])
    r = read([rec("x360recover", "loc1", "endpoint_server", 2, "license"),
              rec("x360recover", "loc1", "storage_license", 10, "day",
                  details={"first_day": "2026-11-21", "last_day": "", "size": "1TB", "retention": "3-year"})],
             report_type="license-assignments")
    res = price_month([r], pb, NOV)
    by = {ln.item: ln for ln in res.lines}
    assert by["endpoint_server"].amount == D("110.00")  # 2 licenses x 55 (bundled rate, never prorated)
    assert by["storage_license"].amount == D("31.00")   # 21..30 Nov = 10 days: 93 x 10 / 30 = 31.00


def _pool_book(allocation="pro-rata"):
    return book(customers=[("A", "USD"), ("B", "USD")],
                accounts=[("x360recover", "a", "A"), ("x360recover", "b", "B")],
                rates=[rate("x360recover", "endpoint_server", "55"), rate("x360recover", "endpoint_workstation", "12"),
                       rate("x360recover", "cloud_gb", "0.05", cost_per_unit="0.02")],
                pool_overage_allocation=allocation)


def _pool_read():
    return read([rec("x360recover", "a", "endpoint_server", 2, "device", tier="bundled"),
                 rec("x360recover", "a", "cloud_gb", 5000),
                 rec("x360recover", "b", "endpoint_workstation", 1, "device", tier="bundled"),
                 rec("x360recover", "b", "cloud_gb", 700)], report_type="device-usage")


def test_pool_overage_pro_rata():
    res = price_month([_pool_read()], _pool_book(), NOV)
    over = {ln.customer: ln for ln in res.lines if ln.item == "cloud_gb"}
    # allowance: 2 servers x 2000 + 1 workstation x 200 = 4200 GB; used 5700: overage 1500 GB
    # A: 5000 - 4000 own = 1000 above; B: 700 - 200 = 500 above -> shares 1000 and 500 GB
    assert over["A"].quantity == D(1000) and over["A"].amount == D("50.00")   # 1000 x 0.05
    assert over["B"].quantity == D(500) and over["B"].amount == D("25.00")    # 500 x 0.05
    assert over["A"].cost_amount == D("20.00")                                # 1000 x 0.02


def test_pool_overage_none_is_reported_not_billed():
    res = price_month([_pool_read()], _pool_book("none"), NOV)
    assert not [ln for ln in res.lines if ln.item == "cloud_gb"]
    assert "pool_overage_unallocated" in kinds(res)


def test_storage_licensed_customer_outside_pool():
    pb = _pool_book()
    pb = book(customers=pb.customers, accounts=pb.accounts, rates=pb.rates,
              licenses=[lic("B", "storage", None, None, "80")])
    res = price_month([_pool_read()], pb, NOV)
    # B's storage license covers all November: B's 700 GB are outside the pool and its workstation is
    # storage-licensed; pool = A's 2 servers x 2000 = 4000 GB vs 5000 used -> 1000 GB, all A's
    over = {ln.customer: ln.quantity for ln in res.lines if ln.item == "cloud_gb"}
    assert over == {"A": D(1000)}
    assert [ln.amount for ln in res.lines if ln.customer == "B"] == [D("80.00")]   # full month 80 x 30/30


def test_problems_unmapped_no_rate_deleted_billed_nothing_warnings():
    pb = book(customers=[("A", "USD"), ("Quiet", "USD")], accounts=[("axcient-bff", "1", "A")],
              rates=[rate("axcient-bff", "online_gb", "0.25")])
    r = read([rec("axcient-bff", "1", "online_gb", 10), rec("axcient-bff", "1", "local_servers", 2, "device"),
              rec("axcient-bff", "77", "online_gb", 5, customer="=HYPERLINK(\"x\")")],
             skipped=[skipped("55", "deleted account (IsDel = 1): not billed", online_gb=12)],
             problems=[Problem("same_name_users", account="1", customer="A label",
                               message="'Ann Lee' / 'ann lee' count as one user")],
             warnings=["users are the same name, once said only as text"])
    res = price_month([r], pb, NOV)
    # the typed problem keeps its kind; the untyped warning is a reader_warning whatever its words
    assert kinds(res) == ["billed_nothing", "deleted_with_usage", "no_rate", "reader_warning", "same_name_users",
                          "unmapped_account"]
    same = next(p for p in res.problems if p.kind == "same_name_users")
    assert same.customer == "A" and same.vendor == "axcient-bff"   # account 1 maps to customer A
    assert [ln.amount for ln in res.lines] == [D("2.50")]   # only the priced line: 10 x 0.25
    unmapped = next(p for p in res.problems if p.kind == "unmapped_account")
    assert unmapped.account == "77" and "Accounts" in unmapped.message
    assert {p.kind for p in res.blocking_problems} == {"unmapped_account", "no_rate"}


def test_duplicate_report_flagged_and_not_billed_twice():
    pb = book(customers=[("A", "USD")], accounts=[("altaro", "A", "A")], rates=[rate("altaro", "m365_users", "3.5")])
    r1 = read([rec("altaro", "A", "m365_users", 4, "user")], file="a.csv", sha="x" * 64)
    r2 = read([rec("altaro", "A", "m365_users", 4, "user")], file="copy.csv", sha="x" * 64)
    r3 = read([rec("altaro", "A", "m365_users", 4, "user")], file="other.csv", sha="y" * 64)
    res = price_month([r1, r2, r3], pb, NOV)
    assert [ln.amount for ln in res.lines] == [D("14.00")]   # 4 x 3.50, once
    assert kinds(res) == ["duplicate_report", "duplicate_report"]


def test_invoice_numbers_follow_customer_names():
    pb = book(customers=[("beta", "USD"), ("Alpha", "USD")],
              accounts=[("altaro", "b", "beta"), ("altaro", "a", "Alpha")],
              rates=[rate("altaro", "m365_users", "1")], invoice_prefix="X")
    res = price_month([read([rec("altaro", "b", "m365_users", 1, "user"), rec("altaro", "a", "m365_users", 1, "user")])],
                      pb, NOV)
    # provisional numbers (no ledger): the sequence from 1 in customer-name order, {prefix}{n:05d}
    assert [(i.customer, i.invoice_number) for i in res.invoices] == [("Alpha", "X00001"), ("beta", "X00002")]


def test_cancel_window_warning():
    from xlbilling.pricing.model import Account
    pb = book(customers=[("A", "USD")], rates=[rate("acronis", "*", "1")])
    pb = replace(pb, accounts=(Account("acronis", "t", "t", "A", True, dt.date(2026, 11, 30)),))
    res = price_month([read([rec("acronis", "t", "pw_base_storage", 1)])], pb, NOV)
    assert "cancel_window" in kinds(res)


def test_rule_row_without_price_reprices_the_list_price():
    pb = book(customers=[("W", "USD"), ("Fixed", "USD")],
              accounts=[("acronis", "w", "W"), ("acronis", "f", "Fixed")],
              rates=[rate("acronis", "pw_base_servers", "25", item_code="ACR-SRV"),
                     rate("acronis", "*", customer="W", rule="markup", rule_rate="0.25", distributor_discount="0.2"),
                     rate("acronis", "pw_base_servers", "20", customer="Fixed")])
    res = price_month([read([rec("acronis", "w", "pw_base_servers", 3, "server"),
                             rec("acronis", "f", "pw_base_servers", 3, "server")])], pb, NOV)
    by = {ln.customer: ln for ln in res.lines}
    # W: list 25 x (1 - 0.2) = cost 20; markup: 20 x 1.25 = 25; 3 x 25 = 75.00; cost 3 x 20 = 60.00
    assert (by["W"].amount, by["W"].cost_amount) == (D("75.00"), D("60.00"))
    # Fixed: its own price 20 stands (more specific than the all-customers row): 3 x 20 = 60.00
    assert by["Fixed"].amount == D("60.00")
    from xlbilling.pricing.engine import item_code
    assert item_code(pb, by["W"]) == "ACR-SRV"


def test_report_stated_price_of_another_vendor_stands_in_its_currency():
    pb = book(customers=[("HS", "USD")], accounts=[("altaro", "HS-1", "HS")], fx=[("EUR", "USD", "1.0829")])
    r = read([rec("altaro", "HS-1", "365TB", 25, "license", amount="52.50", currency="EUR")])
    res = price_month([r], pb, NOV)
    # no Rates row: the stated EUR 52.50 stands; x 1.0829 = 56.85225 -> USD 56.85; no cost known
    assert (res.lines[0].amount, res.lines[0].cost_amount) == (D("56.85"), None)
    assert res.reconciliation[0].lines_without_cost == 1


def test_same_customer_from_two_report_types_is_flagged():
    pb = book(customers=[("A", "USD")], accounts=[("acronis", "tid", "A"), ("acronis", "A", "A")],
              rates=[rate("acronis", "*", "1")])
    r1 = read([rec("acronis", "tid", "pw_base_storage", 1)], report_type="usage-csv_v2_0", file="u.csv")
    r2 = read([rec("acronis", "A", "Backup storage, SKU", 1, amount="2")], report_type="usage-records", file="d.xlsx")
    res = price_month([r1, r2], pb, NOV)
    assert kinds(res) == ["overlapping_usage"]
    assert "u.csv" in res.problems[0].message and "d.xlsx" in res.problems[0].message


def test_licenses_sheet_endpoints_whole_month_by_overlap():
    pb = book(customers=[("A", "USD")], rates=[rate("x360recover", "endpoint_server", "55", tier="bundled")],
              licenses=[lic("A", "endpoint-server", dt.date(2026, 11, 20), None),
                        lic("A", "endpoint-server", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
                        lic("A", "endpoint-server", dt.date(2026, 11, 1), dt.date(2026, 11, 2))],
              x360_endpoints_from="licenses")
    res = price_month([], pb, NOV)
    # 2 of 3 assignments overlap November; never prorated: 2 x 55 = 110.00
    assert [(ln.quantity, ln.amount) for ln in res.lines] == [(D(2), D("110.00"))]
    assert "2 of 3 assignments" in res.lines[0].working


def test_cli_basis_replaces_default_but_not_customer_override():
    details = {"uncompressed_gb": "100", "compressed_gb": "60", "can_view_compressed": "1", "plan": "Select"}
    pb = book(customers=[Customer("Own", "USD", "uncompressed"), Customer("Default", "USD")],
              accounts=[("axcient-bff", "1", "Own"), ("axcient-bff", "2", "Default")],
              rates=[rate("axcient-bff", "online_gb", "1")])
    r = read([rec("axcient-bff", "1", "online_gb", 100, details=details),
              rec("axcient-bff", "2", "online_gb", 100, details=details)])
    res = price_month([r], pb.with_default_basis("compressed"), NOV)
    # Own keeps its uncompressed override: 100 x 1 = 100.00; Default follows --basis compressed: 60 x 1 = 60.00
    assert {ln.customer: ln.amount for ln in res.lines} == {"Own": D("100.00"), "Default": D("60.00")}
