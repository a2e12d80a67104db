"""x360Recover pricing unit, table tests (seeds/002 and BILLING_RULES 2, copied
into the cases below).  Every expected figure is worked by hand in the comment."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.test_pricing_fixtures import NOV, book, lic, rate, read, rec
from xlbilling.pricing.engine import price_month

D = Decimal
RATES = [rate("x360recover", "endpoint_server", "55", tier="bundled"),
         rate("x360recover", "endpoint_server", "40", tier="self-hosted"),
         rate("x360recover", "endpoint_server", "45", tier="cloud-only"),
         rate("x360recover", "endpoint_workstation", "12", tier="bundled"),
         rate("x360recover", "endpoint_workstation", "8", tier="self-hosted"),
         rate("x360recover", "storage_license:1TB", "93"), rate("x360recover", "storage_license:2TB", "190"),
         rate("x360recover", "cloud_gb", "0.05")]


def devices(*records):
    return read(list(records), report_type="device-usage", file="devices.csv")


def licenses(*records):
    return read(list(records), report_type="license-assignments", file="licenses.xlsx")


def storage(account, first, last, size):
    return rec("x360recover", account, "storage_license", 1, "day",
               details={"first_day": first, "last_day": last, "size": size, "retention": "3-year"})


def lines(res, customer=None):
    return sorted((ln.customer, ln.item, ln.description, ln.quantity, ln.amount) for ln in res.lines
                  if customer in (None, ln.customer))


def kinds(res):
    # cost_unknown (rates without a vendor cost) is tested in tests/test_costs.py
    return sorted(p.kind for p in res.problems if p.kind != "cost_unknown")


def _two_customers(storage_records):
    pb = book(customers=[("A", "USD"), ("B", "USD")], accounts=[("x360recover", "a", "A"), ("x360recover", "b", "B")],
              rates=RATES)
    dev = devices(rec("x360recover", "a", "endpoint_server", 2, "device", tier="bundled"),
                  rec("x360recover", "a", "cloud_gb", 3000),
                  rec("x360recover", "b", "endpoint_server", 1, "device", tier="bundled"),
                  rec("x360recover", "b", "cloud_gb", 2500))
    lics = licenses(rec("x360recover", "b", "endpoint_server", 1, "license"), *storage_records)
    return price_month([dev, lics], pb, NOV)


def test_mid_month_storage_swap_is_storage_licensed_all_month():
    # A: 1TB license 1..15 Nov, replaced by a 2TB license 16 Nov onwards: covered every day of November
    res = _two_customers([storage("a", "2026-11-01", "2026-11-15", "1TB"), storage("a", "2026-11-16", "", "2TB")])
    assert lines(res, "A") == [
        # 1TB: 93 x 15 days / 30 = 46.50; 2TB: 190 x 15 / 30 = 95.00; no endpoint line for A's 2 servers
        ("A", "storage_license", "x360Recover storage license - a 1TB 3-year retention", D(1), D("46.50")),
        ("A", "storage_license", "x360Recover storage license - a 2TB 3-year retention", D(1), D("95.00")),
    ]
    # B: 1 bundled server license = 55.00; pool = B's 1 x 2000 GB (A adds none), used 2500 (A's 3000 GB are
    # outside the pool) -> overage 500 GB, all B's: 500 x 0.05 = 25.00
    assert lines(res, "B") == [
        ("B", "cloud_gb", "x360Recover cloud storage above the pooled allowance", D(500), D("25.00")),
        ("B", "endpoint_server", "x360Recover server endpoint (bundled)", D(1), D("55.00")),
    ]
    total = next(r for r in res.pool_rows if r.customer == "")
    assert (total.allowance_gb, total.used_gb, total.above_allowance_gb, total.allocated_gb,
            total.outside_pool_gb) == (D(2000), D(2500), D(500), D(500), D(3000))


def test_gap_between_storage_licenses_bills_the_endpoints():
    # 1TB 1..14 Nov, 2TB from 16 Nov: 15 Nov uncovered -> not storage-licensed all month: A's 2 bundled
    # servers bill as endpoints (the device list, no license assignment for A... A has none: licenses are
    # the count when a license report is given, so 0 billed and the systems are a problem)
    res = _two_customers([storage("a", "2026-11-01", "2026-11-14", "1TB"), storage("a", "2026-11-16", "", "2TB")])
    assert "system_without_license" in kinds(res)
    # 1TB 93 x 14/30 = 43.40; 2TB 190 x 15/30 = 95.00
    assert [ln.amount for ln in res.lines if ln.customer == "A"] == [D("43.40"), D("95.00")]


def _combined(lic_count, *device_records, rates=RATES):
    pb = book(customers=[("C", "USD")], accounts=[("x360recover", "c", "C")], rates=rates)
    return price_month([devices(*device_records),
                        licenses(rec("x360recover", "c", "endpoint_server", lic_count, "license"))], pb, NOV)


def test_licenses_count_devices_split_tiers_and_add_cloud_only():
    res = _combined(3, rec("x360recover", "c", "endpoint_server", 1, "device", tier="bundled"),
                    rec("x360recover", "c", "endpoint_server", 1, "device", tier="self-hosted"),
                    rec("x360recover", "c", "endpoint_server", 1, "device", tier="cloud-only"))
    assert lines(res) == [
        # 3 licenses, 2 systems on an appliance (1 bundled, 1 self-hosted): the spare license bills bundled:
        # bundled 1 + 1 = 2 x 55 = 110.00; self-hosted 1 x 40 = 40.00
        ("C", "endpoint_server", "x360Recover server endpoint (bundled)", D(2), D("110.00")),
        # cloud-only on top at the cloud-only rate: 1 x 45 = 45.00
        ("C", "endpoint_server", "x360Recover server endpoint (cloud-only)", D(1), D("45.00")),
        ("C", "endpoint_server", "x360Recover server endpoint (self-hosted)", D(1), D("40.00")),
    ]
    assert kinds(res) == ["license_without_system"]
    problem = next(p for p in res.problems if p.kind == "license_without_system")
    assert problem.customer == "C" and problem.vendor == "x360recover"
    # one spare license: said in the singular, never '1 spare license(s) are billed'
    assert ("has 3 x360Recover server endpoint licenses this month but the device list shows 2 protected servers"
            " on an appliance: the 1 spare license is billed at the bundled rate; check whether it can be removed"
            in problem.message)
    # pool allowance from the 3 licenses (cloud-only adds none): 3 x 2000 = 6000 GB
    assert next(r for r in res.pool_rows if r.customer == "C").allowance_gb == D(6000)


def test_cloud_only_without_its_rate_bills_the_bundled_rate():
    res = _combined(1, rec("x360recover", "c", "endpoint_workstation", 1, "device", tier="cloud-only"),
                    rec("x360recover", "c", "endpoint_server", 1, "device", tier="bundled"))
    got = {ln.description: ln.amount for ln in res.lines}
    # no (endpoint_workstation, cloud-only) rate: bundled 12.00, described as cloud-only
    assert got == {"x360Recover server endpoint (bundled)": D("55.00"),             # 1 license x 55
                   "x360Recover workstation endpoint (cloud-only)": D("12.00")}     # 1 x 12 (bundled rate)
    assert "bundled rate" in next(ln.working for ln in res.lines if "cloud-only" in ln.description)


def test_more_systems_than_licenses_bills_the_licenses_and_is_a_problem():
    res = _combined(1, rec("x360recover", "c", "endpoint_server", 2, "device", tier="bundled"),
                    rec("x360recover", "c", "endpoint_server", 1, "device", tier="self-hosted"))
    # 1 license, 3 systems: the bundled systems take it: 1 x 55 = 55.00
    assert lines(res) == [("C", "endpoint_server", "x360Recover server endpoint (bundled)", D(1), D("55.00"))]
    assert kinds(res) == ["system_without_license"]
    (problem,) = [p for p in res.problems if p.kind == "system_without_license"]
    # one license: never '1 x360Recover server endpoint licenses' or '1 are billed'
    assert ("has 3 protected servers on an appliance but only 1 x360Recover server endpoint license this month:"
            " 1 is billed; check the license assignments" in problem.message)


def test_workstation_licensed_mid_month_and_removed_is_billed():
    # licenses only: an assignment 3..9 Nov overlaps November -> 1 license for the whole month (never
    # prorated), at the bundled rate: 12.00
    pb = book(customers=[("C", "USD")], accounts=[("x360recover", "c", "C")], rates=RATES)
    res = price_month([licenses(rec("x360recover", "c", "endpoint_workstation", 1, "license"))], pb, NOV)
    assert lines(res) == [("C", "endpoint_workstation", "x360Recover workstation endpoint (bundled)", D(1),
                           D("12.00"))]
    assert kinds(res) == []


def test_licenses_sheet_swap_and_pool_rows():
    # Licenses sheet: S's location under 1TB 1..10 Nov then 2TB 11..30 Nov (every day): its device-list
    # server and 4000 GB stay out of the pool; T has 1 workstation license (sheet) and 1 bundled
    # workstation, 700 GB used: pool 200 GB -> overage 500 GB, all T's
    pb = book(customers=[("S", "USD"), ("T", "USD")], accounts=[("x360recover", "s", "S"), ("x360recover", "t", "T")],
              rates=RATES, licenses=[lic("S", "storage", dt.date(2026, 11, 1), dt.date(2026, 11, 10), "93", size="1TB"),
                                     lic("S", "storage", dt.date(2026, 11, 11), None, "190", size="2TB"),
                                     lic("T", "endpoint-workstation", dt.date(2026, 10, 1), None)])
    dev = devices(rec("x360recover", "s", "endpoint_server", 1, "device", tier="bundled"),
                  rec("x360recover", "s", "cloud_gb", 4000),
                  rec("x360recover", "t", "endpoint_workstation", 1, "device", tier="bundled"),
                  rec("x360recover", "t", "cloud_gb", 700))
    res = price_month([dev], pb, NOV)
    assert [(ln.customer, ln.item, ln.amount) for ln in res.lines] == [
        ("S", "storage_license", D("31.00")),        # 93 x 10 / 30 = 31.00
        ("S", "storage_license", D("126.67")),       # 190 x 20 / 30 = 126.666... -> 126.67
        # in service order: endpoints, then the cloud overage
        ("T", "endpoint_workstation", D("12.00")),   # 1 license x 12 (bundled, from the device list split)
        ("T", "cloud_gb", D("25.00")),               # 500 GB x 0.05
    ]
    rows = {r.customer: r for r in res.pool_rows}
    t = rows["T"]
    # T: 1 workstation license x 200 GB = 200 allowance, used 700, above 500, allocated 500
    assert (t.workstation_licenses, t.allowance_gb, t.used_gb, t.above_allowance_gb, t.allocated_gb) == \
        (D(1), D(200), D(700), D(500), D(500))
    assert rows["S"].outside_pool_gb == D(4000) and rows["S"].allocated_gb == 0
