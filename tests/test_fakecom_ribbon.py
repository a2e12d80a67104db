"""Billing > Import report through RunMain's real command line and xlwings
0.37.8's real Windows code (tests/fakecom; see tests/test_fakecom_udfs.py for
what is observed and what is modelled): `xlwings.utils.prepare_sys_path`,
`xlwings.Book.caller()` (hwnd -> the Excel window -> the workbook),
`App.api.GetOpenFilename`, `App.alert` (win32api.MessageBox), and the live
writer's Sheets/Range/ListObjects calls, for every sample report, into a
workbook saved on a local disk and one opened from OneDrive with AutoSave on
(FullName a web address).

MODELLED here too: the command line RunPython builds (from the add-in's VBA);
the billing template as Excel shows it after opening (openpyxl's reading of
workbooks/billing.xlsx: values, formats, tables; formulas are not calculated).
"""
from __future__ import annotations

import pytest

import fakecom

from test_ribbon import REPORTS  # noqa: E402  one of each reader: sample -> (vendor, report type)
ONEDRIVE = "https://d.docs.live.net/4f2a9c1b7e3d5a60/Billing/Billing.xlsx"


def _import(report, fullname, month_cell=None):
    import os
    import shutil
    import tempfile

    import excel_model
    from harness import open_billing_workbook, run_main

    from xlbilling.excel import addin
    from xlbilling.commands.sample_data import sample_path
    from xlbilling.writers.billing_template import template_path

    tmp = tempfile.mkdtemp()
    shutil.copy(sample_path(report), os.path.join(tmp, report))
    pricebook = os.path.join(tmp, "pricebook.xlsx")
    shutil.copy(sample_path("pricebook_sample.xlsx"), pricebook)
    config = addin.read_config_sheet(addin.build_addin(tmp).path)       # the add-in's own settings
    app, book = open_billing_workbook(str(template_path()), fullname,
                                      responses=[os.path.join(tmp, report), pricebook])
    if month_cell is not None:
        book.Worksheets.Item("Summary").Range("B2").Value = month_cell
    excel_model.MESSAGES.clear()
    run_main(app, book, {k.upper(): v for k, v in config.items()})
    return app, book, list(excel_model.MESSAGES)


def _check_imported(report, book, messages):
    vendor, report_type = REPORTS[report]
    assert len(messages) == 1, messages
    title, text = messages[0]
    assert title == "xlbilling"
    assert text.startswith(f"Imported {report}: {vendor} {report_type}, "), text
    assert "Traceback" not in text
    imports = book.Worksheets.Item("Imports")
    files = [imports.cell(r, c).value for (r, c) in sorted(imports.cells) if c == 1]
    assert report in files, files
    lines = book.Worksheets.Item("Invoice lines")
    assert lines.UsedRange.Rows.Count > 5                     # header rows + invoice lines written
    settings = book.Worksheets.Item("xlbilling settings")
    assert settings.cell(2, 2).value.endswith("pricebook.xlsx")


def scenario_every_sample_report_imports_into_a_local_workbook():
    import datetime as dt
    for report in REPORTS:
        app, book, messages = _import(report, r"C:\Billing\Billing.xlsx", dt.datetime(2026, 10, 1))
        _check_imported(report, book, messages)
        assert app.open_requests[0] == "xlbilling: choose the vendor report to import"


def scenario_sample_reports_import_into_a_onedrive_workbook():
    import datetime as dt
    for report in REPORTS:                                  # every sample report, as for a local workbook
        app, book, messages = _import(report, ONEDRIVE, dt.datetime(2026, 10, 1))
        _check_imported(report, book, messages)


def scenario_with_the_template_setting_a_onedrive_workbook_fails_in_xlwings_itself():
    # Why the add-in sets ADD_WORKBOOK_TO_PYTHONPATH to FALSE: with the VBA's default
    # "true", xlwings' own prepare_sys_path (real code) raises before xlbilling runs.
    import pytest as _pytest
    import xlwings
    import xlwings.utils
    with _pytest.raises(xlwings.XlwingsError, match="OneDrive"):
        xlwings.utils.prepare_sys_path(f"true;{ONEDRIVE};C:\\\\XLSTART\\\\xlbilling.xlam;;;;")
    xlwings.utils.prepare_sys_path(f"False;{ONEDRIVE};C:\\\\XLSTART\\\\xlbilling.xlam;;;;")    # no error


def scenario_a_onedrive_book_fullname_raises_in_xlwings_and_the_ribbon_copes():
    import pytest as _pytest
    import xlwings
    from harness import Excel

    from xlbilling.excel import ribbon
    xl = Excel(fullname=ONEDRIVE)
    book = xlwings.Book(impl=xlwings._xlwindows.Book(xl.book))
    with _pytest.raises(xlwings.XlwingsError):
        book.fullname                                          # real xlwings: the URL cannot be mapped
    assert ribbon.book_folder(book) == ""
    local = Excel(fullname=r"C:\Billing\Billing.xlsx")
    assert ribbon.book_folder(xlwings.Book(impl=xlwings._xlwindows.Book(local.book))) == r"C:\Billing"


fakecom.scenario_tests(globals(), __file__)
