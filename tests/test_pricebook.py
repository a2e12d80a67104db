"""Price book: template, loader validation (all problems at once), init from reports, sample."""
from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from xlbilling.errors import OutputError, PriceBookError
from xlbilling.pricing import pricebook_sheets as pricebook_module
from xlbilling.pricing.pricebook import load_pricebook
from xlbilling.pricing.schema import SHEETS
from xlbilling.writers.pricebook_init import init_pricebook
from xlbilling.writers.pricebook_template import TEMPLATE_PATH, build_workbook, write_pricebook

ROOT = Path(__file__).resolve().parents[1]
from xlbilling.commands.sample_data import SAMPLES_DIR as SAMPLES, sample_path  # noqa: E402,F401
EVIL = "=cmd|' /C calc'!A0"


def test_template_is_current_and_loads(tmp_path):
    out = tmp_path / "pb.xlsx"
    write_pricebook(out)
    pb = load_pricebook(out)
    assert pb.settings.home_currency == "USD" and pb.settings.pool.gb_per_tb == 1000
    assert pb.customers == () and pb.rates == ()
    assert TEMPLATE_PATH.exists()
    tpl = load_pricebook(TEMPLATE_PATH)
    assert tpl.settings == pb.settings
    import openpyxl
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Instructions" and set(SHEETS) <= set(wb.sheetnames)
    ws = wb["Rates"]
    assert ws.freeze_panes == "A2" and "tblRates" in ws.tables
    assert any("markup" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)


def test_every_problem_reported_at_once(tmp_path):
    wb = build_workbook(
        customers=[("Acme", "USX", None, None), ("Acme", "USD", None, None), ("Beta", "EUR", "squashed", None)],
        accounts=[("axcient-bff", "1", "Acme", "Nobody", "yes", None, None), ("dropbox", "2", "x", "Acme", None, None, None)],
        rates=[("altaro", "m365_users", None, None, "user", "abc", None, None, None, None, None, None, None),
               ("acronis", "*", None, "Acme", None, None, None, None, "margin", Decimal("1.5"), None, None, None)],
        exchange_rates=[("USD", "EUR", Decimal("0.923456"))])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with pytest.raises(PriceBookError) as err:
        load_pricebook(path)
    text = str(err.value)
    for expected in ["sheet 'Customers', row 2, column 'Invoice currency': found 'USX'",
                     "sheet 'Customers', row 3, column 'Customer': found 'Acme', expected each customer once",
                     "sheet 'Customers', row 4, column 'Axcient BFF basis': found 'squashed'",
                     "sheet 'Accounts', row 2, column 'Customer': found 'Nobody'",
                     "sheet 'Accounts', row 3, column 'Vendor': found 'dropbox'",
                     "sheet 'Rates', row 2, column 'Unit price': found 'abc', expected a number",
                     "sheet 'Rates', row 3, column 'Rule rate'",
                     "sheet 'ExchangeRates', row 2, column 'Rate'", "at most 5 decimals"]:
        assert expected in text, expected
    assert str(path) in text and "8 problem(s)" in text


def test_missing_sheet_and_header(tmp_path):
    wb = build_workbook()
    del wb["Rates"]
    wb["Accounts"]["B1"].value = "Acct"
    path = tmp_path / "pb.xlsx"
    wb.save(path)
    with pytest.raises(PriceBookError) as err:
        load_pricebook(path)
    assert "a sheet named 'Rates'" in str(err.value) and "header(s) Account in row 1" in str(err.value)


def test_not_a_workbook_and_size_limit(tmp_path, monkeypatch):
    bad = tmp_path / "pb.xlsx"
    bad.write_text("not a zip")
    with pytest.raises(PriceBookError, match="pb.xlsx"):
        load_pricebook(bad)
    good = tmp_path / "good.xlsx"
    write_pricebook(good)
    monkeypatch.setattr(pricebook_module, "MAX_PRICEBOOK_BYTES", 1000)
    with pytest.raises(PriceBookError, match="refusing"):
        load_pricebook(good)


def test_values_read(tmp_path):
    path = tmp_path / "pb.xlsx"
    write_pricebook(path, settings={"Home currency": "EUR", "Pool GB per TB": 1024},
                    customers=[("Acme", None, "compressed", None)],
                    accounts=[("axcient-bff", "00123", "Acme Ltd", "acme", "no", dt.date(2026, 11, 30), None)],
                    rates=[("axcient-bff", "online_gb", None, None, "GB", 0.25, None, 0.1, None, None, None, None, "X")],
                    exchange_rates=[("EUR", "USD", Decimal("1.0829"))])
    pb = load_pricebook(path)
    assert pb.settings.home_currency == "EUR" and pb.settings.pool.gb_per_tb == 1024
    assert pb.customers[0].currency == "EUR" and pb.customers[0].basis == "compressed"
    acct = pb.accounts[0]
    assert (acct.account, acct.customer, acct.reviewed, acct.cancelled_on) == ("00123", "Acme", False,
                                                                               dt.date(2026, 11, 30))
    assert pb.rates[0].unit_price == Decimal("0.25") and pb.rates[0].currency == "EUR"
    assert pb.fx_rate("EUR", "USD") == Decimal("1.0829")


def test_output_refusals(tmp_path):
    path = tmp_path / "pb.xlsx"
    write_pricebook(path)
    with pytest.raises(OutputError, match="already exists"):
        write_pricebook(path)
    with pytest.raises(OutputError, match="input"):
        write_pricebook(path, inputs=[str(path)], force=True)
    with pytest.raises(OutputError, match="template"):
        write_pricebook(TEMPLATE_PATH, force=True)


def test_init_lists_every_account_and_keeps_formula_like_names_as_text(tmp_path):
    report = tmp_path / "altaro.csv"
    report.write_text("Customer,Object Type Backed Up,Object Name\n"
                      f"\"{EVIL}\",Mailbox,Ann\nContoso,Mailbox,Bob\nContoso,OneDrive,Bob\n", encoding="utf-8")
    out = tmp_path / "pb.xlsx"
    init_pricebook([report], out)
    before = report.read_bytes()
    with zipfile.ZipFile(out) as zf:
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml                      # nothing became a formula
    pb = load_pricebook(out)
    accounts = {a.account: a for a in pb.accounts}
    assert set(accounts) == {EVIL, "Contoso"}
    # a formula-like vendor name is never pre-filled as a customer: blank, with the reason
    assert accounts[EVIL].customer == "" and accounts[EVIL].reviewed is False
    assert accounts[EVIL].label == EVIL
    assert {c.name for c in pb.customers} == {"Contoso"}
    assert [(r.vendor, r.item, r.unit_price) for r in pb.rates] == [("altaro", "m365_users", None)]
    assert report.read_bytes() == before
    with pytest.raises(OutputError):
        init_pricebook([report], report, force=True)   # never over an input


@pytest.mark.skipif(not (sample_path("pricebook_sample.xlsx")).exists(), reason="sample price book not generated")
def test_sample_pricebook_maps_sample_accounts():
    from xlbilling.readers import read_report

    pb = load_pricebook(sample_path("pricebook_sample.xlsx"))
    mapped = {(a.vendor, a.account) for a in pb.accounts if a.customer}
    for name in ("axcient_bff_raw_customer_data_2026-10.xls", "x360recover_devices_2026-10.csv",
                 "acronis_usage_records_2026-10.xlsx", "altaro_itemised_2026-10.csv"):
        r = read_report(sample_path(name), month=dt.date(2026, 10, 1))
        for rec in r.records:
            assert (rec.vendor, rec.account) in mapped, (name, rec.account)


def test_committed_template_matches_its_generator(tmp_path):
    """workbooks/pricebook.xlsx = python -m xlbilling.writers.pricebook_template:
    same sheets, same cells (headers, instructions, settings) and same tables."""
    import openpyxl

    fresh = tmp_path / "fresh.xlsx"
    write_pricebook(fresh)
    committed = openpyxl.load_workbook(TEMPLATE_PATH)
    generated = openpyxl.load_workbook(fresh)
    assert committed.sheetnames == generated.sheetnames
    for name in generated.sheetnames:
        a, b = committed[name], generated[name]
        cells_a = [[c.value for c in row] for row in a.iter_rows()]
        cells_b = [[c.value for c in row] for row in b.iter_rows()]
        assert cells_a == cells_b, f"sheet {name!r} differs: regenerate with python -m xlbilling.writers.pricebook_template"
        assert sorted(a.tables) == sorted(b.tables)
