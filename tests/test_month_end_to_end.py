"""One month through every pricing unit (Axcient BFF, x360Recover, Acronis,
Altaro / Hornetsecurity-style stated prices), commitments, FX and JPY, compared
to totals worked by hand below.  Mapped usage is built in memory (the readers
have their own golden tests)."""
from __future__ import annotations

from decimal import Decimal

from tests.test_pricing_fixtures import NOV, book, rate, read, rec
from xlbilling.pricing.engine import price_month

D = Decimal


def _storage(account, first, last, size):
    return rec("x360recover", account, "storage_license", 1, "day",
               details={"first_day": first, "last_day": last, "size": size, "retention": ""})


def _month():
    pb = book(customers=[("Acme", "USD"), ("Euro GmbH", "EUR"), ("Store Co", "USD"), ("Tokyo KK", "JPY")],
              accounts=[("axcient-bff", "100", "Acme"), ("acronis", "t-acme", "Acme"), ("acronis", "t-tok", "Tokyo KK"),
                        ("altaro", "Acme", "Acme"), ("altaro", "Euro", "Euro GmbH"), ("altaro", "HS-1", "Euro GmbH"),
                        ("x360recover", "c1", "Acme"), ("x360recover", "s1", "Store Co")],
              rates=[rate("axcient-bff", "online_gb", "0.25"), rate("axcient-bff", "archive_mailboxes", "1.10"),
                     rate("acronis", "pw_base_servers", "30"), rate("acronis", "pw_base_storage", "0.5"),
                     rate("altaro", "m365_users", "3.5"),
                     rate("altaro", "m365_users", "2", customer="Euro GmbH", currency="USD"),
                     rate("x360recover", "endpoint_server", "55", tier="bundled"),
                     rate("x360recover", "storage_license:1TB", "93"), rate("x360recover", "storage_license:2TB", "190"),
                     rate("x360recover", "cloud_gb", "0.05")],
              fx=[("USD", "EUR", "0.9"), ("USD", "JPY", "150.123")],
              commitments=[("Acme", "acronis", "100", "USD")])
    reads = [
        read([rec("axcient-bff", "100", "online_gb", 100), rec("axcient-bff", "100", "archive_mailboxes", 3, "mailbox")],
             file="bff.xls"),
        read([rec("acronis", "t-acme", "pw_base_servers", 2, "server"), rec("acronis", "t-tok", "pw_base_storage", 40)],
             file="acronis.csv"),
        read([rec("altaro", "Acme", "m365_users", 4, "user"), rec("altaro", "Euro", "m365_users", 10, "user"),
              rec("altaro", "HS-1", "365TB", 25, "license", amount="52.50", currency="EUR",
                  details={"product": "365 Total Backup"})], file="altaro.csv"),
        read([rec("x360recover", "c1", "endpoint_server", 1, "device", tier="bundled"),
              rec("x360recover", "c1", "cloud_gb", 2500),
              rec("x360recover", "s1", "endpoint_server", 2, "device", tier="bundled"),
              rec("x360recover", "s1", "cloud_gb", 3000)], report_type="device-usage", file="devices.csv"),
        read([rec("x360recover", "c1", "endpoint_server", 1, "license"),
              _storage("s1", "2026-11-01", "2026-11-15", "1TB"), _storage("s1", "2026-11-16", "", "2TB")],
             report_type="license-assignments", file="licenses.xlsx"),
    ]
    return price_month(reads, pb, NOV)


def test_every_invoice_to_the_cent():
    res = _month()
    inv = {i.customer: i for i in res.invoices}
    acme = [(ln.vendor, ln.item, ln.amount) for ln in inv["Acme"].lines]
    assert acme == [
        ("acronis", "pw_base_servers", D("60.00")),               # 2 x 30
        ("acronis", "minimum_commitment_fee", D("40.00")),        # commitment 100 - usage 60.00
        ("altaro", "m365_users", D("14.00")),                     # 4 x 3.50
        ("axcient-bff", "online_gb", D("25.00")),                 # 100 x 0.25
        ("axcient-bff", "archive_mailboxes", D("3.30")),          # 3 x 1.10
        ("x360recover", "endpoint_server", D("55.00")),           # 1 license, bundled (device list)
        # pool: Acme's 1 server license = 2000 GB (Store Co is storage-licensed all month: adds nothing,
        # its 3000 GB outside the pool); used 2500 -> 500 GB overage, all Acme's: 500 x 0.05
        ("x360recover", "cloud_gb", D("25.00")),
    ]
    # 60.00 + 40.00 + 14.00 + 25.00 + 3.30 + 55.00 + 25.00 = 222.30
    assert inv["Acme"].total == D("222.30")
    # Euro GmbH: 10 users x USD 2 = 20 x 0.9 = EUR 18.00; the report's own price 52.50 EUR stands
    assert [(ln.description, ln.amount) for ln in inv["Euro GmbH"].lines] == [
        ("Microsoft 365 backup users", D("18.00")), ("365 Total Backup", D("52.50"))]
    assert inv["Euro GmbH"].total == D("70.50")                 # 52.50 + 18.00
    assert inv["Euro GmbH"].fx_rate is None                     # not wholly converted: no "converted from"
    # Store Co: 1TB 93 x 15/30 = 46.50; 2TB 190 x 15/30 = 95.00; no endpoint charge for its 2 servers
    assert [ln.amount for ln in inv["Store Co"].lines] == [D("46.50"), D("95.00")]
    assert inv["Store Co"].total == D("141.50")
    # Tokyo KK: 40 GB x USD 0.5 = 20 x 150.123 = 3002.46 -> JPY 3002 (0 decimals), wholly converted
    assert inv["Tokyo KK"].total == D("3002")
    assert (inv["Tokyo KK"].fx_rate, inv["Tokyo KK"].primary_currency) == (D("150.123"), "USD")
    assert len({i.invoice_number for i in res.invoices}) == 4   # one number each (numbering: its own module)


def test_month_problems_and_pool():
    res = _month()
    assert not res.blocking_problems
    total = next(r for r in res.pool_rows if r.customer == "")
    assert (total.allowance_gb, total.used_gb, total.above_allowance_gb, total.allocated_gb) == \
        (D(2000), D(2500), D(500), D(500))
    # no vendor costs in this price book: every reconciliation row says unknown, none claims 100% margin
    assert res.reconciliation and all(r.cost is None and r.margin_pct is None for r in res.reconciliation)
