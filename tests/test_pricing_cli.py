"""`xlbilling lines`, `export` and `pricebook` end to end on the sample reports
and the sample price book (amounts worked by hand in the comments)."""
from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from xlbilling.commands.cli import main

from xlbilling.commands.sample_data import SAMPLES_DIR as SAMPLES, sample_path  # noqa: E402,F401
PB = sample_path("pricebook_sample.xlsx")
REPORTS = ["acronis_usage_records_2026-10.xlsx", "acronis_usage_2026-10.csv.gz", "altaro_itemised_2026-10.csv",
           "axcient_bff_raw_customer_data_2026-10.xls", "hornetsecurity_licenses_2026-10.csv",
           "x360recover_devices_2026-10.csv", "x360recover_licenses.xlsx"]
pytestmark = pytest.mark.skipif(not all((sample_path(r)).exists() for r in REPORTS) or not PB.exists(),
                                reason="sample reports / price book not present")
D = Decimal


def _args(*extra, reports=REPORTS):
    return [*extra, "--month", "2026-10", "--pricebook", str(PB), *[str(sample_path(r)) for r in reports]]


def _lines(capsys, *extra, reports=REPORTS):
    code = main(["lines", "--format", "csv", *_args(*extra, reports=reports)])
    out, err = capsys.readouterr()
    return code, list(csv.DictReader(io.StringIO(out))), err


def test_lines_csv_hand_checked_amounts(capsys):
    code, rows, err = _lines(capsys)
    assert code == 0
    assert list(rows[0]) == ["customer", "vendor", "item", "description", "quantity", "unit", "unit_price", "amount",
                             "currency", "source"]
    def find(customer, item):
        return [r for r in rows if r["customer"] == customer and r["item"] == item]
    # Tailspin Toys: 2 distinct Altaro users x 3.50 = 7.00 USD
    assert find("Tailspin Toys", "m365_users")[0]["amount"] == "7.00"
    # Northwind: Hornetsecurity 365TP EUR 2340.00 stated, x 1.0829 = 2533.986 -> USD 2533.99
    assert find("Northwind Dental", "365TP")[0]["amount"] == "2533.99"
    # Wide World (EUR): 4 VMs x list 12 x 0.8 x 1.25 = USD 48 x 0.92345 = 44.3256 -> EUR 44.33
    assert find("Wide World Importers", "pw_base_vms")[0]["amount"] == "44.33"
    # Contoso (JPY): 4 Altaro users x 3.50 = USD 14 x 151.23456 = 2117.28384 -> JPY 2117
    assert find("Contoso Legal LLP", "m365_users")[0]["amount"] == "2117"
    # Wide World's Acronis usage 0.03 + 44.19 + 60.95 + 0.10 + 44.33 = EUR 149.60 < 1500: fee 1350.40
    ww_acronis = [r for r in rows if r["customer"] == "Wide World Importers" and r["vendor"] == "acronis"]
    fee = [r for r in ww_acronis if r["item"] == "minimum_commitment_fee"]
    assert fee[0]["amount"] == "1350.40" and fee[0]["description"] == "Minimum Commitment Amount Fee"
    assert sum(D(r["amount"]) for r in ww_acronis) == D("1500.00")
    # Northwind's Acronis usage is above its USD 150 commitment: no fee line
    assert not find("Northwind Dental", "minimum_commitment_fee")
    assert all(r["source"] for r in rows)
    # problem kinds in words (xlbilling.core.problems.TITLES): unmapped_account, deleted_with_usage, same_name_users
    assert ("Account without a customer:" in err and "Deleted or expired account with usage:" in err
            and "User names merged:" in err)


def test_strict_exits_1_on_unmapped(capsys):
    code, _, err = _lines(capsys, "--strict")
    assert code == 1 and "--strict" in err


def test_duplicate_reports_refused(capsys):
    code = main(["lines", *_args(reports=["altaro_itemised_2026-10.csv", "altaro_itemised_2026-10.json"])])
    assert code == 2 and "duplicate" in capsys.readouterr().err
    code = main(["lines", *_args(reports=["altaro_itemised_2026-10.csv", "altaro_itemised_2026-10.csv"])])
    assert code == 2 and "same report" in capsys.readouterr().err


def test_export_xero_and_qbo_and_refusals(tmp_path, capsys):
    out = tmp_path / "xero.csv"
    assert main(["export", "--format", "xero", "--out", str(out), *_args()]) == 0
    rows = list(csv.reader(out.open(newline="", encoding="utf-8")))
    assert rows[0][0] == "*ContactName" and len(rows[0]) == 27
    assert {r[12] for r in rows[1:]} == {"31/10/2026"}
    # refuse an existing output, leave it untouched
    before = out.read_bytes()
    assert main(["export", "--format", "xero", "--out", str(out), *_args()]) == 2
    assert out.read_bytes() == before and "already exists" in capsys.readouterr().err
    # refuse writing over an input even with --force
    victim = tmp_path / REPORTS[2]
    shutil.copy(sample_path(REPORTS[2]), victim)
    original = victim.read_bytes()
    code = main(["export", "--format", "qbo", "--force", "--out", str(victim), "--month", "2026-10",
                 "--pricebook", str(PB), str(victim)])
    assert code == 2 and victim.read_bytes() == original
    q = tmp_path / "qbo.csv"
    assert main(["export", "--format", "qbo", "--out", str(q), "--invoice-date", "2026-11-01", *_args()]) == 0
    qrows = list(csv.DictReader(q.open(newline="", encoding="utf-8")))
    assert qrows[0]["InvoiceDate"] == "11/01/2026"


def test_pricebook_init_and_check(tmp_path, capsys):
    out = tmp_path / "pb.xlsx"
    code = main(["pricebook", "init", "--month", "2026-10", "--out", str(out),
                 *[str(sample_path(r)) for r in REPORTS]])
    assert code == 0
    assert main(["pricebook", "check", str(out)]) == 0
    text = capsys.readouterr().out
    # a price book straight from init has no prices: valid, but not ready (exit 0; 1 with --strict)
    assert "INCOMPLETE, not ready to invoice" in text and "not reviewed" in text
    assert main(["pricebook", "check", "--strict", str(out)]) == 1
    from xlbilling.pricing.pricebook import load_pricebook
    pb = load_pricebook(out)
    assert ("acronis", "c0ffee00-1111-4222-8333-944455556603") in {(a.vendor, a.account) for a in pb.accounts}
    assert main(["pricebook", "init", "--out", str(out), str(sample_path(REPORTS[2]))]) == 2   # exists, no --force
