"""Billing > Import report on a workbook opened from OneDrive/SharePoint (issue 9
item 5): xlwings' Book.fullname raises XlwingsError for the web address Excel
gives with AutoSave on, unless xlwings.conf maps it; the import must go on with
what the workbook itself records (no traceback).  tests/test_fakecom_ribbon.py
runs the same through xlwings' real Windows code."""
from __future__ import annotations

import shutil

import pytest
import xlwings

from xlbilling.excel import ribbon
from xlbilling.commands.sample_data import sample_path
from xlbilling.writers.billing_template import template_path
from xlwings_double import FakeApp, FakeBook, book_from_xlsx

from test_ribbon import NOW, REPORTS  # noqa: F401


class OneDriveBook(FakeBook):
    """A double whose fullname behaves like xlwings' on an unmapped OneDrive URL."""

    __slots__ = ()

    @property
    def fullname(self):
        raise xlwings.XlwingsError("Couldn't find the local location of your OneDrive or SharePoint file, see: "
                                   "https://docs.xlwings.org/en/latest/onedrive_sharepoint.html")

    @fullname.setter
    def fullname(self, value):
        pass


def test_book_folder_of_local_url_unsaved_and_unmapped_books():
    book = FakeBook(FakeApp(), "Billing.xlsx", r"C:\Billing\Billing.xlsx")
    assert ribbon.book_folder(book) == r"C:\Billing"
    assert ribbon.book_folder(FakeBook(FakeApp(), "Book1")) == ""                 # never saved
    url = FakeBook(FakeApp(), "Billing.xlsx", "https://contoso-my.sharepoint.com/personal/ann/Documents/Billing.xlsx")
    assert ribbon.book_folder(url) == ""
    assert ribbon.book_folder(OneDriveBook(FakeApp(), "Billing.xlsx")) == ""      # was: XlwingsError traceback


def test_import_into_a_onedrive_workbook_works_without_its_folder(tmp_path):
    report = tmp_path / "altaro_itemised_2026-10.csv"
    shutil.copy(sample_path("altaro_itemised_2026-10.csv"), report)
    pricebook = tmp_path / "pricebook.xlsx"
    shutil.copy(sample_path("pricebook_sample.xlsx"), pricebook)
    plain = book_from_xlsx(template_path(), FakeApp([str(report), str(pricebook)]))
    book = OneDriveBook(plain.app, "Billing.xlsx")
    book.sheets = plain.sheets
    plan = ribbon.run_import(book, now=lambda: NOW)
    assert plan is not None, book.app.alerts
    assert book.app.alerts[-1][0].startswith("Imported altaro_itemised_2026-10.csv: altaro itemised-billing")
    assert "Traceback" not in "".join(text for text, _ in book.app.alerts)
