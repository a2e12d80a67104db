"""Writes the sample vendor reports (xlbilling/samples/2026-10/, the demo's
input, and xlbilling/samples/alternative-formats/) and the adversarial ones (tests/data/adversarial/) from the tables
below.  Anonymised and invented: one month (2026-10), five customers shared
across vendors.  Expected figures are worked by hand in tests/test_read_samples.py.

    PYTHONPATH=/path/to/xlwt-1.3.0-py2.py3-none-any.whl python tests/data/make_samples.py
    (or `pip install xlwt`: only this script needs it, for the real BIFF .xls)

Re-running rewrites every file (byte-for-byte stable apart from xlsx/xls
timestamps); then regenerate and review the goldens (docs/readers.md).
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "xlbilling" / "samples" / "2026-10"          # one report per vendor and type
ALT = ROOT / "xlbilling" / "samples" / "alternative-formats"  # the same usage in other formats
ADV = ROOT / "tests" / "data" / "adversarial"

# --- Axcient Backup for Files: Raw Customer Data (seeds/000) --------------------
BFF_COLUMNS = ["AccountNo", "AccountName", "InternalDescription", "SPlan", "IsDel", "IsExpired",
               "CanViewCompressed", "UncompressedDiskGB", "CompressedDiskGB", "BillableDiskGB",
               "LocalBackupIsBillable", "LocalBillableNumServers", "LocalBillableNumNonServers", "LocalNumServers",
               "LocalNumNonServers", "LocalUncompressedDiskGB", "LocalCompressedDiskGB", "LocalBillableDiskGB",
               "ProvisionedMailboxes", "BillableMailboxes"]
BFF_ROWS = [
    [10421, "nwd-main", "Northwind Dental", "Select", 0, 0, 0, 512.25, 301.5, 512.25, 1, 1, 3, 2, 5, 820.5, 410.75,
     820.5, 25, 22],
    [10422, "contoso", "Contoso Legal LLP", "Basic", 0, 0, 1, 1250.0, 700.2, 700.2, 0, 0, 0, 1, 2, 300, 150, 150, 0, 0],
    [10423, "fabrikam", "Fabrikam Logistics", "Select", 0, 0, 1, 2048.75, 1024.125, 1024.125, 1, 2, 0, 2, 0, 1500,
     900.5, 900.5, 40, 40],
    [10424, "tailspin-old", "Tailspin Toys", "Select", 1, 0, 0, 75.5, 40, 75.5, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3],
    [10425, "wwi-trial", "Wide World Importers", "Trial (Basic)", 0, 1, 0, 10, 6, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [10426, "wwi-bdr", "Wide World Importers", "ShadowProtect BDR", 0, 0, 0, 0, 0, 0, 1, 3, 0, 3, 0, 2200.4, 1100.2,
     2200.4, 0, 0],
]

# --- Raw Account Data: sub-accounts with WithSub on the parent -------------------
ACC_PLAIN = ["UncompressedDiskGB", "CompressedDiskGB", "LocalBillableNumServers", "LocalBillableNumNonServers",
             "LocalUncompressedDiskGB", "LocalCompressedDiskGB", "ProvisionedMailboxes", "BillableMailboxes"]
ACC_COLUMNS = (["AccountNo", "ParentAccountNo", "AccountName", "InternalDescription", "SPlan", "IsDel", "IsExpired",
                "CanViewCompressed", "LocalBackupIsBillable"] + ACC_PLAIN + [c + "WithSub" for c in ACC_PLAIN])
_ACC = [  # account, parent, name, description, plan, del, exp, cvc, localbill, plain...
    (20001, "", "nwd", "Northwind Dental", "Select", 0, 0, 0, 1, [100.5, 60, 1, 0, 50, 25, 5, 5]),
    (20002, 20001, "nwd-branch", "Northwind Dental - Branch", "Select", 0, 0, 0, 1, [40.25, 20, 0, 2, 30, 10, 4, 3]),
    (20003, 20001, "nwd-old", "Northwind Dental - closed", "Select", 1, 0, 0, 1, [0, 0, 0, 0, 0, 0, 0, 0]),
    (20010, "", "tailspin", "Tailspin Toys", "Basic", 0, 0, 1, 0, [10, 5, 0, 0, 0, 0, 0, 0]),
    (20011, 20010, "tailspin-shop", "Tailspin Toys - Shop", "Basic", 0, 0, 1, 0, [15.5, 7, 0, 0, 0, 0, 0, 0]),
]


def acc_rows() -> list[list]:
    by_parent: dict[int, list[list[float]]] = {}
    for a in _ACC:
        by_parent.setdefault(a[1] or a[0], []).append(a[9])
    rows = []
    for a in _ACC:
        withsub = [sum(v[i] for v in by_parent[a[0]]) for i in range(8)] if not a[1] else a[9]
        rows.append([a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]] + a[9] + withsub)
    return rows


# --- x360Recover device list (canonical columns, docs/architecture.md) ----------
X360_COLUMNS = ["client_id", "client_name", "id", "name", "type", "os", "d2c", "vault_types", "on_appliance",
                "local_usage", "cloud_usage", "vault_usage", "tier"]
X360_ROWS = [
    [3001, "Northwind Dental", "d-101", "NWD-DC01", "SERVER", "Windows Server 2022", 0, "Cloud", 1,
     1400000000000, 1250000000000, 1250000000000, "bundled"],
    [3001, "Northwind Dental", "d-102", "NWD-FS01", "SERVER", "Windows Server 2019", 0, "Cloud;Private", 1,
     900000000000, 800500000000, 1601000000000, "bundled"],
    [3001, "Northwind Dental", "d-103", "NWD-WS01", "WORKSTATION", "Windows 11 Pro", 0, "Private", 1,
     120000000000, 0, 110000000000, "self-hosted"],
    [3001, "Northwind Dental", "d-104", "NWD-WS02", "WORKSTATION", "Windows 10 Pro", 0, "", 1,
     95000000000, 0, 0, "self-hosted"],
    [3001, "Northwind Dental", "d-099", "NWD-OLDSRV", "SERVER", "Windows Server 2012 R2", 0, "Cloud", 0,
     0, 300000000000, 300000000000, "cloud-only"],
    [3002, "Contoso Legal LLP", "d-201", "CLL-SQL01", "SERVER", "Windows Server 2022", 0, "Cloud", 1,
     2300000000000, 2100000000000, 2100000000000, "bundled"],
    [3002, "Contoso Legal LLP", "d-202", "CLL-LT01", "WORKSTATION", "Windows 11 Pro", 1, "Cloud", 0,
     0, 95000000000, 95000000000, "bundled"],
    [3003, "Fabrikam Logistics", "d-301", "FAB-APP01", "SERVER", "Ubuntu 22.04", 0, "Private", 1,
     640000000000, 0, 600000000000, "self-hosted"],
    [3003, "Fabrikam Logistics", "d-302", "FAB-WS05", "WORKSTATION", "Windows 11 Pro", 0, "Cloud", 1,
     160000000000, 150250000000, 150250000000, "bundled"],
]

# --- x360Recover license-assignment table -------------------------------------
LIC_COLUMNS = ["location", "client_id", "license_type", "size", "retention", "first_day", "last_day"]
D = dt.date
LIC_ROWS = [
    ["Northwind Dental", 3001, "endpoint-server", "", "", D(2026, 3, 1), None],
    ["Northwind Dental", 3001, "endpoint-server", "", "", D(2026, 3, 1), None],
    ["Northwind Dental", 3001, "endpoint-server", "", "", D(2026, 10, 20), None],
    ["Northwind Dental", 3001, "endpoint-workstation", "", "", D(2025, 1, 1), D(2026, 10, 1)],
    ["Northwind Dental", 3001, "endpoint-workstation", "", "", D(2025, 1, 1), D(2026, 9, 30)],
    ["Contoso Legal LLP", 3002, "endpoint-server", "", "", D(2026, 1, 15), D(2026, 10, 5)],
    ["Contoso Legal LLP", 3002, "storage", "2TB", "3 years", D(2026, 10, 6), None],
    ["Fabrikam Logistics", None, "storage", "1TB", "10 years", D(2026, 5, 1), D(2026, 10, 14)],
    ["Fabrikam Logistics", None, "storage", "4TB", "10 years", D(2026, 10, 15), None],
]

# --- Acronis csv_v2_0 ---------------------------------------------------------
GiB = 1024 ** 3
ACR_COLUMNS = ["application.id", "edition", "infra.backend_type", "infra.id", "infra.owner_id", "name",
               "tenant.id", "tenant.kind", "tenant.name", "usage.absolute.production", "usage.absolute.total",
               "usage.absolute.trial", "usage.delta.production", "usage.delta.total", "usage.delta.trial",
               "usage.effective.production", "usage.effective.total", "usage.effective.trial", "sku"]
NWD, WWI, MSP = ("8f1c2a8e-4d6b-4b6e-9a51-0c1d2e3f4a01", "2b7d9e10-5c3a-4f2b-8e61-1a2b3c4d5e02",
                 "c0ffee00-1111-4222-8333-944455556603")
BACKUP = "6e6d758d-8e74-3ae3-ac84-50eb0dff12eb"


def acr(tenant, kind, label, name, prod, total, trial=0, dprod=0, dtotal=0, infra="infra-eu2-01", edition="standard"):
    return [BACKUP, edition, "azure", infra, MSP, name, tenant, kind, label, prod, total, trial, dprod, dtotal, 0,
            prod, total, trial, ""]


ACR_ROWS = [
    acr(NWD, "customer", "Northwind Dental", "pw_base_storage", 500 * GiB, 500 * GiB, infra="infra-eu2-01"),
    acr(NWD, "customer", "Northwind Dental", "pw_base_storage", 100 * GiB, 100 * GiB, infra="infra-eu2-07"),
    acr(NWD, "customer", "Northwind Dental", "pw_base_workstations", 10, 12, trial=2),
    acr(NWD, "customer", "Northwind Dental", "pw_base_servers", 3, 3),
    acr(NWD, "customer", "Northwind Dental", "pw_base_m365_mailboxes", 40, 40),
    acr(NWD, "customer", "Northwind Dental", "dr_compute_points", 999999, 999999, dprod=27000, dtotal=27000,
        edition="disaster_recovery"),
    acr(WWI, "customer", "Wide World Importers", "pw_base_vms", 4, 4),
    acr(WWI, "customer", "Wide World Importers", "pw_base_m365_seats", 55, 55),
    acr(WWI, "customer", "Wide World Importers", "local_storage", 0, 0),
    acr(WWI, "customer", "Wide World Importers", "pw_base_storage", 1288490188, 1288490188),
    acr(MSP, "partner", "Our MSP (partner)", "pw_base_storage", 200 * GiB, 300 * GiB, trial=100 * GiB),
]

# --- Acronis distributor usage-record export ------------------------------------
REC_COLUMNS = ["Meter Name", "Quantity", "Unit", "Estimated Cost", "Customer"]
REC_ROWS = [
    ["Backup storage, SKU-SB1AMSENS", 512.5, "GB", 12.3, "Northwind Dental"],
    ["Workstation, SKU-WS1AMSENS", 12, "", 36.6, "Northwind Dental"],
    ["Server, SKU-SV1AMSENS", 0, "", 0, "Northwind Dental"],
    ["Microsoft 365 seats, SKU-M365AMSENS", 55, "", 47.85, "Wide World Importers"],
    ["Backup storage, SKU-SB1AMSENS", 1.2, "GB", 0.0288, "Wide World Importers"],
]

# --- Altaro itemised billing report (seeds/003) -----------------------------------
ALT_COLUMNS = ["Customer", "Product", "Object Type Backed Up", "Object Name", "Object Id", "Month", "Backed Up Size (MB)"]
_ALT = [
    ("Contoso Legal LLP", "Mailbox", "Ann Lee"), ("Contoso Legal LLP", "OneDrive", "Ann Lee"),
    ("Contoso Legal LLP", "User Teams Chats", "ann lee"), ("Contoso Legal LLP", "Mailbox", "Bob Stone"),
    ("Contoso Legal LLP", "SharePoint Site", "Legal Team Site"), ("Contoso Legal LLP", "N/A", "Shared Calendar"),
    ("Contoso Legal LLP", "Mailbox", "Carla Diaz"),
    ("Tailspin Toys", "Mailbox", "Dan Wu"), ("Tailspin Toys", "OneDrive", "Eve Park"),
    ("Tailspin Toys", "Teams", "Toys Group"), ("Tailspin Toys", "Mailbox", "Eve Park"),
    ("Fabrikam Logistics", "User Teams Chats", "Frank Ito"), ("Fabrikam Logistics", "Mailbox", "Gina Ruiz"),
    ("Fabrikam Logistics", "OneDrive", "Gina  Ruiz"), ("Fabrikam Logistics", "SharePoint Site", "Dispatch"),
]
ALT_ROWS = [[c, "365 Total Backup", t, n, f"obj-{i:04d}", "2026-10", f"{(i * 37) % 900 + 12}.5"]
            for i, (c, t, n) in enumerate(_ALT, 1)]

# --- Hornetsecurity priced license CSV -----------------------------------------
HS_TEXT = (
    "Customer Reference Number;Product Code;Currency;Product;Licenses Count;Customer Price Per License;"
    "Customer Total;Date From;Date To\r\n"
    "HS-1001;365TB;EUR;365 Total Backup;25;2,10;52,50;01.10.2026;31.10.2026\r\n"
    "HS-1001;OTHER;EUR;Archiving Add-on;25;0,75;18,75;01.10.2026;31.10.2026\r\n"
    "HS-1002;365TP;EUR;365 Total Protection Business;1.200;1,95;2.340,00;01.10.2026;31.10.2026\r\n"
    "HS-1003;365TB;EUR;365 Total Backup;0;2,10;0,00;01.10.2026;31.10.2026\r\n"
)


# ============================================================================
# writers
# ============================================================================

def write_xlsx(path: Path, sheet: str, columns, rows, *, date_format: str = "yyyy-mm-dd") -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(columns)
    for r in rows:
        ws.append(["" if v is None else v for v in r])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = date_format
            if cell.value == "":
                cell.value = None
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 11, 2, 8, 0, 0)
    wb.save(path)


def write_xls(path: Path, sheet: str, columns, rows) -> None:
    try:
        import xlwt  # only this generator needs it (see the module docstring)
    except ImportError as err:  # pragma: no cover
        raise SystemExit("xlwt is needed to write the BIFF .xls sample: pip install xlwt") from err
    wb = xlwt.Workbook()
    ws = wb.add_sheet(sheet)
    for c, name in enumerate(columns):
        ws.write(0, c, name)
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.save(str(path))


def csv_text(columns, rows, delimiter=",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


def html_table(columns, rows) -> str:
    def cell(v):
        return "" if v is None else str(v).replace("&", "&amp;").replace("<", "&lt;")
    head = "".join(f"<th>{cell(c)}</th>" for c in columns)
    body = "\n".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body>\n"
            f"<table border=\"1\">\n<tr>{head}</tr>\n{body}\n</table></body></html>\n")


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def main() -> None:
    SAMPLES.mkdir(parents=True, exist_ok=True)
    ALT.mkdir(parents=True, exist_ok=True)
    ADV.mkdir(parents=True, exist_ok=True)
    # -- valid samples (xlbilling/samples) --------------------------------
    write_xls(SAMPLES / "axcient_bff_raw_customer_data_2026-10.xls", "Raw Customer Data", BFF_COLUMNS, BFF_ROWS)
    write_xlsx(ALT / "axcient_bff_raw_account_data_2026-10.xlsx", "Raw Account Data", ACC_COLUMNS, acc_rows())
    (SAMPLES / "x360recover_devices_2026-10.csv").write_text(csv_text(X360_COLUMNS, X360_ROWS), encoding="utf-8",
                                                             newline="")
    write_xlsx(SAMPLES / "x360recover_licenses.xlsx", "Licenses", LIC_COLUMNS, LIC_ROWS)
    (SAMPLES / "acronis_usage_2026-10.csv.gz").write_bytes(
        gzip_bytes(csv_text(ACR_COLUMNS, ACR_ROWS).encode("utf-8")))
    write_xlsx(ALT / "acronis_usage_records_2026-10.xlsx", "Usage Records", REC_COLUMNS, REC_ROWS)
    (SAMPLES / "altaro_itemised_2026-10.csv").write_text(csv_text(ALT_COLUMNS, ALT_ROWS), encoding="utf-8",
                                                         newline="")
    (ALT / "altaro_itemised_2026-10.json").write_text(
        json.dumps([dict(zip(ALT_COLUMNS, r)) for r in ALT_ROWS], indent=1), encoding="utf-8")
    (ALT / "hornetsecurity_licenses_2026-10.csv").write_bytes(b"\xef\xbb\xbf" + HS_TEXT.encode("utf-8"))

    # -- the same Axcient data in every other file type ------------------------
    write_xlsx(ADV / "bff_customer.xlsx", "Sheet1", BFF_COLUMNS, BFF_ROWS)
    (ADV / "bff_customer_html.xls").write_text(html_table(BFF_COLUMNS, BFF_ROWS), encoding="utf-8")
    (ADV / "bff_customer_bom.csv").write_bytes(b"\xef\xbb\xbf" + csv_text(BFF_COLUMNS, BFF_ROWS).encode("utf-8"))
    # shuffled and appended columns, varied header spellings, cp1252, thousands separators
    order = [3, 0, 19, 7, 8, 4, 5, 6, 15, 16, 10, 11, 12, 2, 18, 1, 9, 13, 14, 17]
    spelled = {"AccountNo": "Account No", "InternalDescription": "internal description", "SPlan": "Service Plan",
               "UncompressedDiskGB": "UNCOMPRESSEDDISKGB", "LocalBackupIsBillable": "local_backup_is_billable"}
    cols = [spelled.get(BFF_COLUMNS[i], BFF_COLUMNS[i]) for i in order] + ["NewVendorField", "Région"]
    rows = []
    for r in BFF_ROWS:
        row = [r[i] for i in order] + ["x", "Zürich"]
        row[cols.index("UNCOMPRESSEDDISKGB")] = f"{r[7]:,.2f}"        # 2,048.75
        row[cols.index("IsDel")] = "Yes" if r[4] else "No"
        row[cols.index("CanViewCompressed")] = "True" if r[6] else "False"
        rows.append(row)
    (ADV / "bff_customer_shuffled_cp1252.csv").write_bytes(
        (csv_text(cols, rows) + ",,,,,,,,,,,,,,,,,,,,,\r\n\r\n").encode("cp1252"))
    # European: `;` and decimal commas (1.250,00)
    eu = []
    for r in BFF_ROWS:
        eu.append([(f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") if isinstance(v, float)
                    else v) for v in r])
    (ADV / "bff_customer_decimal_comma.csv").write_text(csv_text(BFF_COLUMNS, eu, delimiter=";"),
                                                        encoding="utf-8", newline="")
    # Excel serial dates in the license table, API-style device list with vaults JSON
    serial = [r[:5] + [(r[5] - dt.date(1899, 12, 30)).days if r[5] else None,
                       (r[6] - dt.date(1899, 12, 30)).days if r[6] else None] for r in LIC_ROWS]
    (ADV / "x360_licenses_serial_dates.csv").write_text(csv_text(LIC_COLUMNS, serial), encoding="utf-8", newline="")
    api_cols = ["id", "name", "client_id", "type", "os", "d2c", "vaults", "local_usage", "cloud_usage",
                "vault_usage", "on_appliance"]
    api_rows = []
    for r in X360_ROWS:
        vaults = [{"id": f"v-{t.lower()}", "type": t, "device_usage": r[10]} for t in r[7].split(";") if t]
        api_rows.append([r[2], r[3], r[0], r[4], r[5], "true" if r[6] else "false", json.dumps(vaults), r[9], r[10],
                         r[11], r[8]])
    (ADV / "x360_devices_api.csv").write_text(csv_text(api_cols, api_rows), encoding="utf-8", newline="")
    # Acronis: plain csv with shuffled columns and no edition; a bad-cells file
    acr_order = [5, 6, 7, 13, 10, 9, 12, 0, 2, 3, 4, 8, 11, 14, 15, 16, 17]
    (ADV / "acronis_usage_shuffled.csv").write_text(
        csv_text([ACR_COLUMNS[i] for i in acr_order], [[r[i] for i in acr_order] for r in ACR_ROWS]),
        encoding="utf-8", newline="")
    bad = [list(r) for r in ACR_ROWS]
    bad[2][10] = "twelve"      # row 4: usage.absolute.total of a customer tenant (billed)
    bad[7][10] = "55 seats"    # row 9
    bad[3][10] = "-3"          # row 5: negative
    (ADV / "acronis_bad_cells.csv").write_text(csv_text(ACR_COLUMNS, bad), encoding="utf-8", newline="")
    (ADV / "acronis_truncated.csv.gz").write_bytes(
        gzip_bytes(csv_text(ACR_COLUMNS, ACR_ROWS).encode("utf-8"))[:200])
    # Altaro: a customer named like a formula; a misspelled column
    hyper = [list(r) for r in ALT_ROWS[:4]]
    for r in hyper:
        r[0] = '=HYPERLINK("http://x","y")'
    (ADV / "altaro_hyperlink.csv").write_text(csv_text(ALT_COLUMNS, hyper), encoding="utf-8", newline="")
    miss = [c if c != "Object Name" else "Object Nme" for c in ALT_COLUMNS]
    (ADV / "altaro_misspelled.csv").write_text(csv_text(miss, ALT_ROWS[:3]), encoding="utf-8", newline="")
    # empty, truncated zip, another vendor's report
    (ADV / "empty.csv").write_bytes(b"")
    full = (ALT / "acronis_usage_records_2026-10.xlsx").read_bytes()
    (ADV / "truncated.xlsx").write_bytes(full[: len(full) // 2])
    (ADV / "veeam_vcsp_usage.csv").write_text(
        "Company,Rental License Type,Points Used,Workloads,Month\r\n"
        "Northwind Dental,Veeam Data Platform Foundation,12,4,2026-10\r\n", encoding="utf-8", newline="")
    print(f"wrote samples to {SAMPLES}, {ALT} and {ADV}")


if __name__ == "__main__":
    main()
