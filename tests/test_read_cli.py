"""`xlbilling read`: csv on stdout and nothing else, summary on stderr, exit codes."""
from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

from xlbilling.commands.cli import main

ROOT = Path(__file__).resolve().parents[1]
from xlbilling.commands.sample_data import SAMPLES_DIR as SAMPLES, sample_path  # noqa: E402,F401
ADV = ROOT / "tests" / "data" / "adversarial"


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["read", *args])
    return code, out.getvalue(), err.getvalue()


def test_csv_has_exactly_the_columns_and_exact_quantities():
    code, out, err = run_cli(str(sample_path("acronis_usage_2026-10.csv.gz")), "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["vendor", "account", "customer", "item", "quantity", "unit", "source"]
    by = {(r[1], r[3]): r[4] for r in rows[1:]}
    # 1288490188 bytes / 1024^3, exact (no float, no exponent, no 28-digit rounding)
    assert by[("2b7d9e10-5c3a-4f2b-8e61-1a2b3c4d5e02", "pw_base_storage:azure")] == "1.1999999992549419403076171875"
    assert by[("8f1c2a8e-4d6b-4b6e-9a51-0c1d2e3f4a01", "dr_compute_points")] == "7.5"  # 27000 / 3600
    assert "rows read" not in out and "11 data rows read" in err
    assert "skipped 1: pw_base_m365_mailboxes" in err


def test_basis_option():
    path = str(sample_path("axcient_bff_raw_customer_data_2026-10.xls"))
    _, out, _ = run_cli(path, "--format", "csv", "--basis", "compressed")
    rows = {(r["account"], r["item"]): r["quantity"] for r in csv.DictReader(io.StringIO(out))}
    assert rows[("10421", "online_gb")] == "301.5" and rows[("10422", "online_gb")] == "1250"  # Basic


def test_json_and_table_formats():
    code, out, _ = run_cli(str(sample_path("hornetsecurity_licenses_2026-10.csv")), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data[2]["quantity"] == "1200" and data[2]["vendor_amount"] == "2340.00"
    code, out, _ = run_cli(str(sample_path("x360recover_devices_2026-10.csv")))
    assert code == 0 and "cloud-only" in out and "account" in out.splitlines()[0]


def test_month_option_and_errors_exit_non_zero():
    code, out, err = run_cli(str(sample_path("x360recover_licenses.xlsx")), "--month", "2026-10", "--format", "csv")
    assert code == 0 and "storage_license,26,day" in out
    code, out, err = run_cli(str(sample_path("x360recover_licenses.xlsx")))
    assert code != 0 and out == "" and "--month" in err
    code, out, err = run_cli(str(ADV / "acronis_bad_cells.csv"), "--format", "csv")
    assert code != 0 and out == "" and "row 9, column 'usage.absolute.total': found '55 seats'" in err
    code, out, err = run_cli(str(ADV / "missing-file.csv"))
    assert code != 0 and "not found" in err
