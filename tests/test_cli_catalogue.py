"""`xlbilling catalogue`: every function with its signature, what it returns and a
worked example whose result comes from calling the real UDF."""
from __future__ import annotations

import subprocess
import sys

import pytest

from xlbilling.commands import cli
from xlbilling.commands import catalogue
from xlbilling.excel.udfs import CATALOGUE


def test_registered_in_the_cli():
    assert "xlbilling.commands.catalogue" in cli.COMMANDS


def test_catalogue_lists_every_function_in_order(capsys):
    assert cli.main(["catalogue"]) == 0
    out = capsys.readouterr().out
    positions = [out.index(f"\n{spec.signature}\n") for spec, _ in CATALOGUE]
    assert positions == sorted(positions)
    assert out.count("    example: =") == len(CATALOGUE) == 14


@pytest.mark.parametrize("line", [
    # computed by hand: 100 x 20 days (10..29 Feb 2024) / 29 = 68.9655 -> 68.97
    '=PRORATED_STORAGE(100, DATE(2024,2,10), "", DATE(2024,2,1))  -> 68.97',
    "PRORATED_STORAGE(monthly_price, first_day, last_day, month, currency_code=\"USD\")",
    "=ENDPOINT_CHARGE(3, 12, 45, 12.5, \"USD\")  -> 285",           # 135 + 150
    "=POOL_ALLOWANCE_GB(3, 12)  -> 8400",                            # 6000 + 2400
    "=STORAGE_OVERAGE_GB(9000, 3, 12)  -> 600",                      # 9000 - 8400
    "=RESELLER_PRICE(12.5, 20%, \"margin\", 37.5%)  -> 16",          # 10 / 0.625
    "=CONVERT_CURRENCY(100, 161.23456, \"JPY\")  -> 16123",          # 16123.456 -> whole yen
    "=COMMITMENT_FEE(850, 1000, \"EUR\")  -> 150",
    "=IS_BILLABLE(0, 1)  -> FALSE",
    "=ENDPOINT_TIER(0, 1)  -> cloud-only",
    "=ACRONIS_CANCEL_WINDOW(DATE(2024,2,29))  -> TRUE",
    "=AVERAGE_DAILY_USAGE(A2:A4, 30)  -> 2",                         # 60 / 30
    "=BILLED_USERS(A2:A5, B2:B5)  -> 2",
    "BILLABLE_GB(uncompressed_gb, compressed_gb, can_view_compressed=0, basis=\"uncompressed\", plan=\"\")",
])
def test_catalogue_examples(line):
    assert line in catalogue.catalogue_text()


def test_examples_are_computed_not_copied(monkeypatch):
    # a change in the rule must show in the catalogue: break the UDF and the example changes
    import xlbilling.excel.udfs as udfs
    spec, _ = CATALOGUE[4]
    monkeypatch.setattr(udfs, "CATALOGUE", CATALOGUE[:4] + ((spec, lambda *a: 99.5),) + CATALOGUE[5:])
    assert "DATE(2024,2,1))  -> 99.5" in catalogue.catalogue_text()


def test_one_function_and_unknown_names(capsys):
    assert cli.main(["catalogue", "prorated_storage"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("PRORATED_STORAGE(") and "BILLABLE_GB" not in out
    assert cli.main(["catalogue", "NOPE"]) == 2
    assert "unknown function(s) NOPE" in capsys.readouterr().err


@pytest.mark.parametrize("value, text", [(True, "TRUE"), (False, "FALSE"), (68.97, "68.97"), (8400.0, "8400"),
                                         (2, "2"), ("cloud-only", "cloud-only")])
def test_excel_text(value, text):
    assert catalogue.excel_text(value) == text


def test_runs_as_a_command():
    done = subprocess.run([sys.executable, "-m", "xlbilling", "catalogue", "COST_PRICE"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "=COST_PRICE(12.5, 20%)  -> 10" in done.stdout     # 12.5 x (1 - 0.2)
