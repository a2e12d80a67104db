"""Acronis usage per backend and owner, as Acronis' own WHMCS billing module
(acronis/acronis-cyber-cloud-whmcs, MetricsFetcher.php) keys it: storage per
`infra.backend_type`, storage on partner-owned infra as the partner's
`*_child_storages` item, compute points rounded to 2 decimals, repeated
tenant + item + infra rows summed with a warning; and the pricing that follows
(Rates per backend with fallback, partner storage kept off invoices, the
customer-trial setting, x360Recover's bytes per GB).  Expected figures by hand."""
from __future__ import annotations

from decimal import Decimal

from tests.test_pricing_fixtures import NOV, book, rate, read, rec
from xlbilling.pricing.engine import price_month
from xlbilling.readers import read_report

GIB = 1024 ** 3
ROOT, P, T1 = "root-platform", "p-partner", "t-customer"   # ROOT owns platform infra, is not in the report
HEAD = ("name,tenant.id,tenant.kind,tenant.name,infra.backend_type,infra.id,infra.owner_id,"
        "usage.absolute.production,usage.absolute.total,usage.delta.production,usage.delta.total\r\n")
ROWS = [
    f"pw_storage,{T1},customer,Cust,acronis,i1,{ROOT},0,{2 * GIB},0,0",        # row 2
    f"pw_storage,{T1},customer,Cust,azure,i2,{ROOT},0,{3 * GIB},0,0",          # row 3
    f"pw_storage,{T1},customer,Cust,azure,i3,{P},0,{5 * GIB},0,0",             # row 4: partner-owned infra
    f"pw_storage,{T1},customer,Cust,azure,i2,{ROOT},0,{1 * GIB},0,0",          # row 5: repeats row 3's infra
    f"compute_points,{T1},customer,Cust,acronis,i1,{ROOT},0,0,0,1000",         # row 6
    f"compute_points,{T1},customer,Cust,azure,i2,{ROOT},0,0,0,800",            # row 7
    f"pw_workstations,{T1},customer,Cust,acronis,i1,{ROOT},4,5,0,0",           # row 8: 1 trial workstation
    f"pw_storage,{P},partner,Partner,azure,i3,{P},{7 * GIB},{9 * GIB},0,0",    # row 9
    f"fc_storage,{T1},customer,Cust,,i3,{P},0,{1 * GIB},0,0",                  # row 10: no backend
    f"pw_base_storage,{T1},customer,Cust,google,i3,{P},0,{4 * GIB},0,0",       # row 11: not in the module's map
]


def _read(tmp_path):
    p = tmp_path / "usage.csv"
    p.write_text(HEAD + "\r\n".join(ROWS) + "\r\n", encoding="utf-8")
    return read_report(p)


def test_records_per_tenant_item_and_backend_as_the_module_keys_them(tmp_path):
    r = _read(tmp_path)
    got = {(x.account, x.item): x.quantity for x in r.records}
    assert got == {
        (T1, "pw_storage:acronis"): Decimal(2),            # row 2
        (T1, "pw_storage:azure"): Decimal(4),              # rows 3 + 5: 3 + 1 GiB (summed, the module keeps 1)
        (T1, "pg_child_storages:azure"): Decimal(5),       # row 4: pw_storage on infra owned by P
        (T1, "compute_points"): Decimal("0.50"),           # (1000 + 800) s / 3600 = 0.5 -> 0.50
        (T1, "pw_workstations"): Decimal(5),               # customer: total (production 4 + trial 1)
        (P, "pg_child_storages:azure"): Decimal(7),        # partner: production 7 GiB, on its own infra
        (T1, "fc_child_storages"): Decimal(1),             # blank backend: no ':backend'
        (T1, "pw_base_storage:google"): Decimal(4),        # the module maps only 4 names: customer storage
    }
    by = {(x.account, x.item): x for x in r.records}
    child = by[(T1, "pg_child_storages:azure")]
    assert child.details["partner_storage"] == "1" and child.details["infra_owner_id"] == P
    assert child.details["offering_item"] == "pw_storage" and child.details["backend_type"] == "azure"
    assert "partner_storage" not in by[(T1, "pw_storage:azure")].details
    assert by[(T1, "pw_storage:azure")].source.rows == (3, 5)
    assert by[(T1, "pw_workstations")].details["production_quantity"] == "4"
    kinds = {p.kind for p in r.problems}
    assert {"repeated_infra_row", "partner_storage"} <= kinds
    text = " ".join(r.warnings)
    assert "1 tenant + item + infra combination(s) appear on several rows and were summed" in text
    assert "rows 3, 5" in text
    assert "3 storage record(s) on partner-owned infrastructure became *_child_storages items" in text  # rows 4, 9, 10


def test_storage_priced_per_backend_with_fallback_and_partner_storage_kept_off_invoices(tmp_path):
    pb = book(customers=[("Cust", "USD"), ("MSP", "USD")],
              accounts=[("acronis", T1, "Cust"), ("acronis", P, "MSP")],
              rates=[rate("acronis", "pw_storage", "0.10"), rate("acronis", "pw_storage:azure", "0.25"),
                     rate("acronis", "pw_base_storage", "0.05"), rate("acronis", "compute_points", "2"),
                     rate("acronis", "pw_workstations", "3"), rate("acronis", "pg_child_storages", "9")])
    res = price_month([_read(tmp_path)], pb, NOV)
    amounts = {(ln.customer, ln.item): ln.amount for ln in res.lines}
    assert amounts == {
        ("Cust", "pw_storage:acronis"): Decimal("0.20"),     # 2 GB x 0.10 (no :acronis row: plain pw_storage)
        ("Cust", "pw_storage:azure"): Decimal("1.00"),       # 4 GB x 0.25 (its own row wins)
        ("Cust", "pw_base_storage:google"): Decimal("0.20"),  # 4 GB x 0.05 (plain row)
        ("Cust", "compute_points"): Decimal("1.00"),         # 0.50 x 2
        ("Cust", "pw_workstations"): Decimal("15.00"),       # 5 x 3 (trial billed: the default)
    }
    partner = [p for p in res.problems if p.kind == "partner_storage" and p.account]   # one per record
    # T1's pg_child 5 GB and fc_child 1 GB, P's own 7 GB: never invoiced, even with a rate
    assert len(partner) == 3 and all("not billed" in p.message for p in partner)
    assert {p.customer for p in partner} == {"Cust", "MSP"}


def test_customer_trial_usage_left_out_when_the_setting_says_no(tmp_path):
    pb = book(customers=[("Cust", "USD")], accounts=[("acronis", T1, "Cust")],
              rates=[rate("acronis", "pw_workstations", "3"), rate("acronis", "*", "0")],
              acronis_bill_customer_trial=False)
    res = price_month([_read(tmp_path)], pb, NOV)
    ws = next(ln for ln in res.lines if ln.item == "pw_workstations")
    assert (ws.quantity, ws.amount) == (Decimal(4), Decimal("12.00"))   # production 4 x 3, trial 1 left out
    assert "less trial 1" in ws.working


def test_x360recover_bytes_per_gb_setting_rescales_cloud_gb():
    """2,147,483,648 bytes: 2.147483648 GB at 10^9 bytes/GB, exactly 2 GB at 2^30."""
    details = {"cloud_usage_bytes": "2147483648", "bytes_per_gb": "1000000000"}
    r = read([rec("x360recover", "26", "cloud_gb", "2.147483648", details=details)], report_type="device-usage")
    from xlbilling.pricing.vendors.x360recover import _cloud_gb

    assert _cloud_gb(r.records[0], Decimal(2) ** 30).quantity == Decimal(2)
    assert _cloud_gb(r.records[0], Decimal(10) ** 9) is r.records[0]     # the reader's default: unchanged


def _module_metrics(text: str, platform_owned) -> dict[tuple[str, str], Decimal]:
    """Acronis' WHMCS module's MetricsFetcher::fetchForToday re-stated in Python
    (modelled from acronis/acronis-cyber-cloud-whmcs, not run): metric name =
    offering item (or its child-storage item on infra the platform does not own)
    + '_' + backend; one value per tenant, metric and infra (the last row wins);
    summed across infras.  Raw units (bytes, seconds), as the module stores them."""
    import csv
    import io

    child = {"pg_storage": "pg_child_storages", "pw_storage": "pg_child_storages",
             "pw_dr_storage": "pw_dr_child_storages", "fc_storage": "fc_child_storages"}
    delta = {"compute_points", "pw_compute_points", "dre_compute_points", "p_dre_compute_points"}
    per_infra: dict[tuple[str, str], dict[str, int]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        owned = platform_owned(row["tenant.id"], row["infra.id"]) if row["infra.id"] else False
        name = row["name"]
        partner = child.get(name, "") if (not owned and row["infra.id"]) else ""
        metric = partner or name
        if row["infra.backend_type"]:
            metric = f"{metric}_{row['infra.backend_type']}"
        kind = "total" if row["tenant.kind"] == "customer" else "production"
        strategy = "delta" if name in delta else "absolute"
        per_infra.setdefault((row["tenant.id"], metric), {})[row["infra.id"]] = int(row[f"usage.{strategy}.{kind}"])
    return {key: Decimal(sum(v.values())) for key, v in per_infra.items()}


def test_side_by_side_with_the_modules_logic_per_tenant_item_and_backend(tmp_path):
    """Every figure agrees with the module's, converted to xlbilling's units, except
    the repeated infra row (rows 3 and 5: the module keeps row 5's 1 GiB, xlbilling
    sums 3 + 1 and warns) and the module's per-backend keys of non-storage items."""
    text = HEAD + "\r\n".join(ROWS) + "\r\n"
    owners = {"i1": ROOT, "i2": ROOT, "i3": P}
    module = _module_metrics(text, lambda tenant, infra: owners[infra] == ROOT)
    ours = {}
    for x in _read(tmp_path).records:
        item, _, backend = x.item.partition(":")
        if x.unit == "GB":
            raw = x.quantity * GIB
        elif x.unit == "point":
            raw = Decimal(x.details["raw_quantity"])
        else:
            raw = x.quantity
        key = f"{item}_{backend}" if backend else item
        ours[(x.account, key)] = raw
    module_storage = {k: v for k, v in module.items() if "storage" in k[1]}
    assert module_storage.pop((T1, "pw_storage_azure")) == GIB          # last row kept
    assert ours.pop((T1, "pw_storage_azure")) == 4 * GIB                # 3 + 1 GiB summed
    assert {k: v for k, v in ours.items() if "storage" in k[1]} == module_storage
    # non-storage: the module's per-backend metrics added up = xlbilling's one record
    assert ours[(T1, "compute_points")] == module[(T1, "compute_points_acronis")] + module[(T1, "compute_points_azure")]
    assert ours[(T1, "pw_workstations")] == module[(T1, "pw_workstations_acronis")]


def test_the_two_new_settings_are_read_from_the_price_book(tmp_path):
    import pytest

    from xlbilling.errors import PriceBookError
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.writers.pricebook_template import write_pricebook

    path = tmp_path / "pb.xlsx"
    write_pricebook(path)
    pb = load_pricebook(path)
    assert (pb.settings.acronis_bill_customer_trial, pb.settings.x360_bytes_per_gb) == (True, Decimal(10) ** 9)
    write_pricebook(path := tmp_path / "pb2.xlsx",
                    settings={"Acronis bill customer trial usage": "no", "x360Recover bytes per GB": 1073741824})
    pb = load_pricebook(path)
    assert (pb.settings.acronis_bill_customer_trial, pb.settings.x360_bytes_per_gb) == (False, Decimal(2) ** 30)
    write_pricebook(path := tmp_path / "pb3.xlsx", settings={"x360Recover bytes per GB": 1000})
    with pytest.raises(PriceBookError, match=r"found 1000, expected 1000000000 \(10\^9\) or 1073741824 \(2\^30\)"):
        load_pricebook(path)


def test_pg_and_pw_storage_on_partner_infra_become_one_child_storage_record(tmp_path):
    p = tmp_path / "usage.csv"
    rows = [f"pg_storage,{T1},customer,Cust,azure,i3,{P},0,{2 * GIB},0,0",     # row 2: partner-owned infra
            f"pw_storage,{T1},customer,Cust,azure,i3,{P},0,{3 * GIB},0,0",     # row 3: same infra, other item
            f"pw_storage,{T1},customer,Cust,azure,i2,{ROOT},0,{1 * GIB},0,0",  # row 4: platform infra
            f"pw_storage,{P},partner,Partner,azure,i3,{P},{7 * GIB},{9 * GIB},0,0"]  # row 5: P is in the report
    p.write_text(HEAD + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    got = [(x.account, x.item, x.quantity, x.source.rows) for x in read_report(p).records]
    assert sorted(got) == sorted([
        (T1, "pg_child_storages:azure", Decimal(5), (2, 3)),   # 2 + 3 GiB: both map to pg_child_storages
        (T1, "pw_storage:azure", Decimal(1), (4,)),           # the customer's own storage
        (P, "pg_child_storages:azure", Decimal(7), (5,)),      # partner: production 7 GiB
    ])
