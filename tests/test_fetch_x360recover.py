"""The x360Recover API client over real sockets against tests/fetchserver.py:
paging, the tier of each device (seeds/002), the canonical columns, retries of
safe failures, a wrong key, a timeout, a truncated answer, .xlsx output."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

try:
    from fetch_helpers import KEY, keys, no_reader, run_cli, state_dir, vendor  # noqa: F401
except ModuleNotFoundError:
    from tests.fetch_helpers import KEY, keys, no_reader, run_cli, state_dir, vendor  # noqa: F401

COLUMNS = ["client_id", "client_name", "id", "name", "type", "os", "d2c", "vault_types", "on_appliance",
           "local_usage", "cloud_usage", "vault_usage", "tier"]
THIS_MONTH = f"{dt.datetime.now(dt.timezone.utc):%Y-%m}"

CLIENTS = [
    {"id": 26, "name": "Contoso", "devices_counters": {
        "appliance_based": [{"type": "SERVER", "count": 3}, {"type": "WORKSTATION", "count": 1}],
        "d2c": [{"type": "WORKSTATION", "count": 1}],
        "cloud_archive": [{"type": "SERVER", "count": 1}]}},
    {"id": 27, "name": "Fabrikam"},
]
VAULTS = [
    {"id": 1, "type": "Cloud", "devices": [{"id": 101}, {"id": 102}, {"id": 104}, {"id": 105}]},
    {"id": 2, "type": "Private", "devices": [{"id": 102}, {"id": 103}]},
]


def _device(did, cid, name, type_, *, vaults=(), local=0, cloud=0, vault=0, d2c=False, os_name="Windows Server 2022"):
    return {"id": did, "client_id": cid, "name": name, "type": type_, "d2c": d2c,
            "os": {"os_type": "WINDOWS", "bits": 64, "os_name": os_name},
            "vaults": [{"id": v, "type": {1: "Cloud", 2: "Private"}[v], "device_usage": 1000 * v} for v in vaults],
            "local_usage": local, "cloud_usage": cloud, "vault_usage": vault}


DEVICES = [
    # seeds/002: on an Axcient cloud vault and on an appliance -> bundled
    _device(101, 26, "DC01", "SERVER", vaults=(1,), local=500_000_000_000, cloud=400_000_000_000),
    # also on a self-hosted vault: still bundled
    _device(102, 26, "SQL01", "SERVER", vaults=(1, 2), local=7, cloud=8, vault=9),
    # self-hosted vault only -> self-hosted
    _device(103, 27, "FS01", "SERVER", vaults=(2,), local=11, vault=12),
    # on the cloud vault, no appliance copy (deleted from the appliance) -> cloud-only
    _device(104, 26, "OLD-SRV", "SERVER", vaults=(1,), local=0, cloud=13),
    # direct-to-cloud: no appliance, on the Axcient cloud
    _device(105, 26, "LAPTOP7", "WORKSTATION", vaults=(1,), cloud=14, d2c=True, os_name="Windows 11"),
    # no vault at all -> self-hosted (not on any Axcient cloud vault)
    _device(106, 27, "PC2", "WORKSTATION", local=15, os_name="Windows 10"),
]


@pytest.fixture
def x360(vendor):
    vendor.behaviour.clients = [dict(c) for c in CLIENTS]
    vendor.behaviour.devices = [dict(d) for d in DEVICES]
    vendor.behaviour.vaults = [dict(v) for v in VAULTS]
    return vendor


def _fetch(vendor, out, *extra) -> int:
    return run_cli(["fetch", "x360recover", "--base-url", f"{vendor.base}/x360recover", "--month", THIS_MONTH,
                    "--out", str(out), *extra])


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, {row["id"]: row for row in reader}


def test_device_table_has_the_canonical_columns_and_each_devices_tier(x360, tmp_path, capsys):
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
    }
    dc01 = rows["101"]
    assert (dc01["client_id"], dc01["client_name"], dc01["name"], dc01["type"], dc01["os"], dc01["d2c"]) == \
        ("26", "Contoso", "DC01", "SERVER", "Windows Server 2022", "0")
    # sizes: integer bytes exactly as the API gave them
    assert (dc01["local_usage"], dc01["cloud_usage"], dc01["vault_usage"]) == ("500000000000", "400000000000", "0")
    assert rows["105"]["d2c"] == "1"
    err = capsys.readouterr().err
    assert "6 device(s) of 2 client(s)" in err and "cloud-archive" not in err   # counters agree


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


def test_falls_back_to_per_client_device_lists(x360, tmp_path):
    x360.behaviour.org_device_endpoint = False
    out = tmp_path / "x.csv"
    assert _fetch(x360, out) == 0
    rows = _rows(out)[1]
    assert len(rows) == 6 and rows["103"]["client_id"] == "27" and rows["103"]["tier"] == "self-hosted"
    assert {r["path"] for r in x360.calls("/x360recover/client/")} == {"/x360recover/client/26/device",
                                                                      "/x360recover/client/27/device"}


def test_transient_server_errors_are_retried(x360, tmp_path, capsys):
    x360.behaviour.fail_next = 2
    out = tmp_path / "x.csv"
    assert _fetch(x360, out) == 0
    assert "retrying" in capsys.readouterr().err
    assert len(_rows(out)[1]) == 6


def test_persistent_server_errors_fail_after_bounded_retries_and_write_nothing(x360, tmp_path, capsys):
    x360.behaviour.fail_next = 100
    assert _fetch(x360, tmp_path / "x.csv") == 2
    assert "HTTP 503" in capsys.readouterr().err
    assert len(x360.requests) == 3                            # 1 + 2 retries, then stop
    assert list(tmp_path.iterdir()) == []


def test_wrong_key_is_an_auth_error(x360, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XLBILLING_X360RECOVER_API_KEY", "not-the-key-123")
    assert _fetch(x360, tmp_path / "x.csv") == 2
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "auth set x360recover" in err and "not-the-key-123" not in err
    assert len(x360.requests) == 1                            # 401 is never retried
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
    err = capsys.readouterr().err
    assert "truncated" in err
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
    assert "counts 1 cloud-archive device(s), the device data gives 0" in capsys.readouterr().err


def test_stdout_output(x360, capsys):
    assert run_cli(["fetch", "x360recover", "--base-url", f"{x360.base}/x360recover", "--month", THIS_MONTH,
                    "--out", "-"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == COLUMNS and len(table) == 7


def test_spec_spellings_vault_only_devices_and_vault_ids(x360, tmp_path, capsys):
    """The 0.2.x spec's `id_`, `os` as text, `vaults` as bare ids, and a device
    left on a cloud vault after it was removed from the appliance (seeds/002:
    cloud-only, still billed) that only the /vault listing shows."""
    x360.behaviour.clients = [{"id_": 5, "name": "Northwind"}]
    x360.behaviour.devices = [{"id_": 50, "client_id": 5, "name": "APP", "type": "server", "os": "Windows",
                               "vaults": [7], "local_usage": 3, "cloud_usage": 4}]
    x360.behaviour.vaults = [{"id_": 7, "type": "Cloud", "devices": [
        {"id_": 50},
        {"id_": 51, "name": "RETIRED", "type": "SERVER", "os": "Windows", "client": {"id_": 5, "name": "Northwind"},
         "vault_usage": 99},
        {"id_": 52}]}]
    out = tmp_path / "x.csv"
    assert _fetch(x360, out) == 0
    rows = _rows(out)[1]
    assert (rows["50"]["type"], rows["50"]["os"], rows["50"]["vault_types"], rows["50"]["tier"]) == \
        ("SERVER", "Windows", "Cloud", "bundled")
    assert (rows["51"]["client_id"], rows["51"]["on_appliance"], rows["51"]["tier"]) == ("5", "0", "cloud-only")
    assert "52" not in rows
    err = capsys.readouterr().err
    assert "appear only in vault listings" in err and "left out: 52" in err


def test_a_server_capping_the_page_size_below_the_limit_is_paged_to_the_end(x360, tmp_path):
    x360.behaviour.devices = [_device(1000 + i, 27, f"PC{i}", "WORKSTATION", local=1) for i in range(23)]
    x360.behaviour.vaults = []
    x360.behaviour.max_page_size = 5                         # the server gives at most 5, whatever we ask
    out = tmp_path / "x.csv"
    assert _fetch(x360, out, "--page-size", "100") == 0
    assert len(_rows(out)[1]) == 23
    assert [int(r["query"]["offset"]) for r in x360.calls("/x360recover/device")] == [0, 5, 10, 15, 20, 23]


def test_follows_next_links_of_a_wrapped_list(x360, tmp_path):
    x360.behaviour.paging = "wrapped_next"
    x360.behaviour.devices = [_device(1000 + i, 27, f"PC{i}", "WORKSTATION", local=1) for i in range(10)]
    x360.behaviour.vaults = []
    out = tmp_path / "x.csv"
    assert _fetch(x360, out) == 0
    assert len(_rows(out)[1]) == 10
    assert [r["query"].get("start") for r in x360.calls("/x360recover/device")] == [None, "4", "8"]


def test_redirects_are_not_followed(x360, tmp_path, capsys):
    x360.behaviour.redirect_to = "https://elsewhere.example/steal"
    assert _fetch(x360, tmp_path / "x.csv") == 2
    assert "redirect not followed" in capsys.readouterr().err
    assert len(x360.requests) == 1
