"""Golden files: each sample report beside the records `xlbilling read` prints
for it (tests/golden/<sample>.csv) and its import summary (<sample>.summary.txt).

Regenerate after a deliberate change, then review every changed line:

    XLBILLING_REGEN_GOLDEN=1 python -m pytest tests/test_read_golden.py -q
    git diff tests/golden/
"""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from xlbilling.commands.cli import main

ROOT = Path(__file__).resolve().parents[1]
from xlbilling.commands.sample_data import SAMPLES_DIR as SAMPLES, sample_path  # noqa: E402,F401
GOLDEN = ROOT / "tests" / "golden"
EXTRA_ARGS = {"x360recover_licenses.xlsx": ["--month", "2026-10"]}
# The vendor report samples (tests/data/make_samples.py writes them); other files
# in samples/ (the demo price book) belong to other readers of the package.
SAMPLE_NAMES = [
    "axcient_bff_raw_customer_data_2026-10.xls", "axcient_bff_raw_account_data_2026-10.xlsx",
    "x360recover_devices_2026-10.csv", "x360recover_licenses.xlsx", "acronis_usage_2026-10.csv.gz",
    "acronis_usage_records_2026-10.xlsx", "altaro_itemised_2026-10.csv", "altaro_itemised_2026-10.json",
    "hornetsecurity_licenses_2026-10.csv",
]


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def test_every_sample_has_a_golden():
    assert all((sample_path(n)).exists() for n in SAMPLE_NAMES)
    if not os.environ.get("XLBILLING_REGEN_GOLDEN"):
        missing = [n for n in SAMPLE_NAMES if not (GOLDEN / f"{n}.csv").exists()]
        assert not missing, f"no golden for {missing}: regenerate (see module docstring)"


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_matches_golden(name):
    code, out, err = run_cli(["read", str(sample_path(name)), "--format", "csv", *EXTRA_ARGS.get(name, [])])
    assert code == 0, err
    records, summary = GOLDEN / f"{name}.csv", GOLDEN / f"{name}.summary.txt"
    if os.environ.get("XLBILLING_REGEN_GOLDEN"):
        records.write_text(out, encoding="utf-8", newline="")
        summary.write_text(err, encoding="utf-8", newline="")
        return
    assert out == records.read_text(encoding="utf-8")
    assert err == summary.read_text(encoding="utf-8")
