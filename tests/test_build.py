"""`xlbilling build` and `xlbilling demo` end to end on the bundled samples:
the workbook is written with hand-checked figures, and hostile runs (existing
output, output = input, a duplicate report, a report that is not one) fail
with a clear message and leave every file as it was and nothing behind."""
from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xlbilling.commands import demo
from xlbilling.commands.cli import main
from xlbilling.writers import layout as L

from xlbilling.commands.sample_data import SAMPLES_DIR as SAMPLES, sample_path  # noqa: E402,F401
REPORTS = [str(p) for p in demo.demo_inputs()[0]]
PRICEBOOK = str(demo.demo_inputs()[1])


def _sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _build(out, *extra, reports=REPORTS):
    return main(["build", "--quiet", "--month", "2026-10", "--pricebook", PRICEBOOK, *reports, "--out", str(out),
                 *extra])


def _lines(path):
    ws = openpyxl.load_workbook(path, data_only=True)[L.INVOICE_LINES.name]
    S = L.INVOICE_LINES
    rows = []
    for row in ws.iter_rows(min_row=L.FIRST_DATA_ROW, values_only=True):
        if row[0] is None:
            break
        rows.append({c.key: row[i] for i, c in enumerate(S.columns)})
    return rows


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "billing-2026-10.xlsx"
    before = {p: _sha(p) for p in [*REPORTS, PRICEBOOK]}
    assert _build(out, "--udf-formulas") == 0
    assert {p: _sha(p) for p in before} == before  # inputs untouched
    return out


def test_build_writes_the_workbook(sample_build, capsys):
    wb = openpyxl.load_workbook(sample_build)
    n_fixed = len(L.SHEETS)
    assert wb.sheetnames[:n_fixed] == [s.name for s in L.SHEETS]
    # the month control sheets (Changes, Accounts) come after the fixed ones, before the import sheets
    assert wb.sheetnames[n_fixed:n_fixed + 2] == [s.name for s in L.MONTH_SHEETS]
    assert len(wb.sheetnames) == n_fixed + len(L.MONTH_SHEETS) + len(REPORTS)
    imports = openpyxl.load_workbook(sample_build, data_only=True)[L.IMPORTS.name]
    shas = [imports.cell(r, L.IMPORTS.index("sha256")).value for r in range(5, 5 + len(REPORTS))]
    assert shas == [_sha(p) for p in REPORTS]


def test_build_figures_by_hand(sample_build):
    lines = _lines(sample_build)
    ws = openpyxl.load_workbook(sample_build)[L.INVOICE_LINES.name]
    amount_col = L.INVOICE_LINES.index("amount")

    def line(customer, item, contains=""):
        found = [(i, ln) for i, ln in enumerate(lines)
                 if ln["customer"] == customer and ln["item"] == item and contains in ln["description"]]
        assert len(found) == 1, (customer, item, contains, found)
        i, ln = found[0]
        row = L.FIRST_DATA_ROW + i
        return Decimal(str(ln["amount"])), ws.cell(row, amount_col).value, row

    # x360Recover storage licenses, prorated (seeds/002), Oct 2026 = 31 days:
    #   1 TB at 110/month, assigned to 2026-10-14: 14 days -> 110 x 14 / 31 = 49.677... -> 49.68
    #   4 TB at 340/month, from 2026-10-15: 17 days -> 340 x 17 / 31 = 186.451... -> 186.45
    a, f, r = line("Fabrikam Logistics", "storage_license", "1 TB")
    assert a == Decimal("49.68") and f == f"=IFERROR(PRORATED_STORAGE(110,H{r},I{r},$B$2,K{r}),49.68)+0"
    a, f, r = line("Fabrikam Logistics", "storage_license", "4 TB")
    assert a == Decimal("186.45") and f == f"=IFERROR(PRORATED_STORAGE(340,H{r},I{r},$B$2,K{r}),186.45)+0"
    # Axcient local backup servers: 2 x 15 = 30.00, written with ENDPOINT_CHARGE
    a, f, r = line("Fabrikam Logistics", "local_servers")
    assert a == Decimal("30") and f == f"=IFERROR(ENDPOINT_CHARGE(E{r},0,G{r},0,K{r}),30)+0"
    # Wide World (EUR, USD list prices x 0.92345, markup 25% on cost = sell x 0.8):
    #   M365 seats 55 x 1.2 = 66 USD -> 60.9477 -> 60.95; VMs 4 x 12 = 48 -> 44.3256 -> 44.33;
    #   storage 1288490188 B = 1.1999999993 GB x 0.09 = 0.108 USD -> 0.0997 -> 0.10
    #   usage 60.95 + 44.33 + 0.10 = 105.38; commitment EUR 1500 -> fee 1394.62
    assert line("Wide World Importers", "pw_base_m365_seats")[0] == Decimal("60.95")
    assert line("Wide World Importers", "pw_base_vms")[0] == Decimal("44.33")
    assert line("Wide World Importers", "pw_base_storage:azure")[0] == Decimal("0.10")  # priced by the plain pw_base_storage row
    a, f, r = line("Wide World Importers", "minimum_commitment_fee")
    assert a == Decimal("1394.62")
    assert f.startswith("=IFERROR(COMMITMENT_FEE(SUMIFS(") and f.endswith(f",1500,K{r}),1394.62)+0")
    # every invoice total = the sum of its lines
    values = openpyxl.load_workbook(sample_build, data_only=True)
    summary = values[L.SUMMARY.name]
    for r in range(5, 10):
        customer, currency = summary.cell(r, 1).value, summary.cell(r, 2).value
        total = sum((Decimal(str(ln["amount"])) for ln in lines
                     if ln["customer"] == customer and ln["currency"] == currency), Decimal(0))
        assert Decimal(str(summary.cell(r, L.SUMMARY.index("python_total")).value)) == total
    problems = [values[L.PROBLEMS.name].cell(r, L.PROBLEMS.index("kind")).value for r in range(5, 20)]
    assert "unmapped_account" in problems and "deleted_with_usage" in problems
    assert "overlapping_usage" not in problems


def test_existing_output_refused_without_force(tmp_path, capsys):
    out = tmp_path / "billing.xlsx"
    out.write_bytes(b"last month's workbook")
    assert _build(out) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == b"last month's workbook"
    assert _build(out, "--force") == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"


def test_output_over_an_input_is_refused(tmp_path, capsys):
    copy = tmp_path / "usage.xlsx"
    copy.write_bytes(Path(sample_path("acronis_usage_records_2026-10.xlsx")).read_bytes())
    before = _sha(copy)
    assert _build(copy, "--force", reports=[str(copy)]) == 2
    assert "input" in capsys.readouterr().err
    assert _sha(copy) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["usage.xlsx"]
    # the price book and the template
    assert _build(PRICEBOOK, "--force") == 2
    from xlbilling.writers.billing_template import TEMPLATE_PATH
    tpl = _sha(TEMPLATE_PATH)
    assert _build(TEMPLATE_PATH, "--force") == 2
    assert _sha(TEMPLATE_PATH) == tpl


def test_duplicate_report_leaves_nothing(tmp_path, capsys):
    out = tmp_path / "billing.xlsx"
    dup = tmp_path / "again.csv"
    dup.write_bytes(Path(sample_path("altaro_itemised_2026-10.csv")).read_bytes())
    assert _build(out, reports=[*REPORTS, str(dup)]) == 2
    assert "same report" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.csv"]


def test_not_a_report_leaves_nothing(tmp_path, capsys):
    out = tmp_path / "billing.xlsx"
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n")
    assert _build(out, reports=[str(junk)]) == 2
    assert capsys.readouterr().err.strip()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_demo_never_replaces_a_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--quiet"]) == 0
    assert main(["demo", "--quiet"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xlbilling-demo-2026-10-2.xlsx",
                                                           "xlbilling-demo-2026-10.xlsx"]
    assert "wrote xlbilling-demo-2026-10-2.xlsx" in capsys.readouterr().out


def _cells_xml(path):
    """(sheet part, cell ref, t attribute, has formula, text) for every cell of the saved workbook."""
    import xml.etree.ElementTree as ET
    import zipfile

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                for c in ET.fromstring(z.read(name)).iter(f"{ns}c"):
                    text = "".join(t.text or "" for t in c.iter(f"{ns}t"))
                    yield name, c.get("r"), c.get("t"), c.find(f"{ns}f") is not None, text


def test_formula_like_vendor_names_stay_text(tmp_path, capsys):
    """An Altaro report whose customer column holds =HYPERLINK(...): unmapped, listed
    as a problem, and written as text everywhere (import sheet, Problems)."""
    report = Path(__file__).parent / "data" / "adversarial" / "altaro_hyperlink.csv"
    out = tmp_path / "billing.xlsx"
    assert _build(out, reports=[str(report)]) == 0
    hits = [c for c in _cells_xml(out) if 'HYPERLINK("http://x","y")' in c[4]]
    assert len(hits) >= 5  # the import sheet's customer column and the Problems sheet
    assert all(t == "inlineStr" and not has_f for _, _, t, has_f, _ in hits), hits
    values = openpyxl.load_workbook(out, data_only=True)
    kinds = [values[L.PROBLEMS.name].cell(r, L.PROBLEMS.index("kind")).value for r in range(5, 30)]
    assert "unmapped_account" in kinds


def test_missing_rate_is_a_problem_and_strict_exits_1(tmp_path, capsys):
    """A price book without the Altaro per-user rate: the users are not invoiced,
    the Problems sheet and stderr say so, --strict exits 1 (the workbook is still
    written for review)."""
    from xlbilling.writers import make_sample_pricebook as M

    pricebook = tmp_path / "pricebook.xlsx"
    rates = [r for r in M.RATES if not (r[0] == "altaro" and r[1] == "m365_users")]
    M.write_pricebook(pricebook, force=True, protect_templates=False, settings={},
                      customers=M.CUSTOMERS, accounts=M.ACCOUNTS, rates=M._dec(rates),
                      exchange_rates=[(f, t, Decimal(r)) for f, t, r in M.EXCHANGE_RATES], commitments=[])
    out = tmp_path / "billing.xlsx"
    altaro = str(sample_path("altaro_itemised_2026-10.csv"))
    code = main(["build", "--quiet", "--strict", "--month", "2026-10", "--pricebook", str(pricebook), altaro,
                 "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert "3 No price for an item" in err and "NOT READY TO INVOICE: 3 usage items were not invoiced" in err
    values = openpyxl.load_workbook(out, data_only=True)
    kinds = [values[L.PROBLEMS.name].cell(r, L.PROBLEMS.index("kind")).value for r in range(5, 30)]
    assert kinds.count("no_rate") == 3  # Contoso, Fabrikam, Tailspin each have users
    assert values[L.INVOICE_LINES.name].cell(5, 1).value is None  # nothing invoiced


def test_demo_builds_from_the_whole_sample_month_folder():
    """The month folder holds one report per vendor and type: the demo uses every
    file in it, and the alternative formats (same usage, other formats) stay apart."""
    from xlbilling.commands import sample_data

    assert sorted(demo.REPORTS) == [p.name for p in sample_data.month_reports()]
    alternative = {p.name for p in sample_data.alternative_reports()}
    assert alternative == {"axcient_bff_raw_account_data_2026-10.xlsx", "acronis_usage_records_2026-10.xlsx",
                           "altaro_itemised_2026-10.json", "hornetsecurity_licenses_2026-10.csv"}
    assert not alternative & set(demo.REPORTS)


def test_an_out_name_too_long_for_its_temporary_is_refused_before_reading(tmp_path, capsys):
    """A 245-character name is legal, but the temporary file written beside it
    (.NAME.xlbilling-PID-XXXXXXXX.tmp) would pass the folder's 255: refused at
    once (before the reports are read: a missing one is not what it says),
    naming the longest name that works, which then builds (real file system)."""
    long_out = tmp_path / ("b" * 240 + ".xlsx")
    assert _build(long_out, reports=[*REPORTS, str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert "the file name is too long (245 bytes)" in err and "nothing was written" in err
    assert "missing.csv" not in err and "Traceback" not in err and list(tmp_path.iterdir()) == []
    most = int(err.split("at most ")[1].split(" bytes")[0])
    fits = tmp_path / ("b" * (most - len(".xlsx")) + ".xlsx")
    assert _build(fits) == 0 and fits.is_file()
    assert [p.name for p in tmp_path.iterdir()] == [fits.name]  # no temporary left behind


def test_the_longest_out_name_allowed_can_also_be_replaced_with_force(tmp_path, capsys):
    """--force with a ledger keeps the replaced file under a second temporary name
    until the ledger commits; that name must fit too (real file system, SQLite)."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    ledger = ["--ledger", str(tmp_path / "ledger.sqlite")]
    assert _build(out_dir / ("c" * 240 + ".xlsx"), *ledger) == 2
    most = int(capsys.readouterr().err.split("at most ")[1].split(" bytes")[0])
    out = out_dir / ("c" * (most - len(".xlsx")) + ".xlsx")
    assert _build(out, *ledger) == 0
    assert _build(out, "--force", *ledger) == 0, capsys.readouterr().err
    assert [p.name for p in out_dir.iterdir()] == [out.name]  # no temporary or kept copy left
