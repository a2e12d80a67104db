"""Descriptions a customer can read, and lines in the order a person reads an invoice."""
from __future__ import annotations

from tests.test_pricing_fixtures import NOV, book, rate, read, rec
from xlbilling.pricing.engine import price_month
from xlbilling.writers.pricebook_init import pricebook_rows


def test_pricebook_init_proposes_product_names_never_item_keys():
    r = read([rec("acronis", "t", "dr_compute_points", 2, "point"), rec("acronis", "t", "pw_base_servers", 1, "server"),
              rec("x360recover", "c", "d2c_workstation", 1, "device"), rec("acronis", "t", "odd_new_item", 1, "x")],
             file="mixed.csv")
    described = {row[1]: row[11] for row in pricebook_rows([r])["rates"]}
    assert described["dr_compute_points"] == "Acronis Disaster Recovery, compute points"
    assert described["pw_base_servers"] == "Acronis Cyber Protect, servers"
    assert described["d2c_workstation"] == "x360Recover Direct-to-Cloud workstation"
    assert described["odd_new_item"] == "Odd new item"          # no label: the key in words, not the key
    assert not any("_" in d for d in described.values())


def test_report_product_name_is_the_description():
    pb = book(customers=[("W", "EUR")], accounts=[("altaro", "HS-1", "W")])
    r = read([rec("altaro", "HS-1", "365TB", 25, "license", amount="52.50", currency="EUR",
                  details={"product": "365 Total Backup"})])
    (line,) = price_month([r], pb, NOV).lines
    assert line.description == "365 Total Backup"      # the report's product name, not the code 365TB


def test_lines_ordered_by_vendor_then_service():
    pb = book(customers=[("A", "USD")], accounts=[("x360recover", "x", "A"), ("acronis", "t", "A"),
                                                  ("axcient-bff", "1", "A")],
              rates=[rate("x360recover", "cloud_gb", "0.05"), rate("x360recover", "endpoint_server", "55"),
                     rate("acronis", "pw_base_storage", "0.5"), rate("acronis", "pw_base_workstations", "3"),
                     rate("axcient-bff", "online_gb", "0.25")])
    res = price_month([read([rec("x360recover", "x", "endpoint_server", 1, "license")], file="l.xlsx",
                            report_type="license-assignments"),
                       read([rec("acronis", "t", "pw_base_storage", 10), rec("acronis", "t", "pw_base_workstations", 2,
                                                                             "workstation")], file="a.csv"),
                       read([rec("axcient-bff", "1", "online_gb", 10)], file="b.csv")], pb, NOV)
    # Acronis (workstations before storage, as its unit lists its services), Axcient BFF, x360Recover
    assert [(ln.vendor, ln.item) for ln in res.lines] == [
        ("acronis", "pw_base_workstations"), ("acronis", "pw_base_storage"), ("axcient-bff", "online_gb"),
        ("x360recover", "endpoint_server")]


def test_pricebook_init_hint_goes_to_notes_never_to_an_invoice(tmp_path):
    """The 'report states the sell price' hint of pricebook init lands in the Rates
    Notes column; a price book made from those rows invoices the product name only."""
    from openpyxl import load_workbook

    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.writers.pricebook_template import write_pricebook

    r = read([rec("hornetsecurity", "HS-1", "365TB", 25, "license", amount="52.50", currency="EUR",
                  details={"product": "365 Total Backup"})])
    rows = pricebook_rows([r], "EUR")
    (rate_row,) = rows["rates"]
    assert rate_row[11] == "365 Total Backup"                  # Description: invoice text only
    assert "sell price" in rate_row[13]                        # Notes: the hint
    accounts = [tuple(a[:3]) + ("W", "yes") + tuple(a[5:]) for a in rows["accounts"]]
    path = write_pricebook(tmp_path / "pb.xlsx", customers=[("W", "EUR", None, None)], accounts=accounts,
                           rates=rows["rates"])
    ws = load_workbook(path)["Rates"]
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("Notes") + 1).value.startswith("report states the sell price")
    pb = load_pricebook(path)
    (line,) = price_month([r], pb, NOV).lines
    assert line.description == "365 Total Backup"
    assert str(line.amount) == "52.50"                         # 25 x 2.10, the report's stated price
    assert not any("sell price" in str(v) for v in (line.description, line.working, line.unit))
