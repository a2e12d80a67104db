"""The x360Recover API client over real sockets against tests/fetchserver.py,
which answers as the x360Recover OpenAPI document 0.3.1 says (every answer is
validated against the document: the fixture fails a test that got an answer
the document does not allow).  Covered: the tier of each system (seeds/002)
from /appliance and /vault, vault-only and archived systems, /vault read whole
and refused when cut, a bad key told from a wrong base URL, 429/403/504
backoff, inactive and parked clients, paging, faults, outputs."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

try:
    from fetch_helpers import KEY, keys, no_reader, run_cli, state_dir, vendor  # noqa: F401
except ModuleNotFoundError:
    from tests.fetch_helpers import KEY, keys, no_reader, run_cli, state_dir, vendor  # noqa: F401

COLUMNS = ["client_id", "client_name", "id", "name", "type", "os", "d2c", "vault_types", "on_appliance",
           "local_usage", "cloud_usage", "vault_usage", "tier", "client_active", "client_health_status"]
THIS_MONTH = f"{dt.datetime.now(dt.timezone.utc):%Y-%m}"
GB = 10 ** 9


def _client(cid, name, *, active=True, health="NORMAL", archived_servers=0):
    return {"id": cid, "name": name, "client_code": name.lower(), "active": active, "health_status": health,
            "devices_counters": {"appliance_based": [{"type": "SERVER", "count": 0}],
                                 "d2c": [{"type": "WORKSTATION", "count": 0}],
                                 "cloud_archive": [{"type": "SERVER", "count": archived_servers}]}}


CLIENTS = [
    _client(26, "Contoso", archived_servers=3),          # 104, 107 (vault only), 108 (archived)
    _client(27, "Fabrikam"),
    _client(28, "Tailspin", active=False),               # inactive, still has a system
    _client(29, "Parked Co", health="PARKED"),
]
VAULT_TYPES = {1: "Cloud", 2: "Private"}


def _device(did, cid, name, type_, *, vaults=(), local=0, cloud=None, vault=0, d2c=False, os_name="Windows Server"):
    """An org_level_device with the document's fields only."""
    d = {"id": did, "client_id": cid, "name": name, "type": type_, "d2c": d2c, "product": "X360RECOVER",
         "os": {"os_type": "WINDOWS", "bits": 64, "os_name": os_name},
         "vaults": [{"id": v, "type": VAULT_TYPES[v], "device_usage": 1000 * v,
                     "latest_vault_rp": "2026-11-30T04:00:00.000Z"} for v in vaults],
         "local_usage": local, "vault_usage": vault}
    if local:
        d["latest_local_rp"] = "2026-11-30T03:00:00.000Z"
    if cloud is not None:
        d["cloud_usage"] = cloud
    return d


DEVICES = [
    # on the Axcient cloud vault and on appliance 1 -> bundled
    _device(101, 26, "DC01", "SERVER", vaults=(1,), local=500 * GB, cloud=400 * GB),
    # also on a self-hosted vault: still bundled
    _device(102, 26, "SQL01", "SERVER", vaults=(1, 2), local=7, cloud=200 * GB, vault=9),
    # self-hosted (private) vault only -> self-hosted
    _device(103, 27, "FS01", "SERVER", vaults=(2,), local=11, vault=12),
    # on the cloud vault, on no appliance (deleted from it) -> cloud-only
    _device(104, 26, "OLD-SRV", "SERVER", vaults=(1,), local=0, cloud=10 * GB),
    # direct-to-cloud: never on an appliance
    _device(105, 26, "LAPTOP7", "WORKSTATION", vaults=(1,), cloud=14, d2c=True, os_name="Windows 11"),
    # no vault at all, on appliance 2 -> self-hosted
    _device(106, 27, "PC2", "WORKSTATION", local=15, os_name="Windows 10"),
    # archived: still has stale local data and its vault entry keeps appliance_id 1,
    # but appliance 1 does not list it -> cloud-only (not bundled)
    _device(108, 26, "ARCHIVED", "SERVER", vaults=(1,), local=7, cloud=120 * GB),
    # a system of the inactive client, on appliance 3 -> self-hosted
    _device(109, 28, "TS-PC", "WORKSTATION", local=3, os_name="Windows 11"),
]


def _entry(did, cid, cname, name, type_, *, appliance_id=1, local=0, vault_usage=0):
    """An org_level_short_device (a /vault entry) with all the document's fields."""
    entry = {"id": did, "appliance_id": appliance_id, "client": {"id": cid, "name": cname}, "name": name,
             "ip_address": "10.2.22.2", "type": type_, "os": "Windows", "local_usage": local,
             "vault_usage": vault_usage, "bytes_replicated": 1024, "latest_vault_rp": "2026-11-30T04:00:00.000Z"}
    if appliance_id is None:     # not nullable in the document: absent
        del entry["appliance_id"]
    return entry


def _vault(vid, entries, *, name=None):
    """An org_level_vault with the document's fields."""
    return {"id": vid, "service_id": f"v{vid:03d}"[-4:], "name": name or f"Vault{vid}", "ip_address": "10.0.0.1",
            "server_id": f"srv-{vid}", "active": True, "type": VAULT_TYPES.get(vid, "Cloud"),
            "model": {"id": 392, "name": "BYOD"}, "service_type": "VIRTUAL", "tunnel_status": "UP",
            "last_tunnel_up": "2026-11-30T04:56:07.000Z",
            "storage_details": {"drive_size": 58581416960, "used_size": 40900613898},
            "devices": entries, "software_version": {"id": 15, "version": "10.1.0"}, "replication_data": 4563,
            "vault_thresholds": {"vault_id": vid, "connectivity_threshold": 240}, "health_status": "NORMAL",
            "health_status_reason": "", "creation_timestamp": "2024-01-23T04:56:07.000Z"}


VAULTS = [
    _vault(1, [_entry(101, 26, "Contoso", "DC01", "SERVER", local=500 * GB, vault_usage=400 * GB),
               _entry(102, 26, "Contoso", "SQL01", "SERVER", local=7, vault_usage=200 * GB),
               _entry(104, 26, "Contoso", "OLD-SRV", "SERVER", appliance_id=None, vault_usage=10 * GB),
               _entry(105, 26, "Contoso", "LAPTOP7", "WORKSTATION", appliance_id=None, vault_usage=14),
               # vault only: in no device list; its usage is this entry's vault_usage
               _entry(107, 26, "Contoso", "RETIRED", "SERVER", vault_usage=123 * GB),
               _entry(108, 26, "Contoso", "ARCHIVED", "SERVER", local=7, vault_usage=120 * GB)]),
    _vault(2, [_entry(102, 26, "Contoso", "SQL01", "SERVER", local=7, vault_usage=9),
               _entry(103, 27, "Fabrikam", "FS01", "SERVER", appliance_id=2, local=11, vault_usage=12)]),
]


def _appliance(aid, cid, device_ids):
    """An org_level_appliance with its devices (org_level_short_appliance_device)."""
    return {"id": aid, "service_id": f"ap{aid:02d}", "client_id": cid, "alias": f"Appliance{aid}",
            "ip_address": "10.2.22.1", "server_id": f"app-{aid}", "active": True, "product": "X360RECOVER",
            "model": {"id": 392, "name": "BYOD"}, "package": {"id": 10, "name": "Axcient Replibit"},
            "service_type": "HARDWARE", "tunnel_status": "UP", "last_tunnel_up": "2026-11-30T04:56:07.000Z",
            "storage_details": {"drive_size": 58581416960, "used_size": 40900613898},
            "devices": [{"id": d, "name": f"dev{d}", "ip_address": "10.2.3.2", "type": "SERVER", "os": "WINDOWS",
                         "local_usage": 1, "latest_local_rp": "2026-11-30T03:00:00.000Z"} for d in device_ids],
            "software_version": {"id": 15, "version": "10.1.0"}, "health_status": "NORMAL",
            "health_status_reason": ""}


APPLIANCES = [_appliance(1, 26, (101, 102)), _appliance(2, 27, (103, 106)), _appliance(3, 28, (109,))]


@pytest.fixture
def x360(vendor):
    vendor.behaviour.clients = [dict(c) for c in CLIENTS]
    vendor.behaviour.devices = [dict(d) for d in DEVICES]
    vendor.behaviour.vaults = [dict(v) for v in VAULTS]
    vendor.behaviour.appliances = [dict(a) for a in APPLIANCES]
    yield vendor
    assert vendor.schema_problems == []          # every answer sent was the document's


def _fetch(vendor, out, *extra, base=None) -> int:
    return run_cli(["fetch", "x360recover", "--base-url", base or f"{vendor.base}/x360recover",
                    "--month", THIS_MONTH, "--out", str(out), *extra])


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, {row["id"]: row for row in reader}


def test_device_table_has_the_canonical_columns_and_each_systems_tier(x360, tmp_path, capsys):
    out = tmp_path / f"x360-{THIS_MONTH}.csv"
    assert _fetch(x360, out) == 0, capsys.readouterr().err
    columns, rows = _rows(out)
    assert columns == COLUMNS
    got = {did: (r["vault_types"], r["on_appliance"], r["tier"]) for did, r in rows.items()}
    assert got == {
        "101": ("Cloud", "1", "bundled"),
        "102": ("Cloud;Private", "1", "bundled"),
        "103": ("Private", "1", "self-hosted"),
        "104": ("Cloud", "0", "cloud-only"),
        "105": ("Cloud", "0", "cloud-only"),
        "106": ("", "1", "self-hosted"),
        "107": ("Cloud", "0", "cloud-only"),     # vault only
        "108": ("Cloud", "0", "cloud-only"),     # archived: stale appliance_id and local data ignored
        "109": ("", "1", "self-hosted"),
    }
    dc01 = rows["101"]
    assert (dc01["client_id"], dc01["client_name"], dc01["name"], dc01["type"], dc01["os"], dc01["d2c"]) == \
        ("26", "Contoso", "DC01", "SERVER", "Windows Server", "0")
    assert (dc01["local_usage"], dc01["cloud_usage"], dc01["vault_usage"]) == ("500000000000", "400000000000", "0")
    # the vault-only system's cloud usage is its vault entry's vault_usage on the Cloud vault
    assert (rows["107"]["client_name"], rows["107"]["type"], rows["107"]["cloud_usage"]) == \
        ("Contoso", "SERVER", "123000000000")
    assert (rows["109"]["client_active"], rows["101"]["client_active"]) == ("0", "1")
    err = capsys.readouterr().err
    assert "9 device(s) of 4 client(s)" in err and "cloud-archive" not in err   # counters agree (3 for Contoso)
    assert "2 system(s) keep an appliance_id on a vault entry but no appliance lists them" in err  # 107, 108
    assert "appear only in vault listings" in err


def test_vault_only_usage_reaches_cloud_gb_and_tiers_through_the_reader(x360, tmp_path, capsys, monkeypatch):
    """The issue's figure: Contoso's cloud GB is 853, not 730.  Non-d2c cloud
    bytes of client 26: 101 400e9 + 102 200e9 + 104 10e9 + 108 120e9 = 730e9,
    plus the vault-only 107's 123e9 = 853e9 bytes = 853 GB (10^9 bytes/GB)."""
    import importlib
    import sys

    out = tmp_path / "x360.csv"
    assert _fetch(x360, out) == 0, capsys.readouterr().err
    monkeypatch.delitem(sys.modules, "xlbilling.readers")      # the real reader, not the fetch tests' stand-in
    result = importlib.import_module("xlbilling.readers").read_report(str(out))
    got = {(r.account, r.item, r.tier): r.quantity for r in result.records}
    assert got[("26", "cloud_gb", "")] == Decimal(853)
    assert got[("26", "endpoint_server", "bundled")] == 2          # 101, 102
    assert got[("26", "endpoint_server", "cloud-only")] == 3       # 104, 107, 108
    assert got[("26", "d2c_workstation", "")] == 1                 # 105
    problems = [p for p in result.problems if p.kind == "inactive_client"]
    assert [(p.account, p.customer) for p in problems] == [("28", "Tailspin")]
    assert "client 28 (Tailspin) is inactive in x360Recover but has 1 protected system(s)" in problems[0].message


def test_vault_is_read_whole_in_one_call_with_limit_and_no_offset(x360, tmp_path):
    """Over 100 vaults: one /vault call asking --vault-limit (default 1000), no offset."""
    x360.behaviour.devices = []
    x360.behaviour.appliances = []
    x360.behaviour.vaults = [_vault(10 + i, [_entry(5000 + i, 27, "Fabrikam", f"OLD{i}", "SERVER",
                                                    appliance_id=None, vault_usage=GB)]) for i in range(150)]
    x360.behaviour.clients = [_client(27, "Fabrikam", archived_servers=150)]
    out = tmp_path / "x.csv"
    assert _fetch(x360, out) == 0
    assert len(_rows(out)[1]) == 150
    calls = x360.calls("/x360recover/vault")
    assert len(calls) == 1 and calls[0]["query"] == {"limit": "1000", "include_devices": "true"}


def test_a_vault_listing_as_long_as_the_limit_is_refused(x360, tmp_path, capsys):
    x360.behaviour.vaults = [_vault(10 + i, []) for i in range(150)] + VAULTS
    assert _fetch(x360, tmp_path / "x.csv", "--vault-limit", "150") == 2
    err = capsys.readouterr().err
    assert "returned 150 vaults, as many as asked for (limit 150)" in err and "--vault-limit" in err
    assert list(tmp_path.iterdir()) == []


def test_a_vault_listing_cut_by_the_server_is_refused(x360, tmp_path, capsys):
    """The server silently answers 100 of 152 vaults (modelled); device 101 is on
    vault 1, listed last, so the listing visibly lacks it."""
    x360.behaviour.vaults = [_vault(10 + i, []) for i in range(150)] + VAULTS
    x360.behaviour.vault_cap = 100
    assert _fetch(x360, tmp_path / "x.csv") == 2
    err = capsys.readouterr().err
    assert "returned 100 vaults but device 101 is on vault 1, which the listing lacks" in err
    assert list(tmp_path.iterdir()) == []


def test_a_bad_key_is_told_from_a_wrong_base_url(x360, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XLBILLING_X360RECOVER_API_KEY", "not-the-key-123")
    assert _fetch(x360, tmp_path / "x.csv") == 2
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "likely a bad API key" in err and "auth set x360recover" in err
    assert "not-the-key-123" not in err
    assert [r["path"] for r in x360.requests] == ["/x360recover/organization"]   # 401 is never retried
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_base_url_answered_401_is_reported_as_a_wrong_base_url(x360, tmp_path, capsys):
    """The API answers an unknown route with 401 {"code": 401, "msg": ...}."""
    assert _fetch(x360, tmp_path / "x.csv", base=f"{x360.base}/x360recover/v2") == 2
    err = capsys.readouterr().err
    assert "likely a wrong --base-url, not a bad key" in err and "auth set" not in err


def test_a_base_url_on_another_server_404_is_a_wrong_base_url(x360, tmp_path, capsys):
    assert _fetch(x360, tmp_path / "x.csv", base=f"{x360.base}/api") == 2
    assert "HTTP 404" in (err := capsys.readouterr().err) and "likely a wrong --base-url" in err


def test_falls_back_to_per_client_device_lists_when_device_is_unknown(x360, tmp_path):
    """An API without /device answers it with 401 (unknown route); the key was
    accepted by /organization, so that 401 means 'no such route'."""
    x360.behaviour.org_device_endpoint = False
    out = tmp_path / "x.csv"
    assert _fetch(x360, out) == 0
    rows = _rows(out)[1]
    assert len(rows) == 9 and rows["103"]["client_id"] == "27" and rows["103"]["tier"] == "self-hosted"
    assert {r["path"] for r in x360.calls("/x360recover/client/")} == {
        f"/x360recover/client/{c}/device" for c in (26, 27, 28, 29)}


def test_without_appliance_listing_presence_comes_from_local_data_with_a_warning(x360, tmp_path, capsys):
    x360.behaviour.appliance_endpoint = False
    out = tmp_path / "x.csv"
    assert _fetch(x360, out) == 0
    rows = _rows(out)[1]
    # 108 has stale local data: without /appliance it can only be taken as on an appliance
    assert (rows["108"]["on_appliance"], rows["104"]["on_appliance"], rows["107"]["on_appliance"]) == ("1", "0", "0")
    assert "gave no appliance list" in capsys.readouterr().err


def test_429_is_retried_after_retry_after_capped(x360, tmp_path, capsys):
    x360.behaviour.busy = [(429, {"Retry-After": "2"}, None)]
    out = tmp_path / "x.csv"
    assert _fetch(x360, out, "--max-wait", "0.01") == 0
    err = capsys.readouterr().err
    assert "HTTP 429 from /organization (rate limit): Retry-After 2 s, capped at --max-wait 0.01 s" in err
    assert [r["path"] for r in x360.requests][:2] == ["/x360recover/organization"] * 2
    assert len(_rows(out)[1]) == 9


def test_persistent_429_fails_after_bounded_retries(x360, tmp_path, capsys):
    x360.behaviour.busy = [(429, {"Retry-After": "1"}, None)] * 10
    assert _fetch(x360, tmp_path / "x.csv", "--max-wait", "0.01") == 2
    err = capsys.readouterr().err
    assert "HTTP 429" in err and "after 4 attempts" in err and "rate limit" in err
    assert len(x360.requests) == 4                  # 1 + 3 retries
    assert list(tmp_path.iterdir()) == []


def test_403_is_waited_out_as_possible_ddos_protection(x360, tmp_path, capsys):
    x360.behaviour.busy = [(403, {}, None)]
    assert _fetch(x360, tmp_path / "x.csv", "--max-wait", "0.01") == 0
    err = capsys.readouterr().err
    assert "(possible DDoS protection)" in err and "capped at --max-wait 0.01 s" in err


def test_403_saying_permissions_is_not_retried(x360, tmp_path, capsys):
    body = (b'{"detail": "User doesn\'t have enough permissions to process this request", "status": 403, '
            b'"title": "Not enough permissions", "type": "ForbiddenException"}')
    x360.behaviour.busy = [(403, {}, body)]
    assert _fetch(x360, tmp_path / "x.csv", "--max-wait", "0.01") == 2
    assert "lacks permission" in capsys.readouterr().err
    assert len(x360.requests) == 1


def test_504_is_waited_out_as_a_gateway_timeout(x360, tmp_path, capsys):
    x360.behaviour.busy = [(504, {}, None)]
    assert _fetch(x360, tmp_path / "x.csv", "--max-wait", "0.01") == 0
    assert "(gateway timeout)" in capsys.readouterr().err


def test_inactive_and_parked_clients_are_listed(x360, tmp_path, capsys):
    assert _fetch(x360, tmp_path / "x.csv") == 0
    err = capsys.readouterr().err
    assert "client 28 (Tailspin) is inactive" in err and "with 1 protected system(s)" in err
    assert "client 29 (Parked Co) is parked" in err


def test_non_numeric_ids_are_refused_before_a_call():
    from xlbilling.errors import FetchError
    from xlbilling.fetch.x360recover import _path_id

    assert _path_id(26, "client") == "26"
    with pytest.raises(FetchError, match="not a number; the API would answer 401"):
        _path_id("abc", "client")


def test_pages_through_devices_with_limit_and_offset(x360, tmp_path, capsys):
    x360.behaviour.devices = [_device(1000 + i, 27, f"PC{i}", "WORKSTATION", local=i + 1) for i in range(23)]
    x360.behaviour.vaults = []
    out = tmp_path / "x.csv"
    assert _fetch(x360, out, "--page-size", "10") == 0
    assert len(_rows(out)[1]) == 23
    offsets = [int(r["query"]["offset"]) for r in x360.calls("/x360recover/device")]
    assert offsets == [0, 10, 20, 23]                       # until an empty page
    assert all(r["query"]["limit"] == "10" for r in x360.calls("/x360recover/device"))
    assert "/device: page 3, 23 so far" in capsys.readouterr().err


def test_a_server_that_ignores_paging_does_not_loop_or_duplicate(x360, tmp_path):
    x360.behaviour.paging = "ignore"
    x360.behaviour.devices = [_device(1000 + i, 27, f"PC{i}", "WORKSTATION", local=1) for i in range(10)]
    x360.behaviour.vaults = []
    out = tmp_path / "x.csv"
    assert _fetch(x360, out, "--page-size", "10") == 0      # a page, then the same page again
    assert len(_rows(out)[1]) == 10
    assert len(x360.calls("/x360recover/device")) == 2
    x360.requests.clear()
    assert _fetch(x360, out, "--page-size", "4", "--force") == 0   # more than asked: the whole list
    assert len(_rows(out)[1]) == 10
    assert len(x360.calls("/x360recover/device")) == 1


def test_a_server_capping_the_page_size_below_the_limit_is_paged_to_the_end(x360, tmp_path):
    x360.behaviour.devices = [_device(1000 + i, 27, f"PC{i}", "WORKSTATION", local=1) for i in range(23)]
    x360.behaviour.vaults = []
    x360.behaviour.max_page_size = 5                         # the server gives at most 5, whatever we ask
    out = tmp_path / "x.csv"
    assert _fetch(x360, out, "--page-size", "100") == 0
    assert len(_rows(out)[1]) == 23
    assert [int(r["query"]["offset"]) for r in x360.calls("/x360recover/device")] == [0, 5, 10, 15, 20, 23]


def test_transient_server_errors_are_retried(x360, tmp_path, capsys):
    x360.behaviour.fail_next = 2
    out = tmp_path / "x.csv"
    assert _fetch(x360, out) == 0
    assert "retrying" in capsys.readouterr().err
    assert len(_rows(out)[1]) == 9


def test_persistent_server_errors_fail_after_bounded_retries_and_write_nothing(x360, tmp_path, capsys):
    x360.behaviour.fail_next = 100
    assert _fetch(x360, tmp_path / "x.csv") == 2
    assert "HTTP 503" in capsys.readouterr().err
    assert len(x360.requests) == 3                            # 1 + 2 retries, then stop
    assert list(tmp_path.iterdir()) == []


def test_timeout(x360, tmp_path, capsys):
    x360.behaviour.delay_s = 1.0
    assert _fetch(x360, tmp_path / "x.csv", "--timeout", "0.2") == 2
    err = capsys.readouterr().err
    assert "did not answer within 0.2 s" in err and "after 3 attempts" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fault", ["truncate", "truncate_no_length"])
def test_truncated_answer_fails_and_writes_nothing(x360, tmp_path, capsys, fault):
    setattr(x360.behaviour, fault, True)
    assert _fetch(x360, tmp_path / "x.csv") == 2
    assert "truncated" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_xlsx_output(x360, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "x.xlsx"
    assert _fetch(x360, out) == 0
    wb = load_workbook(out, read_only=True, data_only=True)
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()
    assert list(rows[0]) == COLUMNS
    dc01 = next(r for r in rows[1:] if r[2] == 101)
    assert dc01[9] == 500_000_000_000 and dc01[12] == "bundled"


def test_past_month_warns_that_data_is_as_of_now(x360, tmp_path, capsys):
    assert run_cli(["fetch", "x360recover", "--base-url", f"{x360.base}/x360recover", "--month", "2020-01",
                    "--out", str(tmp_path / "x.csv")]) == 0
    assert "--month 2020-01 is in the past" in capsys.readouterr().err


def test_counter_mismatch_is_reported(x360, tmp_path, capsys):
    x360.behaviour.devices = [d for d in x360.behaviour.devices if d["id"] != 104]
    x360.behaviour.vaults = [{**v, "devices": [s for s in v["devices"] if s["id"] != 104]} for v in VAULTS]
    assert _fetch(x360, tmp_path / "x.csv") == 0
    assert "counts 3 cloud-archive device(s), the device data gives 2" in capsys.readouterr().err


def test_stdout_output(x360, capsys):
    assert run_cli(["fetch", "x360recover", "--base-url", f"{x360.base}/x360recover", "--month", THIS_MONTH,
                    "--out", "-"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == COLUMNS and len(table) == 10


def test_redirects_are_not_followed(x360, tmp_path, capsys):
    x360.behaviour.redirect_to = "https://elsewhere.example/steal"
    assert _fetch(x360, tmp_path / "x.csv") == 2
    assert "redirect not followed" in capsys.readouterr().err
    assert len(x360.requests) == 1


def test_the_test_server_answers_unknown_routes_and_non_numeric_ids_with_401_as_the_api_does(x360):
    """The fake's own behaviour (ApiNotes.md): never 404 for these."""
    import httpx

    for path in ("/x360recover/client/abc/device", "/x360recover/organisation", "/x360recover/vault/x"):
        answer = httpx.get(f"{x360.base}{path}", headers={"x-api-key": KEY})
        assert (answer.status_code, answer.json()) == (401, {"code": 401, "msg": "Unauthorized"}), path
    answer = httpx.get(f"{x360.base}/x360recover/client/99/device", headers={"x-api-key": KEY})
    assert answer.status_code == 404 and answer.json()["type"] == "NotFoundException"   # numeric, no such client


def test_a_server_without_organization_is_probed_again_with_client(x360, tmp_path, capsys):
    x360.behaviour.organization_endpoint = False          # /organization answers 401 as an unknown route
    out = tmp_path / "x.csv"
    assert _fetch(x360, out) == 0
    assert "/organization is not available here; key accepted by /client" in capsys.readouterr().err
    assert len(_rows(out)[1]) == 9
