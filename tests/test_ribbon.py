"""Billing > Import report, end to end against the xlwings double
(tests/xlwings_double.py): the cells the ribbon leaves in the workbook are
the cells `write_billing_workbook` saves for the same reports and price book
(value by value, formulas as their text, text as text, number formats and
table ranges); re-imports replace; user sheets are never touched; every
refusal is one message box and an unchanged workbook."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from xlbilling.excel import ribbon
from xlbilling.writers.pricebook_template import write_pricebook
from xlbilling.pricing.run import run_month
from xlbilling.writers import layout as L
from xlbilling.writers.billing_template import template_path
from xlbilling.writers.xlsx import write_billing_workbook
from xlwings_double import Cell, FakeApp, FakeBook, book_cells, book_from_xlsx, xlsx_cells, xlsx_tables

from xlbilling.commands.sample_data import SAMPLES_DIR as SAMPLES, sample_path  # noqa: E402,F401
PRICEBOOK = sample_path("pricebook_sample.xlsx")
OCTOBER = dt.date(2026, 10, 1)
NOW = dt.datetime(2026, 11, 5, 9, 30, 15, tzinfo=dt.timezone.utc)   # no month in Summary!B2 -> October 2026
HOSTILE = '=HYPERLINK("http://x","y")'

REPORTS = {   # sample -> (vendor, report type): one of each reader
    "altaro_itemised_2026-10.csv": ("altaro", "itemised-billing"),
    "axcient_bff_raw_customer_data_2026-10.xls": ("axcient-bff", "raw-customer-data"),
    "acronis_usage_2026-10.csv.gz": ("acronis", "usage-csv_v2_0"),
    "x360recover_devices_2026-10.csv": ("x360recover", "device-usage"),
    "x360recover_licenses.xlsx": ("x360recover", "license-assignments"),
    "acronis_usage_records_2026-10.xlsx": ("acronis", "usage-records"),
    "hornetsecurity_licenses_2026-10.csv": ("hornetsecurity", "priced-licenses"),
}


@pytest.fixture
def work(tmp_path):
    """Copies of the samples and price book (tests change and delete them)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in REPORTS:
        shutil.copy(sample_path(name), folder / name)
    shutil.copy(PRICEBOOK, tmp_path / "pricebook.xlsx")
    return tmp_path


def new_book(*responses, user_sheet=True):
    """The billing template as Excel shows it after opening, plus a user's own sheet."""
    book = book_from_xlsx(template_path(), FakeApp(responses))
    if user_sheet:
        mine = book.sheets.add("My adjustments", after=book.sheets[-1])
        mine.range("A1").value = [["'Customer", "'Credit"], ["'Acme", 12.5], ["'=SUM(1)", "=B2*2"],
                                  ["=B3+1", None]]   # a formula in A4: reading it would fail in the double
        mine.range("B2").number_format = "#,##0.00"
        book.log.clear()
    return book


def run(book, *responses):
    book.app.api.responses.extend(responses)
    return ribbon.run_import(book, now=lambda: NOW)


def headless(tmp_path, reports, pricebook, month=OCTOBER, name="headless.xlsx"):
    """What `xlbilling build` saves for the same reports: run_month + write_billing_workbook
    (with --allow-period-mismatch, as the ribbon imports into the workbook's own month)."""
    reads, result = run_month([str(p) for p in reports], str(pricebook), month, allow_period_mismatch=True)
    out = tmp_path / name
    write_billing_workbook(out, reads, result, imported_at=NOW, force=True)
    return out


def assert_same_cells(book, out: Path):
    expected = xlsx_cells(out)
    got = book_cells(book)
    for sheet, cells in expected.items():
        assert sheet in got, f"sheet {sheet!r} missing in the live workbook"
        missing = {k: v for k, v in cells.items() if got[sheet].get(k) != v}
        extra = {k: v for k, v in got[sheet].items() if k not in cells}
        assert not missing and not extra, (sheet, {k: (v, got[sheet].get(k)) for k, v in missing.items()}, extra)
    tables = xlsx_tables(out)
    for sheet in expected:
        live_tables = {t.name: t._ref for t in book.sheets[sheet].tables}
        assert live_tables == tables[sheet], sheet
    generated = [s.name for s in book.sheets if s.name in expected]
    assert generated == list(expected), "generated sheets in the headless order"


def alerts(book):
    return [text for text, title in book.app.alerts]


# --- (a) the same cells as the headless build ---------------------------------------------------

@pytest.mark.parametrize("report", sorted(REPORTS))
def test_first_import_leaves_the_cells_of_the_headless_build(work, report):
    book = new_book()
    path = work / "reports" / report
    plan = run(book, str(path), str(work / "pricebook.xlsx"))
    assert plan is not None, alerts(book)
    assert_same_cells(book, headless(work, [path], work / "pricebook.xlsx"))
    # one message: the summary; it names the report, the month and the price book
    (summary,) = alerts(book)
    assert summary.startswith(f"Imported {report}: {REPORTS[report][0]} {REPORTS[report][1]}")
    assert "Month: October 2026 (the month before today" in summary
    assert str(work / "pricebook.xlsx") in summary
    assert book.app.alerts[0][1] == "xlbilling"


def test_each_sheet_is_written_with_one_value_call_and_no_cell_loops(work):
    book = new_book()
    run(book, str(work / "reports" / "axcient_bff_raw_customer_data_2026-10.xls"), str(work / "pricebook.xlsx"))
    writes = [op for op in book.log if op[0] == "value"]
    names = [op[1] for op in writes]
    assert sorted(names) == sorted(set(names)), "one value write per sheet"
    assert all(op[2] == "$A$1" for op in writes)
    assert set(names) == {s.name for s in L.SHEETS} | {"Import 1 axcient-bff", ribbon.SETTINGS_SHEET}
    formats = [op for op in book.log if op[0] == "number_format"]
    assert len(formats) < 60, "number formats go by blocks, not by cell"
    assert book.app.screen_updating is True and book.app.status_bar is False


def test_all_vendors_one_after_another_equal_one_headless_build(work):
    book = new_book()
    order = ["altaro_itemised_2026-10.csv", "axcient_bff_raw_customer_data_2026-10.xls",
             "acronis_usage_2026-10.csv.gz", "x360recover_devices_2026-10.csv", "x360recover_licenses.xlsx"]
    run(book, str(work / "reports" / order[0]), str(work / "pricebook.xlsx"))
    for name in order[1:]:
        assert run(book, str(work / "reports" / name)) is not None, alerts(book)[-1]   # price book remembered
    assert len(book.app.api.calls) == len(order) + 1        # the price book was asked for once
    assert_same_cells(book, headless(work, [work / "reports" / n for n in order], work / "pricebook.xlsx"))
    # (b) a second vendor keeps the first: every report listed once in Imports
    imports = book.sheets[L.IMPORTS.name]
    files = [imports.kind_at(f"A{r}") for r in range(L.FIRST_DATA_ROW, L.FIRST_DATA_ROW + len(order) + 1)]
    assert files == [Cell("s", n) for n in order] + [None]


# --- (b) re-import replaces -------------------------------------------------------------------

def test_reimporting_the_same_report_replaces_its_rows(work):
    book = new_book()
    altaro = work / "reports" / "altaro_itemised_2026-10.csv"
    bff = work / "reports" / "axcient_bff_raw_customer_data_2026-10.xls"
    run(book, str(altaro), str(work / "pricebook.xlsx"))
    run(book, str(bff))
    once = book_cells(book)
    run(book, str(altaro))
    assert book_cells(book) == once                       # same cells: nothing appended, nothing doubled
    assert "It replaces the earlier import of altaro_itemised_2026-10.csv" in alerts(book)[-1]
    assert_same_cells(book, headless(work, [altaro, bff], work / "pricebook.xlsx"))


def test_a_new_report_of_the_same_vendor_and_type_replaces_the_old_one(work):
    book = new_book()
    altaro = work / "reports" / "altaro_itemised_2026-10.csv"
    run(book, str(altaro), str(work / "pricebook.xlsx"))
    lines = altaro.read_text(encoding="utf-8-sig").splitlines()
    revised = work / "reports" / "altaro_revised.csv"
    revised.write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")   # the vendor's corrected download
    run(book, str(revised))
    assert_same_cells(book, headless(work, [revised], work / "pricebook.xlsx"))
    assert "Import 1 altaro" in [s.name for s in book.sheets]
    assert "Import 2 altaro" not in [s.name for s in book.sheets]


def test_changing_the_month_in_summary_b2_reprices_every_report(work):
    book = new_book()
    altaro = work / "reports" / "altaro_itemised_2026-10.csv"
    licenses = work / "reports" / "x360recover_licenses.xlsx"
    run(book, str(altaro), str(work / "pricebook.xlsx"))
    book.sheets[L.SUMMARY.name].range("B2").value = dt.datetime(2026, 9, 1)
    run(book, str(licenses))
    assert "Month: September 2026 (from Summary!B2)" in alerts(book)[-1]
    # the October report is imported into September with a warning, not silently
    assert ("Warning: altaro_itemised_2026-10.csv: the report states the period 2026-10 (column 'Month'), but the"
            " billing month asked is 2026-09") in alerts(book)[-1]
    assert_same_cells(book, headless(work, [altaro, licenses], work / "pricebook.xlsx", dt.date(2026, 9, 1)))


def test_reports_recorded_by_a_headless_build_are_found_beside_the_workbook(work):
    """A workbook made by `xlbilling build` (no settings sheet) and opened in
    Excel: earlier reports are found by name beside it, proven by SHA-256."""
    reports = work / "reports"
    built = headless(reports, [reports / "altaro_itemised_2026-10.csv"], work / "pricebook.xlsx",
                     name="billing-2026-10.xlsx")
    book = book_from_xlsx(built, FakeApp(), fullname=str(built))
    bff = reports / "axcient_bff_raw_customer_data_2026-10.xls"
    assert run(book, str(bff), str(work / "pricebook.xlsx")) is not None, alerts(book)
    assert "Month: October 2026 (from Summary!B2)" in alerts(book)[-1]
    assert_same_cells(book, headless(work, [reports / "altaro_itemised_2026-10.csv", bff], work / "pricebook.xlsx"))


# --- (c) the user's own sheets ------------------------------------------------------------------

def test_user_sheets_are_untouched(work):
    book = new_book()
    before = [s for s in book.snapshot() if s[0] == "My adjustments"]
    run(book, str(work / "reports" / "altaro_itemised_2026-10.csv"), str(work / "pricebook.xlsx"))
    run(book, str(work / "reports" / "acronis_usage_2026-10.csv.gz"))
    assert [s for s in book.snapshot() if s[0] == "My adjustments"] == before
    assert not [op for op in book.log if op[1:2] == ("My adjustments",)]


def test_a_user_sheet_with_a_generated_name_is_not_overwritten(work):
    book = new_book(user_sheet=False)
    book.sheets[L.SUMMARY.name].range("A1").value = [["'My own summary"], [None], [None], ["'Totals"]]
    book.log.clear()
    before = book.snapshot()
    run(book, str(work / "reports" / "altaro_itemised_2026-10.csv"), str(work / "pricebook.xlsx"))
    (message,) = alerts(book)
    assert "own sheet(s) named 'Summary'" in message and "Nothing was imported" in message
    assert book.snapshot() == before and book.log == []


def test_a_workbook_without_billing_sheets_gets_them_after_its_own(work):
    book = FakeBook(FakeApp())                          # an ordinary workbook: one sheet of the user's
    mine = book.sheets.add("Sheet1")
    mine.range("A1").value = "'notes"
    path = work / "reports" / "altaro_itemised_2026-10.csv"
    run(book, str(path), str(work / "pricebook.xlsx"))
    out = headless(work, [path], work / "pricebook.xlsx")
    expected = xlsx_cells(out)
    got = book_cells(book)
    assert [s.name for s in book.sheets] == ["Sheet1", *expected, ribbon.SETTINGS_SHEET]
    assert {n: got[n] for n in expected} == expected
    assert got["Sheet1"] == {(1, 1): (Cell("s", "notes"), "General")}


# --- (d) refusals: one message, workbook unchanged ------------------------------------------------

def refused(book, *responses):
    before = book.snapshot()
    log_before = list(book.log)
    n = len(book.app.alerts)
    assert run(book, *responses) is None
    assert book.snapshot() == before, "the workbook must be left exactly as it was"
    assert book.log == log_before, "no write of any kind"
    assert len(book.app.alerts) == n + 1, alerts(book)[n:]
    return book.app.alerts[-1][0]


def test_unrecognised_file(work):
    bad = work / "notes.csv"
    bad.write_text("hello,world\n1,2\n")
    book = new_book()
    message = refused(book, str(bad))
    assert "notes.csv: not a report xlbilling knows" in message
    assert len(book.app.api.calls) == 1, "the price book is not asked for when the report is wrong"


def test_bad_cells_name_every_bad_cell(work):
    bad = work / "altaro_bad.csv"
    bad.write_text("Customer,Object Type Backed Up,Object Name\nAcme,Mailbox,ann\n,Mailbox,bob\n,OneDrive,cy\n")
    book = new_book()
    message = refused(book, str(bad), str(work / "pricebook.xlsx"))
    assert "2 bad cell(s)" in message and "row 3" in message and "row 4" in message
    assert "nothing was imported" in message


def test_bad_cells_after_a_good_import_leave_the_first_import(work):
    book = new_book()
    run(book, str(work / "reports" / "altaro_itemised_2026-10.csv"), str(work / "pricebook.xlsx"))
    bad = work / "x360_bad.csv"
    good = (sample_path("x360recover_devices_2026-10.csv")).read_text()
    bad.write_text(good.replace(",1250000000000,1250000000000,", ",lots,1250000000000,", 1))   # cloud_usage
    message = refused(book, str(bad))
    assert "x360_bad.csv" in message and "bad cell" in message and "'lots'" in message


def test_missing_price_book(work):
    book = new_book()
    run(book, str(work / "reports" / "altaro_itemised_2026-10.csv"), str(work / "pricebook.xlsx"))
    (work / "pricebook.xlsx").rename(work / "pricebook-moved.xlsx")
    message = refused(book, str(work / "reports" / "acronis_usage_2026-10.csv.gz"))
    assert f"the price book {work / 'pricebook.xlsx'} was not found" in message
    assert "B2 of the sheet 'xlbilling settings'" in message


def test_a_price_book_with_problems_is_refused(work):
    broken = work / "broken.xlsx"
    write_pricebook(broken, customers=[("Acme", "XYZ")], protect_templates=False)
    message = refused(new_book(), str(work / "reports" / "altaro_itemised_2026-10.csv"), str(broken))
    assert "broken.xlsx" in message and "XYZ" in message


def test_a_recorded_report_that_changed_stops_the_import(work):
    book = new_book()
    altaro = work / "reports" / "altaro_itemised_2026-10.csv"
    run(book, str(altaro), str(work / "pricebook.xlsx"))
    altaro.write_text(altaro.read_text(encoding="utf-8-sig") + "Extra Co,Mailbox,zed\n", encoding="utf-8")
    message = refused(book, str(work / "reports" / "acronis_usage_2026-10.csv.gz"))
    assert f"{altaro} (imported earlier into sheet 'Import 1 altaro') has changed since it was imported" in message


def test_a_recorded_report_that_is_gone_stops_the_import(work):
    book = new_book()
    altaro = work / "reports" / "altaro_itemised_2026-10.csv"
    run(book, str(altaro), str(work / "pricebook.xlsx"))
    altaro.unlink()
    message = refused(book, str(work / "reports" / "acronis_usage_2026-10.csv.gz"))
    assert "altaro_itemised_2026-10.csv (imported earlier into sheet 'Import 1 altaro') was not found" in message


def test_a_month_cell_that_is_not_a_date(work):
    book = new_book()
    book.sheets[L.SUMMARY.name].range("B2").value = "'soon"
    book.log.clear()
    message = refused(book, str(work / "reports" / "altaro_itemised_2026-10.csv"), str(work / "pricebook.xlsx"))
    assert "Summary!B2" in message and "'soon'" in message


def test_no_price_book_chosen(work):
    message = refused(new_book(), str(work / "reports" / "altaro_itemised_2026-10.csv"), False)
    assert message.startswith("No price book chosen, so nothing was imported")


def test_cancel_does_nothing():
    book = new_book()
    before = book.snapshot()
    assert run(book, False) is None
    assert book.app.alerts == [] and book.log == [] and book.snapshot() == before


# --- (e) vendor text that looks like a formula stays text -------------------------------------

def test_formula_like_vendor_names_arrive_as_text(work):
    tricky = [HOSTILE, "-5", "+1", "@SUM(A1)", "00123", "TRUE", "2026-10-01", "#N/A", "'quoted"]
    report = work / "altaro_tricky.csv"
    rows = ["Customer,Object Type Backed Up,Object Name"]
    rows += [f'"{name.replace(chr(34), chr(34) * 2)}",Mailbox,user{i}' for i, name in enumerate(tricky)]
    report.write_text("\n".join(rows) + "\n", encoding="utf-8")
    pricebook = work / "tricky_pricebook.xlsx"
    write_pricebook(pricebook, protect_templates=False, customers=[(n, "USD") for n in tricky],
                    accounts=[("altaro", n, "", n, "yes") for n in tricky],
                    rates=[("altaro", "m365_users", "", "", "user", 3, "USD")])
    book = new_book()
    assert run(book, str(report), str(pricebook)) is not None, alerts(book)
    sheet = book.sheets["Import 1 altaro"]
    got = [sheet.kind_at(f"A{r}") for r in range(L.FIRST_DATA_ROW, L.FIRST_DATA_ROW + len(tricky))]
    assert got == [Cell("s", n) for n in tricky]
    lines = book.sheets[L.INVOICE_LINES.name]
    customers = [lines.kind_at(f"A{r}") for r in range(L.FIRST_DATA_ROW, L.FIRST_DATA_ROW + len(tricky))]
    assert sorted(c.value for c in customers) == sorted(tricky) and {c.kind for c in customers} == {"s"}
    assert_same_cells(book, headless(work, [report], pricebook))


def test_main_runs_on_the_calling_book(work, monkeypatch):
    import xlwings

    import xlbilling

    book = new_book(str(work / "reports" / "altaro_itemised_2026-10.csv"), str(work / "pricebook.xlsx"))
    monkeypatch.setattr(xlwings.Book, "caller", classmethod(lambda cls: book))
    xlbilling.main()
    assert alerts(book)[0].startswith("Imported altaro_itemised_2026-10.csv")
