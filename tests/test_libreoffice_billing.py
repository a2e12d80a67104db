"""Generated billing workbooks opened in a real spreadsheet (LibreOffice,
headless, recalculating on load): every total equals the sum of its lines and
the Python figures, every UDF cell shows its Python value (the add-in is
absent, so IFERROR falls back), vendor strings are still text, and the PDF
render works.  One soffice launch for the xlsx round trip, one for the PDF."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest

import lo
import test_writer_fixtures as F
from xlbilling.commands import demo
from xlbilling.commands.build import build
from xlbilling.writers import layout as L
from xlbilling.writers import xlsx

pytestmark = [pytest.mark.libreoffice, lo.requires_soffice]


def _table_rows(ws, n_cols):
    rows = []
    r = L.FIRST_DATA_ROW
    while True:
        row = tuple(ws.cell(r, c).value for c in range(1, n_cols + 1))
        if all(v is None for v in row):
            return rows, r
        rows.append(row)
        r += 1


def _d(v) -> Decimal:
    return Decimal(repr(float(v)))


def check_recalculated(recalc, python) -> dict:
    """Assert every total of a LibreOffice-recalculated workbook against its lines
    and against the Python values (cached values of the written file)."""
    S = L.INVOICE_LINES
    lines, _ = _table_rows(recalc[S.name], len(S.columns))
    py_lines, _ = _table_rows(python[S.name], len(S.columns))
    assert len(lines) == len(py_lines) > 0
    col = {c.key: i for i, c in enumerate(S.columns)}
    by_cust: dict = defaultdict(Decimal)
    by_cur: dict = defaultdict(Decimal)
    by_cvc: dict = defaultdict(Decimal)
    for got, want in zip(lines, py_lines):
        amount = got[col["amount"]]
        assert isinstance(amount, (int, float)), got
        # the recalculated Amount (UDF -> IFERROR fallback, or value) is the Python amount
        assert _d(amount) == _d(want[col["amount"]]), (got, want)
        assert got[col["customer"]] == want[col["customer"]]
        key = (got[col["customer"]].casefold(), got[col["currency"]])
        by_cust[key] += _d(amount)
        by_cur[got[col["currency"]]] += _d(amount)
        by_cvc[(key[0], got[col["vendor"]], key[1])] += _d(amount)

    T = L.SUMMARY
    tc = {c.key: i for i, c in enumerate(T.columns)}
    summary, end = _table_rows(recalc[T.name], len(T.columns))
    assert summary
    for row in summary:
        billed = _d(row[tc["billed"]])
        assert billed == by_cust[(row[0].casefold(), row[1])], row          # SUMIFS = sum of its lines
        assert billed == _d(row[tc["python_total"]]), row                   # = Python's total
        assert row[tc["check"]] == 0, row
        assert row[tc["lines"]] >= 1
    # currency totals below the table = sum of every line in that currency
    ws = recalc[T.name]
    totals = {}
    for r in range(end + 1, end + 1 + len(by_cur)):
        totals[ws.cell(r, tc["currency"] + 1).value] = (ws.cell(r, tc["billed"] + 1).value,
                                                        ws.cell(r, tc["python_total"] + 1).value,
                                                        ws.cell(r, tc["check"] + 1).value)
    assert set(totals) == set(by_cur)
    for cur, (billed, py, check) in totals.items():
        assert _d(billed) == by_cur[cur] == _d(py) and check == 0, (cur, billed, py)

    R = L.RECONCILIATION
    rc = {c.key: i for i, c in enumerate(R.columns)}
    recon, _ = _table_rows(recalc[R.name], len(R.columns))
    for row in recon:
        billed = _d(row[rc["billed"]])
        assert billed == by_cvc[(row[0].casefold(), row[1], row[2])], row
        assert billed == _d(row[rc["python_billed"]]) and row[rc["check"]] == 0, row
        assert _d(row[rc["margin"]]) == billed - _d(row[rc["cost"]]), row
        if billed:
            assert row[rc["margin_pct"]] == pytest.approx(float(row[rc["margin"]]) / float(billed), rel=1e-12)
    return {"lines": len(lines), "summary": len(summary), "recon": len(recon), "currencies": sorted(by_cur)}


TRICKY = ["A*B?~C", "AB?~C", "<5", ">=0", "  spaced", 'a"quote', "(x).+", "=1+1"]


def _tricky_result():
    """The fixture month plus two USD lines per tricky name, 1.00 + 100.00,
    2.00 + 100.00, ...; the second lines come after all the first ones, so no
    tricky invoice is one block of rows and its totals use SUMIFS over the
    whole table, where a wildcard or operator would match other names."""
    from dataclasses import replace

    from xlbilling.pricing.model import Invoice

    result = F.sample_result()
    lines, invoices = list(result.lines), list(result.invoices)
    firsts = [replace(lines[0], customer=name, amount=Decimal(i)) for i, name in enumerate(TRICKY, start=1)]
    seconds = [replace(lines[0], customer=name, amount=Decimal(100)) for name in TRICKY]
    lines += firsts + seconds
    for i, (name, a, b) in enumerate(zip(TRICKY, firsts, seconds), start=1):
        invoices.append(Invoice(name, "USD", (a, b), Decimal(i + 100)))
    return replace(result, lines=tuple(lines), invoices=tuple(invoices))


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    d = tmp_path_factory.mktemp("lo")
    fixture = d / "fixture.xlsx"
    xlsx.write_billing_workbook(fixture, F.sample_reads(), F.sample_result(), udf_formulas=True)
    # the same month as the default build writes it: Amount values, no UDF call
    plain = d / "plain.xlsx"
    xlsx.write_billing_workbook(plain, F.sample_reads(), F.sample_result())
    # the demo: the bundled sample reports and price book through the real readers and pricing
    demo_out = d / "demo.xlsx"
    reports, pricebook = demo.demo_inputs()
    build(reports, pricebook, dt.date(2026, 10, 1), demo_out, udf_formulas=True)
    # customer names SUMIFS could read as operators or wildcards
    tricky = d / "tricky.xlsx"
    xlsx.write_billing_workbook(tricky, F.sample_reads(), _tricky_result())
    paths = [fixture, plain, demo_out, tricky]
    recalc = lo.recalculated(paths, d / "out")
    books = {p.stem: (openpyxl.load_workbook(p, data_only=True), wb) for p, wb in zip(paths, recalc)}
    books["paths"] = {p.stem: p for p in paths}
    return books


def test_fixture_totals_recalculated(workbooks):
    python, recalc = workbooks["fixture"]
    facts = check_recalculated(recalc, python)
    assert facts == {"lines": 9, "summary": 3, "recon": 5, "currencies": ["EUR", "JPY", "USD"]}
    # hand figures (test_writer_fixtures): 482.96 USD, 16.67 EUR, 6908 JPY
    ws = recalc[L.SUMMARY.name]
    assert [ws.cell(r, 5).value for r in (5, 6, 7)] == [482.96, 16.67, 6908]
    # vendor strings survived as text, not evaluated
    assert ws["A6"].value == F.HOSTILE
    assert recalc[L.PROBLEMS.name]["C5"].value == F.DDE
    assert recalc["Import 1 axcient-bff"]["E5"].value == "#N/A"
    # dates and the month header
    assert recalc[L.INVOICE_LINES.name]["H10"].value == dt.datetime(2026, 10, 10)


def test_default_build_totals_recalculated(workbooks):
    """The default workbook (Amount values, block totals) adds up in LibreOffice too."""
    python, recalc = workbooks["plain"]
    facts = check_recalculated(recalc, python)
    assert facts == {"lines": 9, "summary": 3, "recon": 5, "currencies": ["EUR", "JPY", "USD"]}
    ws = recalc[L.SUMMARY.name]
    assert [ws.cell(r, 5).value for r in (5, 6, 7)] == [482.96, 16.67, 6908]      # hand figures as above


def test_demo_totals_recalculated(workbooks):
    python, recalc = workbooks["demo"]
    facts = check_recalculated(recalc, python)
    assert facts["summary"] == 5 and facts["currencies"] == ["EUR", "JPY", "USD"]
    # LibreOffice does not know the UDFs: every UDF cell fell back to the Python value
    S = L.INVOICE_LINES
    lines, _ = _table_rows(recalc[S.name], len(S.columns))
    # hand figures (tests/test_build.py): Fabrikam 1 TB storage license 49.68, Wide World fee 1394.62
    amounts = {(r[0], r[2], r[3][:40]): r[S.index("amount") - 1] for r in lines}
    assert amounts[("Fabrikam Logistics", "storage_license", "x360Recover storage license 1 TB - Fabri")] == 49.68
    assert [a for (c, i, _), a in amounts.items() if i == "minimum_commitment_fee"] == [1394.62]


def test_tricky_customer_names_match_exactly(workbooks):
    python, recalc = workbooks["tricky"]
    check_recalculated(recalc, python)
    ws = recalc[L.SUMMARY.name]
    billed = {ws.cell(r, 1).value: ws.cell(r, 5).value for r in range(8, 8 + len(TRICKY))}
    # each name's SUMIFS finds exactly its own two lines: 1 + 100, 2 + 100, ... (no wildcard or operator matches)
    assert billed == {name: i + 100 for i, name in enumerate(TRICKY, start=1)}
    formula = openpyxl.load_workbook(workbooks["paths"]["tricky"])[L.SUMMARY.name]["E8"].value
    n = len(F.expected_lines()) + 2 * len(TRICKY)
    assert formula.startswith(f"=SUMIFS('Invoice lines'!$J$5:$J${4 + n},"), formula   # whole table: not one block


def test_pdf_render(tmp_path):
    """The finance user's view: the workbook renders to a multi-page landscape PDF."""
    src = tmp_path / "billing.xlsx"
    xlsx.write_billing_workbook(src, F.sample_reads(), F.sample_result())
    (pdf,) = lo.convert([src], tmp_path / "pdf", to="pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= len(L.SHEETS)  # every sheet prints, fitted to the page width
