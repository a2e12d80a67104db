"""Report periods: what each report states (column, title row, file name), and
build/lines/export refusing a report from another month unless
--allow-period-mismatch (then recorded on the Imports sheet)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from xlbilling.commands import demo
from xlbilling.commands.cli import main
from xlbilling.commands.sample_data import all_reports, sample_path
from xlbilling.core.period import Period, PeriodCheck, parse_month_cell, period_in_text
from xlbilling.readers import read_report
from xlbilling.writers import layout as L

PRICEBOOK = str(demo.demo_inputs()[1])
OCT = dt.date(2026, 10, 1)


@pytest.mark.parametrize("text, first, last, kind", [
    ("acronis_usage_2026-10", "2026-10-01", "2026-10-31", "range"),
    ("usage 202609", "2026-09-01", "2026-09-30", "range"),
    ("October 2026 backup usage", "2026-10-01", "2026-10-31", "range"),
    ("usage_sep-2026", "2026-09-01", "2026-09-30", "range"),
    ("report 10-2026", "2026-10-01", "2026-10-31", "range"),
    # the Acronis distributor export: ..._UsageRecords_MM_DD_YYYY_HH_MM_SS (last invoice date)
    ("Acronis Cyber Protect Cloud A_UsageRecords_11_02_2026_12_00_00", "2026-11-02", "2026-11-02", "as_of"),
    ("raw_customer_data_2026-10-31", "2026-10-31", "2026-10-31", "as_of"),
    ("export_2026-10-01_2026-10-31", "2026-10-01", "2026-10-31", "range"),
])
def test_periods_in_names(text, first, last, kind):
    p = period_in_text(text, "file name")
    assert (p.first.isoformat(), p.last.isoformat(), p.kind) == (first, last, kind)


def test_names_without_a_period():
    assert period_in_text("x360recover_licenses", "file name") is None
    assert period_in_text("raw customer data", "file name") is None


def test_matching_rules():
    # a range matches only inside the month
    assert Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31)).matches(OCT)
    assert not Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30)).matches(OCT)
    assert not Period(dt.date(2026, 9, 15), dt.date(2026, 10, 14)).matches(OCT)
    # an as-of date: in the month or up to 7 days after it (31 Oct + 7 = 7 Nov)
    assert Period(dt.date(2026, 11, 2), dt.date(2026, 11, 2), "as_of").matches(OCT)
    assert Period(dt.date(2026, 11, 7), dt.date(2026, 11, 7), "as_of").matches(OCT)
    assert not Period(dt.date(2026, 11, 8), dt.date(2026, 11, 8), "as_of").matches(OCT)
    assert not Period(dt.date(2026, 9, 30), dt.date(2026, 9, 30), "as_of").matches(OCT)
    # a span (license assignments) must overlap it
    assert Period(dt.date(2025, 1, 1), dt.date(2026, 10, 2), "span").matches(OCT)
    assert not Period(dt.date(2025, 1, 1), dt.date(2026, 9, 30), "span").matches(OCT)


def test_month_cells():
    assert parse_month_cell("2026-09") == dt.date(2026, 9, 1)
    assert parse_month_cell("September 2026") == dt.date(2026, 9, 1)
    assert parse_month_cell(dt.datetime(2026, 9, 14)) == dt.date(2026, 9, 1)
    assert parse_month_cell("soon") is None


def test_every_sample_states_october_or_nothing_wrong():
    stated = {}
    for p in all_reports():
        r = read_report(p, month=OCT)
        stated[p.name] = r.period.text() if r.period else None
        assert r.period is None or r.period.matches(OCT), p.name
    assert stated["altaro_itemised_2026-10.csv"] == "2026-10 (column 'Month')"
    assert stated["hornetsecurity_licenses_2026-10.csv"] == "2026-10 (columns 'Date From'/'Date To')"
    assert stated["acronis_usage_2026-10.csv.gz"] == "2026-10 (file name)"


def _september_altaro(tmp_path) -> Path:
    text = sample_path("altaro_itemised_2026-10.csv").read_text(encoding="utf-8-sig").replace(",2026-10,", ",2026-09,")
    out = tmp_path / "altaro_itemised.csv"     # no month in the name: the column says September
    out.write_text(text, encoding="utf-8")
    return out


def _september_hornet(tmp_path) -> Path:
    raw = sample_path("hornetsecurity_licenses_2026-10.csv").read_bytes()
    out = tmp_path / "hornetsecurity.csv"
    out.write_bytes(raw.replace(b"01.10.2026", b"01.09.2026").replace(b"31.10.2026", b"30.09.2026"))
    return out


def test_month_column_and_dates_are_read(tmp_path):
    assert read_report(_september_altaro(tmp_path)).period.text() == "2026-09 (column 'Month')"
    hs = read_report(_september_hornet(tmp_path)).period
    assert (hs.first, hs.last) == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))


@pytest.mark.parametrize("command", ["build", "lines", "export"])
def test_a_september_report_stops_an_october_run(tmp_path, capsys, command):
    report = _september_altaro(tmp_path)
    out = tmp_path / ("out.xlsx" if command == "build" else "out.csv")
    args = [command, "--month", "2026-10", "--pricebook", PRICEBOOK, str(report)]
    if command == "build":
        args += ["--out", str(out), "--quiet"]
    elif command == "export":
        args = [command, "--format", "xero", *args[1:], "--out", str(out)]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert "altaro_itemised.csv" in captured.err and "2026-09 (column 'Month')" in captured.err
    assert "billing month asked is 2026-10" in captured.err
    assert captured.out == "" and not out.exists()
    assert list(tmp_path.iterdir()) == [report]


def test_wrong_month_asked_for_october_reports(tmp_path, capsys):
    hs = sample_path("hornetsecurity_licenses_2026-10.csv")
    assert main(["lines", "--month", "2026-11", "--pricebook", PRICEBOOK, str(hs)]) == 2
    err = capsys.readouterr().err
    assert "hornetsecurity_licenses_2026-10.csv" in err and "2026-11" in err


def test_allowed_mismatch_is_recorded_on_the_imports_sheet(tmp_path, capsys):
    report = _september_hornet(tmp_path)
    plain = sample_path("x360recover_licenses.xlsx")
    out = tmp_path / "billing.xlsx"
    assert main(["build", "--quiet", "--month", "2026-10", "--pricebook", PRICEBOOK, str(report), str(plain),
                 "--out", str(out), "--allow-period-mismatch"]) == 0
    ws = openpyxl.load_workbook(out, data_only=True)[L.IMPORTS.name]
    S = L.IMPORTS
    rows = {ws.cell(r, S.index("file")).value: (ws.cell(r, S.index("period")).value,
                                                 ws.cell(r, S.index("period_check")).value) for r in (5, 6)}
    assert rows["hornetsecurity.csv"] == ("2026-09 (columns 'Date From'/'Date To')",
                                          "does NOT match 2026-10: allowed with --allow-period-mismatch")
    assert rows["x360recover_licenses.xlsx"][1] == "matches the billing month"


def test_not_stated_is_said():
    check = PeriodCheck("a.csv", None, OCT)
    assert check.ok and check.stated() == "not stated"
