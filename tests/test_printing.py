"""Built workbooks and the price book print as a person wants (layout.PRINT):
A4 landscape, one page wide, the header row on every page, the table only
(the Working / Source / code columns stay on screen), the raw import sheets
hidden so printing leaves them out; the price book landscape with the
Acronis tenant ids whole.  The page setup is asserted on the saved files;
one LibreOffice test renders the demo to PDF and counts its pages (the
rendering was also looked at page by page when this was written: Summary 1
page, Invoice lines 3, no import sheet)."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from xlbilling.commands.cli import main
from xlbilling.writers import layout as L

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("print") / "demo.xlsx"
    assert main(["demo", "--quiet", "--out", str(out)]) == 0
    return out


def _setup_ok(ws, title_rows: str) -> None:
    assert ws.page_setup.orientation == "landscape", ws.title
    assert int(ws.page_setup.paperSize) == 9, ws.title                  # A4
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0, ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert ws.print_title_rows.replace("$", "") == title_rows, ws.title
    assert ws.oddFooter.right.text == "Page &P of &N"


def test_billing_sheets_print_landscape_one_page_wide_with_headers_repeated(demo_book):
    wb = openpyxl.load_workbook(demo_book)
    for sheet in L.SHEETS:
        ws = wb[sheet.name]
        _setup_ok(ws, "4:4")
        assert ws.sheet_state == "visible"
        area = ws.print_area
        assert area, sheet.name
        last_col = re.search(r"\$A\$1:\$([A-Z]+)\$\d+", area).group(1)
        assert last_col == L.column_letter(sheet.printed_columns), (sheet.name, area)
    # Invoice lines print Customer .. FX rate (12 columns, A:L); Working, Source, Kind stay on screen
    lines = wb[L.INVOICE_LINES.name]
    assert re.search(r"\$A\$1:\$L\$\d+", lines.print_area)
    assert [c.key for c in L.INVOICE_LINES.columns if not c.printed] == ["working", "source", "kind"]
    # printed width of Invoice lines: 22+15+18+26+11+8+14+10.5+10.5+12+9.5+9.5 = 166 characters
    # (Vendor 15: the longest vendor label whole), against 166+48+26+11 = 251 with every column:
    # the page scale is about 1.5x larger
    assert sum(c.width for c in L.INVOICE_LINES.columns if c.printed) == 166
    # Problems print Problem .. Message
    assert re.search(r"\$A\$1:\$E\$\d+", wb[L.PROBLEMS.name].print_area)


def test_import_sheets_are_hidden_from_printing_with_a_note(demo_book):
    wb = openpyxl.load_workbook(demo_book)
    imports = [ws for ws in wb.worksheets if ws.title.startswith(L.IMPORT_SHEET_PREFIX)]
    assert len(imports) == 5                              # the 5 reports of the sample month
    assert all(ws.sheet_state == "hidden" for ws in imports)
    assert wb[L.IMPORTS.name].cell(L.NOTE_ROW, 1).value == L.IMPORT_SHEETS_NOTE
    assert "Unhide" in L.IMPORT_SHEETS_NOTE
    assert wb.active.title == L.SUMMARY.name


@pytest.mark.parametrize("book", [ROOT / "workbooks" / "pricebook.xlsx",
                                  ROOT / "xlbilling" / "samples" / "pricebook_sample.xlsx"],
                         ids=["template", "sample"])
def test_price_book_prints_landscape_with_account_ids_whole(book):
    wb = openpyxl.load_workbook(book)
    for name in ("Settings", "Customers", "Accounts", "Rates", "ExchangeRates", "Commitments", "Licenses"):
        _setup_ok(wb[name], "1:1")
        assert wb[name].print_area
    accounts = wb["Accounts"]
    # an Acronis tenant id is 36 characters (8-4-4-4-12 hex + 4 dashes)
    assert accounts.column_dimensions["B"].width >= 36
    assert wb["Instructions"].page_setup.orientation == "landscape"


@pytest.mark.libreoffice
def test_demo_renders_to_few_readable_pages(demo_book, tmp_path):
    """Modelled nowhere: LibreOffice really paginates the workbook.  Pages counted
    in the PDF: every visible billing sheet fits on one page wide; the hidden
    import sheets add none (before: 12 pages, 6 of them import sheets)."""
    from tests import lo

    if lo.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    (pdf,) = lo.convert([demo_book], tmp_path, to="pdf")
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    visible = [ws.title for ws in openpyxl.load_workbook(demo_book).worksheets if ws.sheet_state == "visible"]
    # one page per visible sheet, and Invoice lines (36 rows at the demo's row heights) on at most 3
    assert len(visible) <= pages <= len(visible) + 2, (pages, visible)
