"""The openpyxl billing-workbook writer: values, formulas, formats, tables, text
safety and output safety, on the hand-checked month of test_writer_fixtures."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import test_writer_fixtures as F
from xlbilling.errors import OutputError
from xlbilling.writers import layout as L
from xlbilling.writers import xlsx
from xlbilling.writers.billing_template import TEMPLATE_PATH, build_template
from xlbilling.writers.cells import set_text

IMPORTED_AT = dt.datetime(2026, 11, 2, 9, 30, 0, tzinfo=dt.timezone.utc)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wb") / "billing.xlsx"
    xlsx.write_billing_workbook(out, F.sample_reads(), F.sample_result(), imported_at=IMPORTED_AT)
    return out


@pytest.fixture(scope="module")
def written_live(tmp_path_factory) -> Path:
    """The same month with live UDF formulas in Amount cells (build --udf-formulas)."""
    out = tmp_path_factory.mktemp("wb") / "billing-live.xlsx"
    xlsx.write_billing_workbook(out, F.sample_reads(), F.sample_result(), imported_at=IMPORTED_AT,
                                udf_formulas=True)
    return out


@pytest.fixture(scope="module")
def books(written):
    return openpyxl.load_workbook(written), openpyxl.load_workbook(written, data_only=True)


@pytest.fixture(scope="module")
def live_books(written_live):
    return openpyxl.load_workbook(written_live), openpyxl.load_workbook(written_live, data_only=True)


def _rows(ws, n_cols=None):
    rows = []
    for row in ws.iter_rows(min_row=L.FIRST_DATA_ROW, values_only=True):
        if all(v is None for v in row):
            break
        rows.append(row[:n_cols] if n_cols else row)
    return rows


def test_sheets_in_order(books):
    wb, _ = books
    assert wb.sheetnames == ["Summary", "Invoice lines", "Reconciliation", "Cloud pool", "Problems", "Imports",
                             "Import 1 axcient-bff", "Import 2 acronis"]
    for sheet in L.SHEETS:
        ws = wb[sheet.name]
        assert [c.value for c in ws[L.HEADER_ROW]][: len(sheet.columns)] == list(sheet.headers)
        assert ws["B2"].value == dt.datetime(2026, 10, 1)
        assert ws.freeze_panes == "A5"


def test_default_amounts_are_values_and_nothing_forces_a_recalculation(books, written):
    """By default no Amount cell calls a UDF (Excel with the add-in calls none on
    opening) and the workbook does not ask for a full recalculation on load."""
    wb, _ = books
    S = L.INVOICE_LINES
    ws = wb[S.name]
    amounts = [ws.cell(L.FIRST_DATA_ROW + i, S.index("amount")).value for i in range(len(F.expected_lines()))]
    assert amounts == [float(a) for _, _, a, _ in F.expected_lines()]
    assert ws.cell(L.FIRST_DATA_ROW + 5, S.index("first_day")).value is None   # From/To only feed the UDF
    with zipfile.ZipFile(written) as z:
        book = z.read("xl/workbook.xml").decode()
    calc = re.search(r"<calcPr[^>]*>", book).group(0)
    assert 'calcId="191029"' in calc and "fullCalcOnLoad" not in calc, calc


def test_invoice_line_amounts_and_udfs(live_books):
    wb, values = live_books
    S = L.INVOICE_LINES
    ws, wsv = wb[S.name], values[S.name]
    amount_col = S.index("amount")
    expected = F.expected_lines()
    assert len(_rows(ws)) == len(expected)
    for i, (customer, item, amount, udf) in enumerate(expected):
        r = L.FIRST_DATA_ROW + i
        assert ws.cell(r, S.index("customer")).value == customer
        assert ws.cell(r, S.index("item")).value == item
        formula = ws.cell(r, amount_col).value
        # the cached value is the Python amount, also for formula cells
        assert wsv.cell(r, amount_col).value == float(amount), (item, wsv.cell(r, amount_col).value)
        if udf:
            assert isinstance(formula, str) and formula.startswith(f"=IFERROR({udf}("), formula
            # the fallback is exactly the amount
            assert formula.endswith(")+0"), formula        # a failing UDF's text becomes #VALUE!, never skipped
            fallback = formula[:-len("+0")].rsplit(",", 1)[1].rstrip(")")
            assert Decimal(fallback) == amount
        else:
            assert formula == float(amount)
    # storage license: From / To filled, the monthly price in the formula (200 x 22 / 31)
    r = L.FIRST_DATA_ROW + 5
    assert ws.cell(r, amount_col).value == "=IFERROR(PRORATED_STORAGE(200,H10,I10,$B$2,K10),141.94)+0"
    assert ws.cell(r, S.index("first_day")).value == dt.datetime(2026, 10, 10)
    assert ws.cell(r, S.index("last_day")).value == dt.datetime(2026, 10, 31)
    # commitment fee: usage total from the lines (SUMIFS), commitment 23.45 + 76.55 = 100;
    # the SUMIFS covers Acme's block (rows 5-10) without the fee cell J6
    fee = ws.cell(L.FIRST_DATA_ROW + 1, amount_col).value
    assert fee.startswith("=IFERROR(COMMITMENT_FEE(SUMIFS($J$5:$J$5,$A$5:$A$5,") and "+SUMIFS($J$7:$J$10," in fee
    assert fee.endswith('"usage"),100,K6),76.55)+0'), fee
    # converted line records its rate
    assert wsv.cell(L.FIRST_DATA_ROW + 8, S.index("fx_rate")).value == 160.12345


def test_number_formats_follow_currency(books):
    wb, _ = books
    S = L.INVOICE_LINES
    ws = wb[S.name]
    col = S.index("amount")
    assert ws.cell(L.FIRST_DATA_ROW, col).number_format == "#,##0.00"       # USD
    assert ws.cell(L.FIRST_DATA_ROW + 7, col).number_format == "#,##0"      # JPY: no decimals
    assert ws.cell(L.FIRST_DATA_ROW + 2, S.index("quantity")).number_format == L.NUMBER_FORMATS["quantity"]
    assert ws.cell(L.FIRST_DATA_ROW, S.index("quantity")).number_format == "#,##0"


def test_summary_sumifs_and_python_totals(books):
    wb, values = books
    S = L.SUMMARY
    rows = _rows(values[S.name])
    got = {(r[0], r[1]): Decimal(str(r[S.index("python_total") - 1])) for r in rows if r[2]}
    assert got == F.EXPECTED_TOTALS
    # each invoice's total sums its own block of lines: Acme rows 5-10, the hostile name 11, Tokyo 12-13
    ws = wb[S.name]
    billed = [ws.cell(r, S.index("billed")).value for r in (5, 6, 7)]
    for formula, (lo, hi) in zip(billed, ((5, 10), (11, 11), (12, 13))):
        assert formula.startswith(f"=SUMIFS('Invoice lines'!$J${lo}:$J${hi},'Invoice lines'!$A${lo}:$A${hi},"), formula
    assert ws.cell(5, S.index("lines")).value.startswith("=COUNTIFS('Invoice lines'!$A$5:$A$10,")
    # totals per currency below the table: 482.96 USD, 16.67 EUR, 6908 JPY
    ws = wb[S.name]
    totals = {ws.cell(r, 2).value: (ws.cell(r, S.index("billed")).value, values[S.name].cell(r, 6).value)
              for r in range(9, 12)}
    assert set(totals) == {"USD", "EUR", "JPY"}
    assert totals["USD"][1] == 482.96 and totals["JPY"][1] == 6908 and totals["EUR"][1] == 16.67
    assert all(t[0].startswith("=SUMIFS($E$5:$E$7,$B$5:$B$7,") for t in totals.values())


def test_reconciliation(books):
    wb, values = books
    S = L.RECONCILIATION
    rows = _rows(values[S.name])
    assert len(rows) == 5
    acme_x360 = rows[2]
    assert acme_x360[:3] == ("Acme Ltd", "x360Recover", "USD")      # the vendor's label, as on the lines
    assert acme_x360[S.index("cost") - 1] == 146.0
    assert acme_x360[S.index("margin") - 1] == 218.44
    assert acme_x360[S.index("lines_without_cost") - 1] == 1
    ws = wb[S.name]
    # a blank (unknown) Vendor cost leaves Margin and Margin % blank, never Billed - 0
    assert ws.cell(5, S.index("margin")).value == '=IF(D5="","",E5-D5)'
    assert ws.cell(5, S.index("margin_pct")).value == '=IF(OR(E5=0,F5=""),"",F5/E5)'


def test_problems_and_imports(books):
    wb, values = books
    problems = _rows(wb[L.PROBLEMS.name])
    code = L.PROBLEMS.index("kind") - 1
    assert [p[code] for p in problems] == ["unmapped_account", "no_rate", "deleted_with_usage", "billed_nothing"]
    # the kind in words for the reader (xlbilling.core.problems.TITLES), the code kept for filters
    assert [p[0] for p in problems] == ["Account without a customer", "No price for an item",
                                        "Deleted or expired account with usage", "Customer billed nothing"]
    assert problems[0][2] == F.DDE
    S = L.IMPORTS
    imports = _rows(values[S.name])
    assert imports[0][: S.index("sheet")] == ("000_bff.csv", "a" * 64, "Axcient BFF", "raw-customer-data",
                                              3, 1, 0, "Import 1 axcient-bff")
    assert imports[0][S.index("imported_at") - 1] == dt.datetime(2026, 11, 2, 9, 30)
    assert imports[1][0] == "001_acronis.csv"
    imp = wb["Import 1 axcient-bff"]
    # duplicate vendor header made unique for the Excel table
    assert [c.value for c in imp[L.HEADER_ROW]] == ["AccountNo", "InternalDescription", "UncompressedDiskGB",
                                                     "IsDel", "Note", "Note (2)"]
    assert imp.cell(5, 3).value == 123.456
    assert imp.cell(7, 6).value == dt.datetime(2026, 10, 3)
    assert imp.tables["Import1"].ref == "A4:F7"


def test_vendor_cells_show_the_vendors_name_not_its_key(books):
    """Every Vendor cell a person reads holds the vendor's name (pricing's
    VENDOR_LABELS), never the internal key; the price-book key stays out of sight."""
    wb, values = books
    seen = {}
    for S in (L.INVOICE_LINES, L.RECONCILIATION, L.PROBLEMS, L.IMPORTS):
        col = S.index("vendor") - 1
        seen[S.name] = {row[col] for row in _rows(values[S.name])}
    assert seen == {"Invoice lines": {"Acronis", "Axcient BFF", "x360Recover", "Altaro 365"},
                    "Reconciliation": {"Acronis", "Axcient BFF", "x360Recover", "Altaro 365"},
                    "Problems": {"Axcient BFF", "Altaro 365", None},     # None: a problem of no vendor
                    "Imports": {"Axcient BFF", "Acronis"}}
    assert wb["Import 1 axcient-bff"]["A1"].value.endswith("(Axcient BFF raw-customer-data)")


def test_vendor_labels_are_safe_sumifs_criteria_and_read_back_to_their_keys():
    """The Reconciliation's and commitment fees' SUMIFS take the Vendor cell as
    the criterion unescaped: no label may hold a wildcard or start like an
    operator, and no two vendors share a label.  A Vendor cell read back
    (--compare-with, the ribbon's Imports sheet) gives the key, from a label or
    from a key (workbooks written before labels), in any case."""
    from xlbilling.pricing.vendors import VENDOR_LABELS, vendor_key, vendor_label

    labels = list(VENDOR_LABELS.values())
    assert len({x.casefold() for x in labels}) == len(labels)
    for label in labels:
        assert not set(label) & set("*?~") and label[0] not in "=<>" and label == label.strip()
    for key, label in VENDOR_LABELS.items():
        assert vendor_label(key) == label
        assert vendor_key(label) == vendor_key(key) == vendor_key(f" {label.upper()} ") == key
    assert (vendor_label(""), vendor_key(""), vendor_key("Someone else")) == ("", "", "Someone else")


def test_tables_cover_the_data(books):
    wb, _ = books
    assert wb[L.INVOICE_LINES.name].tables["InvoiceLines"].ref == "A4:O13"
    assert wb[L.SUMMARY.name].tables["CustomerSummary"].ref == "A4:I7"
    assert wb[L.RECONCILIATION.name].tables["Reconciliation"].ref == "A4:J9"
    assert wb[L.PROBLEMS.name].tables["Problems"].ref == "A4:G8"
    assert wb[L.IMPORTS.name].tables["Imports"].ref == "A4:L6"


def test_vendor_strings_are_text_in_the_xml(written):
    """'=HYPERLINK(...)', a DDE payload, '#N/A', '@SUM' stay strings in the saved
    XML: t="inlineStr" (or "s"), never a formula <f> or an error cell."""
    import xml.etree.ElementTree as ET

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    found: dict[str, list] = {}
    with zipfile.ZipFile(written) as z:
        for name in z.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                continue
            for c in ET.fromstring(z.read(name)).iter(f"{ns}c"):
                text = "".join(t.text or "" for t in c.iter(f"{ns}t"))
                formula = c.find(f"{ns}f")
                for needle in ('=HYPERLINK("http://x","y")', F.DDE, "#N/A", "@SUM(1+1)"):
                    if needle in text or (formula is not None and needle.lstrip("=") in (formula.text or "")):
                        found.setdefault(needle, []).append((c.get("t"), formula))
    assert set(found) == {'=HYPERLINK("http://x","y")', F.DDE, "#N/A", "@SUM(1+1)"}
    for needle, cells in found.items():
        for t, formula in cells:
            assert formula is None and t in ("inlineStr", "s"), (needle, t)


def test_set_text_forces_text():
    wb = openpyxl.Workbook()
    ws = wb.active
    assert set_text(ws["A1"], '=HYPERLINK("http://x","y")').data_type == "s"
    assert set_text(ws["A2"], "#N/A").data_type == "s"
    assert set_text(ws["A3"], "bad\x01char").value == "bad\ufffdchar"
    assert set_text(ws["A4"], None).value is None


# --- output safety ---------------------------------------------------------------

def _write(out, **kw):
    return xlsx.write_billing_workbook(out, F.sample_reads(), F.sample_result(), **kw)


def test_refuses_existing_output_without_force(tmp_path):
    out = tmp_path / "billing.xlsx"
    out.write_bytes(b"previous")
    with pytest.raises(OutputError, match="already exists"):
        _write(out)
    assert out.read_bytes() == b"previous"
    _write(out, force=True)
    assert zipfile.is_zipfile(out)


def test_refuses_to_overwrite_an_input_or_the_template(tmp_path):
    report = tmp_path / "report.xlsx"
    report.write_bytes(b"vendor bytes")
    before = _sha(TEMPLATE_PATH)
    for target in (report, tmp_path / "sub" / ".." / "report.xlsx", TEMPLATE_PATH):
        with pytest.raises(OutputError, match="input"):
            _write(target, inputs=[report], force=True)
    assert report.read_bytes() == b"vendor bytes"
    assert _sha(TEMPLATE_PATH) == before
    # a copy of an input under another name is refused even with --force
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(b"vendor bytes")
    with pytest.raises(OutputError, match="same content as input"):
        _write(copy, inputs=[report], force=True)
    # a hard link to an input
    link = tmp_path / "link.xlsx"
    link.hardlink_to(report)
    with pytest.raises(OutputError, match="input"):
        _write(link, inputs=[report], force=True)


def test_refuses_non_xlsx_and_missing_folder(tmp_path):
    with pytest.raises(OutputError, match=r"\.xlsx"):
        _write(tmp_path / "billing.csv")
    with pytest.raises(OutputError, match="does not exist"):
        _write(tmp_path / "nope" / "billing.xlsx")


def test_failed_build_leaves_nothing_behind(tmp_path, monkeypatch):
    out = tmp_path / "billing.xlsx"

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(xlsx, "_write_imports", boom)
    with pytest.raises(RuntimeError):
        _write(out)
    assert list(tmp_path.iterdir()) == []
    # an existing output is untouched by a failed --force build, and no temp file stays
    out.write_bytes(b"last month")
    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    monkeypatch.undo()
    monkeypatch.setattr(openpyxl.workbook.workbook.Workbook, "save", boom)
    with pytest.raises(RuntimeError):
        _write(out, force=True)
    assert out.read_bytes() == b"last month"
    assert [p.name for p in tmp_path.iterdir()] == ["billing.xlsx"]


# --- template ------------------------------------------------------------------------

def test_template_is_what_the_generator_builds():
    """workbooks/billing.xlsx = python -m xlbilling.writers.billing_template (regenerate if this fails)."""
    committed = openpyxl.load_workbook(TEMPLATE_PATH)
    fresh = build_template()
    assert committed.sheetnames == fresh.sheetnames == [s.name for s in L.SHEETS]
    for sheet in L.SHEETS:
        a, b = committed[sheet.name], fresh[sheet.name]
        assert [c.value for c in a[L.HEADER_ROW]] == [c.value for c in b[L.HEADER_ROW]] == list(sheet.headers)
        assert list(a.tables) == [sheet.table]
        for i, col in enumerate(sheet.columns, start=1):
            assert a.column_dimensions[L.column_letter(i)].width == col.width
        assert a.page_setup.orientation == "landscape" and a.page_setup.fitToWidth == 1
        assert a.print_title_rows == "$4:$4"
    assert {L.STYLE_HEADER, L.STYLE_TITLE}.issubset(committed.style_names)


def test_layout_names_are_valid():
    tables = [s.table for s in L.SHEETS]
    assert len(set(tables)) == len(tables)
    for s in L.SHEETS:
        assert len(s.name) <= 31 and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s.table)
        assert len({c.key for c in s.columns}) == len(s.columns)
    assert L.import_sheet_name(12, "x360recover:/?", "t") == "Import 12 x360recover---"


def test_empty_month_writes_a_valid_workbook(tmp_path):
    """No usage at all: empty tables, a 'No problems found.' line, valid formulas ranges."""
    from dataclasses import replace

    empty = replace(F.sample_result(), lines=(), invoices=(), problems=(), reconciliation=())
    out = tmp_path / "empty.xlsx"
    xlsx.write_billing_workbook(out, (), empty)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [s.name for s in L.SHEETS]
    assert wb[L.INVOICE_LINES.name].tables["InvoiceLines"].ref == "A4:O5"
    assert wb[L.PROBLEMS.name].cell(5, L.PROBLEMS.index("message")).value == "No problems found."
