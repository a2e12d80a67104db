"""Reader tests on the samples (xlbilling/samples) and the same data in other
file types (tests/data/adversarial).  Every expected figure is worked by hand
from BILLING_RULES.md / FORMATS.md and the sample tables in
tests/data/make_samples.py - never copied from the reader's output."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from xlbilling.readers import identify, read_report

ROOT = Path(__file__).resolve().parents[1]
from xlbilling.commands.sample_data import SAMPLES_DIR as SAMPLES, sample_path  # noqa: E402,F401
ADV = ROOT / "tests" / "data" / "adversarial"
OCT = dt.date(2026, 10, 1)


def q(result, account, item, tier=None):
    """Sum of the quantities of (account, item[, tier]); None if no record."""
    found = [r for r in result.records if r.account == account and r.item == item
             and (tier is None or r.tier == tier)]
    return sum((r.quantity for r in found), Decimal(0)) if found else None


def keyed(result):
    """{(account, item, tier): summed quantity} (x360 storage licenses: one record each)."""
    out: dict = {}
    for r in result.records:
        key = (r.account, r.item, r.tier)
        out[key] = out[key] + r.quantity if key in out else r.quantity  # no 0 + x: that rounds to 28 digits
    return out


# --- Axcient BFF Raw Customer Data ------------------------------------------------

BFF_UNCOMPRESSED = {
    # 10421 Select, CanViewCompressed 0: UncompressedDiskGB 512.25, LocalUncompressedDiskGB 820.5;
    # LocalBackupIsBillable 1 -> LocalBillableNumServers 1, LocalBillableNumNonServers 3;
    # BillableMailboxes 22 (not ProvisionedMailboxes 25).
    ("10421", "online_gb", ""): Decimal("512.25"),
    ("10421", "local_gb", ""): Decimal("820.5"),
    ("10421", "local_servers", ""): Decimal(1),
    ("10421", "local_workstations", ""): Decimal(3),
    ("10421", "archive_mailboxes", ""): Decimal(22),
    # 10422 Basic: uncompressed 1250 / local 300; LocalBackupIsBillable 0 -> no devices; 0 mailboxes dropped.
    ("10422", "online_gb", ""): Decimal(1250),
    ("10422", "local_gb", ""): Decimal(300),
    # 10423: 2048.75 / 1500; 2 servers, 0 workstations (dropped); 40 mailboxes.
    ("10423", "online_gb", ""): Decimal("2048.75"),
    ("10423", "local_gb", ""): Decimal(1500),
    ("10423", "local_servers", ""): Decimal(2),
    ("10423", "archive_mailboxes", ""): Decimal(40),
    # 10424 IsDel=1 and 10425 IsExpired=1: not billed.  10426: online 0 (dropped), local 2200.4, 3 servers.
    ("10426", "local_gb", ""): Decimal("2200.4"),
    ("10426", "local_servers", ""): Decimal(3),
}

BFF_FILES = [sample_path("axcient_bff_raw_customer_data_2026-10.xls"), ADV / "bff_customer.xlsx",
             ADV / "bff_customer_html.xls", ADV / "bff_customer_bom.csv", ADV / "bff_customer_shuffled_cp1252.csv",
             ADV / "bff_customer_decimal_comma.csv"]


@pytest.mark.parametrize("path", BFF_FILES, ids=lambda p: p.name)
def test_bff_customer_data_same_figures_in_every_file_type(path):
    result = read_report(path)
    assert (result.vendor, result.report_type) == ("axcient-bff", "raw-customer-data")
    assert keyed(result) == BFF_UNCOMPRESSED
    assert result.rows_read == 6
    skipped = {s.account: s for s in result.skipped}
    assert set(skipped) == {"10424", "10425"}
    # deleted account still carrying usage: 75.5 GB uncompressed, 3 mailboxes
    assert skipped["10424"].quantities == {"online_gb": Decimal("75.5"), "archive_mailboxes": Decimal(3)}
    assert "deleted" in skipped["10424"].reason and "expired" in skipped["10425"].reason


def test_bff_file_types_sniffed_from_bytes_not_extension():
    assert read_report(ADV / "bff_customer_html.xls").file_type == "html"
    assert read_report(sample_path("axcient_bff_raw_customer_data_2026-10.xls")).file_type == "xls"


def test_bff_compressed_basis_keeps_basic_uncompressed():
    r = read_report(BFF_FILES[0], basis="compressed")
    assert q(r, "10421", "online_gb") == Decimal("301.5")     # CompressedDiskGB
    assert q(r, "10421", "local_gb") == Decimal("410.75")     # LocalCompressedDiskGB
    assert q(r, "10422", "online_gb") == Decimal(1250)        # Basic: always uncompressed
    assert q(r, "10422", "local_gb") == Decimal(300)
    assert q(r, "10423", "online_gb") == Decimal("1024.125")
    assert q(r, "10426", "local_gb") == Decimal("1100.2")


def test_bff_account_basis_and_per_account_override():
    r = read_report(BFF_FILES[0], basis="account")
    assert q(r, "10421", "online_gb") == Decimal("512.25")    # CanViewCompressed 0 -> uncompressed
    assert q(r, "10423", "online_gb") == Decimal("1024.125")  # CanViewCompressed 1 -> compressed
    assert q(r, "10422", "online_gb") == Decimal(1250)        # Basic
    r = read_report(BFF_FILES[0], basis_by_account={"10421": "compressed"})
    assert q(r, "10421", "online_gb") == Decimal("301.5")
    assert q(r, "10423", "online_gb") == Decimal("2048.75")   # default uncompressed still


def test_bff_details_let_pricing_reapply_the_basis():
    r = read_report(BFF_FILES[0])
    rec = next(x for x in r.records if x.account == "10423" and x.item == "online_gb")
    assert rec.customer == "Fabrikam Logistics"
    assert rec.unit == "GB"
    assert rec.source.sheet == "Raw Customer Data" and rec.source.rows == (4,)
    d = rec.details
    assert (d["plan"], d["can_view_compressed"], d["uncompressed_gb"], d["compressed_gb"],
            d["local_uncompressed_gb"], d["local_compressed_gb"]) == ("Select", "1", "2048.75", "1024.125",
                                                                      "1500", "900.5")
    assert all(isinstance(v, str) for v in d.values())


def test_bff_unknown_columns_listed():
    r = read_report(ADV / "bff_customer_shuffled_cp1252.csv")
    assert r.unknown_columns == ("NewVendorField", "Région")   # cp1252 decoded
    assert r.columns[0] == "SPlan"                                  # canonical names, file order


# --- Raw Account Data --------------------------------------------------------------

def test_bff_account_data_rolls_up_without_double_counting():
    r = read_report(sample_path("axcient_bff_raw_account_data_2026-10.xlsx"))
    assert r.report_type == "raw-account-data"
    assert keyed(r) == {
        # 20001 + 20002 + 20003 (deleted, zeroed): plain fields summed, WithSub never added
        ("20001", "online_gb", ""): Decimal("140.75"),        # 100.5 + 40.25 + 0
        ("20001", "local_gb", ""): Decimal(80),               # 50 + 30
        ("20001", "local_servers", ""): Decimal(1),           # 1 + 0
        ("20001", "local_workstations", ""): Decimal(2),      # 0 + 2
        ("20001", "archive_mailboxes", ""): Decimal(8),       # 5 + 3 (not provisioned 9)
        # 20010 Basic (+ 20011): 10 + 15.5 uncompressed; LocalBackupIsBillable 0; no mailboxes
        ("20010", "online_gb", ""): Decimal("25.5"),
    }
    assert r.warnings == ()  # WithSub columns agree with the roll-up
    assert next(x for x in r.records if x.account == "20001").source.rows == (2, 3, 4)


# --- x360Recover ---------------------------------------------------------------------

X360_DEVICES = {
    ("3001", "endpoint_server", "bundled"): Decimal(2),      # NWD-DC01 (Cloud), NWD-FS01 (Cloud;Private)
    ("3001", "endpoint_server", "cloud-only"): Decimal(1),   # NWD-OLDSRV: Cloud vault, not on appliance
    ("3001", "endpoint_workstation", "self-hosted"): Decimal(2),  # Private only / no vault
    # (1250000000000 + 800500000000 + 0 + 0 + 300000000000) bytes / 10^9 = 2350.5 GB
    ("3001", "cloud_gb", ""): Decimal("2350.5"),
    ("3002", "endpoint_server", "bundled"): Decimal(1),
    ("3002", "d2c_workstation", ""): Decimal(1),             # d2c: outside endpoint licensing and cloud_gb
    ("3002", "cloud_gb", ""): Decimal(2100),                 # 2100000000000 / 10^9 (d2c's 95 GB left out)
    ("3003", "endpoint_server", "self-hosted"): Decimal(1),
    ("3003", "endpoint_workstation", "bundled"): Decimal(1),
    ("3003", "cloud_gb", ""): Decimal("150.25"),             # 150250000000 / 10^9
}


@pytest.mark.parametrize("path", [sample_path("x360recover_devices_2026-10.csv"), ADV / "x360_devices_api.csv"],
                         ids=lambda p: p.name)
def test_x360_devices(path):
    r = read_report(path)
    assert (r.vendor, r.report_type) == ("x360recover", "device-usage")
    assert keyed(r) == X360_DEVICES
    assert {x.unit for x in r.records if x.item.startswith(("endpoint", "d2c"))} == {"device"}


def test_x360_devices_customer_is_client_name():
    r = read_report(sample_path("x360recover_devices_2026-10.csv"))
    assert {x.account: x.customer for x in r.records}["3002"] == "Contoso Legal LLP"


@pytest.mark.parametrize("path", [sample_path("x360recover_licenses.xlsx"), ADV / "x360_licenses_serial_dates.csv"],
                         ids=lambda p: p.name)
def test_x360_licenses_for_october(path):
    r = read_report(path, month=OCT)
    assert keyed(r) == {
        # three server assignments open in October (two since March, one from 20 Oct): not prorated
        ("3001", "endpoint_server", ""): Decimal(3),
        # workstation to 1 Oct overlaps (1 day = whole month); the one to 30 Sep does not
        ("3001", "endpoint_workstation", ""): Decimal(1),
        ("3002", "endpoint_server", ""): Decimal(1),          # to 5 Oct
        ("3002", "storage_license", ""): Decimal(26),         # 6..31 Oct = 31 - 6 + 1
        ("Fabrikam Logistics", "storage_license", ""): Decimal(31),  # 14 (1..14) + 17 (15..31), two records
    }
    storage = [x for x in r.records if x.account == "Fabrikam Logistics"]
    assert sorted(x.quantity for x in storage) == [14, 17]
    d = next(x for x in storage if x.quantity == 14).details
    assert (d["first_day"], d["last_day"], d["days_in_month"], d["size"], d["retention"]) == \
        ("2026-05-01", "2026-10-14", "31", "1TB", "10 years")
    assert next(x for x in storage if x.quantity == 17).details["last_day"] == ""
    assert len(r.skipped) == 1 and r.skipped[0].source.rows == (6,)


def test_x360_licenses_in_another_month():
    r = read_report(sample_path("x360recover_licenses.xlsx"), month=dt.date(2026, 9, 1))
    # September: 2 servers since March (the 20 Oct one not yet), both workstations
    # (to 1 Oct and to 30 Sep), Contoso's server; Fabrikam's 1TB storage all 30 days.
    assert keyed(r) == {("3001", "endpoint_server", ""): 2, ("3001", "endpoint_workstation", ""): 2,
                        ("3002", "endpoint_server", ""): 1, ("Fabrikam Logistics", "storage_license", ""): 30}


# --- Acronis ------------------------------------------------------------------------------

NWD, WWI, MSP = ("8f1c2a8e-4d6b-4b6e-9a51-0c1d2e3f4a01", "2b7d9e10-5c3a-4f2b-8e61-1a2b3c4d5e02",
                 "c0ffee00-1111-4222-8333-944455556603")
ACRONIS = {
    # storage is keyed by backend (item:infra.backend_type), as Acronis' WHMCS module keys name_<backend>
    (NWD, "pw_base_storage:azure", ""): Decimal(600),      # (500 + 100) x 1024^3 bytes over two azure infras
    (NWD, "pw_base_workstations", ""): Decimal(12),        # customer: total 12 (production 10 + trial 2)
    (NWD, "pw_base_servers", ""): Decimal(3),
    (NWD, "dr_compute_points", ""): Decimal("7.5"),        # delta 27000 s / 3600 (absolute ignored)
    (WWI, "pw_base_vms", ""): Decimal(4),
    (WWI, "pw_base_m365_seats", ""): Decimal(55),
    # 1288490188 / 1073741824 exactly (2^30 divides 10^30: a terminating decimal)
    (WWI, "pw_base_storage:azure", ""): Decimal("1.1999999992549419403076171875"),
    (MSP, "pw_base_storage:azure", ""): Decimal(200),      # partner: production 200 GiB, not total 300
}


@pytest.mark.parametrize("path", [sample_path("acronis_usage_2026-10.csv.gz"), ADV / "acronis_usage_shuffled.csv"],
                         ids=lambda p: p.name)
def test_acronis_csv_v2_0(path):
    r = read_report(path)
    assert (r.vendor, r.report_type) == ("acronis", "usage-csv_v2_0")
    assert keyed(r) == ACRONIS
    units = {x.item: x.unit for x in r.records}
    assert units == {"pw_base_storage:azure": "GB", "pw_base_workstations": "workstation", "pw_base_servers": "server",
                     "dr_compute_points": "point", "pw_base_vms": "vm", "pw_base_m365_seats": "seat"}
    reasons = sorted(s.reason for s in r.skipped)
    assert any("pw_base_m365_mailboxes" in x for x in reasons)   # feature switch, not seats
    assert any("zero quantity" in x for x in reasons)            # WWI local_storage 0
    rec = next(x for x in r.records if x.account == NWD and x.item == "pw_base_storage:azure")
    assert rec.source.rows == (2, 3) and rec.customer == "Northwind Dental"
    assert rec.details["tenant_kind"] == "customer"
    assert (rec.details["backend_type"], rec.details["offering_item"]) == ("azure", "pw_base_storage")
    assert rec.details["infra_owner_id"] == MSP
    # trial-free figure for the price book's trial setting: workstations total 12, production 10
    seats = next(x for x in r.records if x.account == NWD and x.item == "pw_base_workstations")
    assert seats.details["production_quantity"] == "10"
    partner = next(x for x in r.records if x.account == MSP)
    assert partner.details["usage_field"] == "usage.absolute.production"


def test_acronis_edition_defaults_to_standard_when_missing():
    r = read_report(ADV / "acronis_usage_shuffled.csv")  # written without the edition column
    assert {x.details["edition"] for x in r.records} == {"standard"}
    r = read_report(sample_path("acronis_usage_2026-10.csv.gz"))
    assert next(x for x in r.records if x.item == "dr_compute_points").details["edition"] == "disaster_recovery"


def test_acronis_distributor_usage_records():
    r = read_report(sample_path("acronis_usage_records_2026-10.xlsx"))
    assert r.report_type == "usage-records"
    got = {(x.account, x.item): (x.quantity, x.unit, x.vendor_amount) for x in r.records}
    assert got == {
        ("Northwind Dental", "Backup storage, SKU-SB1AMSENS"): (Decimal("512.5"), "GB", Decimal("12.3")),
        ("Northwind Dental", "Workstation, SKU-WS1AMSENS"): (Decimal(12), "unit", Decimal("36.6")),
        ("Wide World Importers", "Microsoft 365 seats, SKU-M365AMSENS"): (Decimal(55), "unit", Decimal("47.85")),
        ("Wide World Importers", "Backup storage, SKU-SB1AMSENS"): (Decimal("1.2"), "GB", Decimal("0.0288")),
    }   # the Server row has quantity 0: dropped (seeds/004)
    assert [s.reason for s in r.skipped] == ["zero quantity: not billed"]


# --- Altaro / Hornetsecurity ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["altaro_itemised_2026-10.csv", "altaro_itemised_2026-10.json"])
def test_altaro_billed_users(name):
    r = read_report(sample_path(name))
    assert keyed(r) == {
        # Ann Lee (Mailbox, OneDrive, 'ann lee' Teams chats: one), Bob Stone, Shared Calendar (N/A),
        # Carla Diaz = 4; 'Legal Team Site' is a SharePoint Site: not billed.
        ("Contoso Legal LLP", "m365_users", ""): Decimal(4),
        ("Tailspin Toys", "m365_users", ""): Decimal(2),       # Dan Wu, Eve Park (Teams group not billed)
        ("Fabrikam Logistics", "m365_users", ""): Decimal(2),  # Frank Ito, Gina Ruiz = 'Gina  Ruiz'
    }
    assert {x.unit for x in r.records} == {"user"}
    assert len([w for w in r.warnings if "ONE user" in w]) == 2
    assert any("'Ann Lee' / 'ann lee'" in w for w in r.warnings)
    # typed: kind + the customer account they concern, so pricing never reads the words
    same = sorted((p.kind, p.vendor, p.account) for p in r.problems if p.kind == "same_name_users")
    assert same == [("same_name_users", "altaro", "Contoso Legal LLP"), ("same_name_users", "altaro", "Fabrikam Logistics")]


def test_hornetsecurity_priced_licenses():
    r = read_report(sample_path("hornetsecurity_licenses_2026-10.csv"))
    assert (r.vendor, r.report_type) == ("hornetsecurity", "priced-licenses")
    got = {(x.account, x.item): (x.quantity, x.vendor_amount, x.vendor_currency) for x in r.records}
    assert got == {
        ("HS-1001", "365TB"): (Decimal(25), Decimal("52.50"), "EUR"),          # 25 x 2,10 = 52,50
        ("HS-1001", "Archiving Add-on"): (Decimal(25), Decimal("18.75"), "EUR"),  # Product Code OTHER
        ("HS-1002", "365TP"): (Decimal(1200), Decimal("2340.00"), "EUR"),      # '1.200' and '2.340,00'
    }
    d = next(x for x in r.records if x.item == "365TP").details
    assert (d["price_per_license"], d["date_from"], d["date_to"]) == ("1.95", "2026-10-01", "2026-10-31")


# --- identify and the import table ---------------------------------------------------------------

def test_identify_without_reading_everything():
    info = identify(sample_path("acronis_usage_2026-10.csv.gz"))
    assert (info.reader, info.file_type, info.header_row) == ("acronis-usage-csv_v2_0", "csv.gz", 1)
    info = identify(sample_path("axcient_bff_raw_customer_data_2026-10.xls"))
    assert (info.vendor, info.sheet) == ("axcient-bff", "Raw Customer Data")


def test_rows_for_the_import_sheet_are_typed_and_lazy():
    r = read_report(sample_path("x360recover_licenses.xlsx"), month=OCT)
    assert repr(r.rows) == "LazyRows(not built)"
    assert r.columns == ("location", "client_id", "license_type", "size", "retention", "first_day", "last_day")
    assert r.rows[0] == ("Northwind Dental", Decimal(3001), "endpoint-server", None, None, dt.date(2026, 3, 1), None)
    assert len(r.rows) == 9
    assert len(r.sha256) == 64


@pytest.mark.parametrize("sample", ["x360recover_licenses.xlsx", "acronis_usage_2026-10.csv.gz"])
def test_import_rows_stream_in_chunks_without_being_kept(sample):
    """The writer's two uses: head() for column widths, stream() for the sheet;
    neither keeps the rows (the whole point: a written sheet's rows are freed),
    and both give exactly the rows indexing builds (Acronis: from the file read again)."""
    r = read_report(sample_path(sample), month=OCT)
    head = r.rows.head(3)
    streamed = list(r.rows.stream(chunk_rows=2))    # chunk boundaries inside the table
    assert repr(r.rows) == "LazyRows(not built)" and len(r.rows) == r.rows_read
    again = list(r.rows.stream(chunk_rows=4))       # opened again after a stream
    built = list(r.rows)
    assert repr(r.rows) == "LazyRows(built)"
    assert streamed == again == built and head == built[:3] and len(built) == r.rows_read > 3
    assert list(r.rows.stream()) == built and r.rows.head(2) == built[:2]


def test_header_below_title_rows_and_blank_rows(tmp_path):
    text = ("Itemised billing report,,\r\nGenerated 2026-11-02,,\r\n,,\r\n"
            "Customer Name,Object Type Backed Up,Object Name\r\n"
            "Tailspin Toys,Mailbox,Dan Wu\r\n,,\r\nTailspin Toys,OneDrive,Eve Park\r\n,,\r\n,,\r\n")
    p = tmp_path / "report.csv"
    p.write_text(text, encoding="utf-8", newline="")
    r = read_report(p)
    assert keyed(r) == {("Tailspin Toys", "m365_users", ""): 2}
    # header on line 4, data on 5 and 7 (the blank line 6 keeps its number)
    assert r.records[0].source.rows == (5, 7)
    assert r.rows_read == 2


# --- the same data through the other code paths ----------------------------------------------

def _csv_to_xlsx(src_text: str, dest: Path, title_rows: int = 0) -> None:
    import csv as _csv
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Usage"
    for _ in range(title_rows):
        ws.append(["Usage report October 2026"])
    for i, row in enumerate(_csv.reader(io.StringIO(src_text))):
        # numbers as numbers (floats from the workbook, as calamine reads them), text as text
        ws.append([float(v) if i and v.replace(".", "", 1).isdigit() else v for v in row])
    wb.save(dest)


def test_acronis_from_a_workbook_with_title_rows(tmp_path):
    text = (ADV / "acronis_usage_shuffled.csv").read_text(encoding="utf-8")
    p = tmp_path / "acronis.xlsx"
    _csv_to_xlsx(text, p, title_rows=2)
    r = read_report(p)
    assert keyed(r) == ACRONIS
    # header on row 3, first data row 4: (2, 3) in the CSV becomes (4, 5)
    assert next(x for x in r.records if x.account == NWD and x.item == "pw_base_storage:azure").source.rows == (4, 5)


def test_acronis_decimal_cells_are_summed_exactly(tmp_path):
    p = tmp_path / "acr.csv"
    head = ("name,tenant.id,tenant.kind,usage.absolute.production,usage.absolute.total,"
            "usage.delta.production,usage.delta.total\r\n")
    p.write_text(head + "pw_base_m365_seats,t1,customer,0,1.1,0,0\r\n"
                        "pw_base_m365_seats,t1,customer,0,2.2,0,0\r\n"
                        "pw_base_m365_seats,t1,customer,0,\"1,000\",0,0\r\n"
                        "compute_points,t1,customer,0,0,0,1000\r\n", encoding="utf-8")
    r = read_report(p)
    assert q(r, "t1", "pw_base_m365_seats") == Decimal("1003.3")   # 1.1 + 2.2 + 1000, not 3.3000000000000003
    # 1000 seconds / 3600 = 0.2777...: rounded to 2 decimals as Acronis documents points
    assert q(r, "t1", "compute_points") == Decimal("0.28")


def test_x360_devices_without_on_appliance_use_local_usage(tmp_path):
    p = tmp_path / "devices.csv"
    p.write_text('id,name,client_id,type,d2c,vaults,local_usage,cloud_usage\r\n'
                 'd1,SRV1,c9,SERVER,false,"[{\'id\': 1, \'type\': \'Cloud\'}]",500,1000000000\r\n'
                 'd2,SRV2,c9,SERVER,false,"[{""type"": ""Cloud""}]",0,2500000000\r\n'
                 'd3,WS1,c9,Workstation,false,[],10,0\r\n', encoding="utf-8")
    r = read_report(p)
    assert keyed(r) == {("c9", "endpoint_server", "bundled"): 1,       # local data + Cloud vault
                        ("c9", "endpoint_server", "cloud-only"): 1,    # local_usage 0 + Cloud vault
                        ("c9", "endpoint_workstation", "self-hosted"): 1,  # no vault
                        ("c9", "cloud_gb", ""): Decimal("3.5")}        # (1e9 + 2.5e9) / 1e9
    assert any("local_usage 0" in w for w in r.warnings)
    assert [p.kind for p in r.problems] == ["assumed_tier"] and r.problems[0].source == r.file


def test_bff_customer_data_header_below_a_title_in_a_workbook(tmp_path):
    text = (ADV / "bff_customer_bom.csv").read_text(encoding="utf-8-sig")
    p = tmp_path / "bff.xlsx"
    _csv_to_xlsx(text, p, title_rows=1)
    r = read_report(p)
    assert keyed(r) == BFF_UNCOMPRESSED
    assert next(x for x in r.records if x.account == "10421").source.rows == (3,)


def test_encodings_utf16_and_cp1252_after_a_utf8_start(tmp_path):
    head = "Customer\tObject Type Backed Up\tObject Name\r\nTailspin Toys\tMailbox\tDan Wu\r\n"
    p = tmp_path / "u16.txt"
    p.write_bytes(head.encode("utf-16"))          # Excel "Unicode text": UTF-16 with BOM, tabs
    assert keyed(read_report(p)) == {("Tailspin Toys", "m365_users", ""): 1}
    body = "Customer,Object Type Backed Up,Object Name\r\n" + "Tailspin Toys,Mailbox,Dan Wu\r\n" * 5000
    p = tmp_path / "mixed.csv"
    p.write_bytes(body.encode("utf-8") + "Café Müller,Mailbox,José\r\n".encode("cp1252"))
    r = read_report(p)
    assert keyed(r) == {("Tailspin Toys", "m365_users", ""): 1, ("Café Müller", "m365_users", ""): 1}
    assert r.records[1].source.rows == (5002,)
