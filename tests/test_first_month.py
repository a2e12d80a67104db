"""A finance user's first month, as the README tells it: every step command of
the README's "A month's billing, step by step" block is run exactly as written
(through the installed `xlbilling` script of this virtualenv, in a temp folder,
with a shell for the `reports/*` glob), then once more with a filled price book
(the bundled sample price book stands in for the user's filling-in, the one
step a test cannot type).  Also: the guides `xlbilling help` prints ship with
the package, problem kinds read as words, and every command's help has
examples."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xlbilling.commands.cli import build_parser, main
from xlbilling.core.problems import TITLES as KINDS

ROOT = Path(__file__).resolve().parents[1]
XLBILLING = shutil.which("xlbilling", path=str(Path(sys.executable).parent))


def _block(text: str) -> list[str]:
    """The step commands of the README's monthly block (comment lines are the manual steps)."""
    m = re.search(r"## A month's billing, step by step\n.*?```bash\n(.*?)```", text, re.S)
    assert m, "README has no step-by-step block"
    return [line for line in m.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _run(cwd: Path, command: str) -> subprocess.CompletedProcess:
    assert command.startswith("xlbilling "), command
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    # the README's own text through a shell (globs), with this venv's xlbilling
    return subprocess.run(command.replace("xlbilling ", f"'{XLBILLING}' ", 1), shell=True, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


def test_readme_and_first_month_guide_show_the_same_steps():
    readme = _block((ROOT / "README.md").read_text(encoding="utf-8"))
    guide = re.search(r"```bash\n(.*?)```", (ROOT / "docs" / "start.md").read_text(encoding="utf-8"), re.S)
    assert readme == [ln for ln in guide.group(1).splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert [c.split()[1] for c in readme] == ["samples", "pricebook", "pricebook", "build", "lines", "export"]


@pytest.mark.skipif(XLBILLING is None, reason="the xlbilling script is not installed in this environment")
def test_readme_steps_work_as_written_on_the_samples(tmp_path):
    steps = _block((ROOT / "README.md").read_text(encoding="utf-8"))
    results = [_run(tmp_path, step) for step in steps]
    for step, r in zip(steps, results):
        assert r.returncode == 0, f"{step}\n{r.stdout}\n{r.stderr}"
        assert "Traceback" not in r.stderr
    samples, init, check, build, lines, export = results
    # 5 sample reports, one per vendor and type (xlbilling/samples/2026-10)
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "acronis_usage_2026-10.csv.gz", "altaro_itemised_2026-10.csv", "axcient_bff_raw_customer_data_2026-10.xls",
        "x360recover_devices_2026-10.csv", "x360recover_licenses.xlsx"]
    # init needs no --month: the license table is read for the month the other reports' names give
    assert "x360Recover licenses read for 2026-10" in init.stdout
    # an unfilled price book never looks like success
    assert "INCOMPLETE, not ready to invoice" in check.stdout
    for r in (build, lines, export):
        assert "NOT READY TO INVOICE" in r.stderr, r.stderr
    assert "NOT READY" in build.stdout
    for name in ("pricebook.xlsx", "billing-2026-10.xlsx", "lines-2026-10.csv", "xero-2026-10.csv"):
        assert (tmp_path / name).is_file(), name
    # the lines file holds only the header: nothing can be priced yet
    assert (tmp_path / "lines-2026-10.csv").read_text(encoding="utf-8").count("\n") == 1


@pytest.mark.skipif(XLBILLING is None, reason="the xlbilling script is not installed in this environment")
def _run_in_process(cwd: Path, command: str, capsys) -> tuple[int, str, str]:
    """A README command through cli.main in this process (quicker than a new
    interpreter): split like a shell, globs expanded in `cwd`."""
    import glob
    import shlex

    argv = []
    for word in shlex.split(command, comments=True)[1:]:
        argv.extend(sorted(glob.glob(word, root_dir=cwd)) or [word] if "*" in word else [word])
    old = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(argv)
    finally:
        os.chdir(old)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_readme_steps_with_a_filled_price_book(tmp_path, capsys):
    """The steps after the filling-in, with the bundled sample price book as the
    filled book (modelled: a person fills it in Excel).  The sample book leaves
    the partner's own Acronis tenant without a customer on purpose, so exactly
    that one account's usage stays un-invoiced and is said so."""
    from xlbilling.commands.sample_data import SAMPLE_PRICEBOOK

    steps = _block((ROOT / "README.md").read_text(encoding="utf-8"))
    assert _run_in_process(tmp_path, steps[0], capsys)[0] == 0
    shutil.copy(SAMPLE_PRICEBOOK, tmp_path / "pricebook.xlsx")
    for step in steps[3:]:
        code, out, err = _run_in_process(tmp_path, step, capsys)
        assert code == 0, err
        assert "NOT READY TO INVOICE: 1 usage item was not invoiced (1 from accounts without a customer)" \
            in " ".join(err.split())
    rows = (tmp_path / "lines-2026-10.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("customer,vendor,item,description,quantity,unit,unit_price,amount,currency,source")
    assert len(rows) > 20
    assert (tmp_path / "xero-2026-10.csv").read_text(encoding="utf-8").startswith("*ContactName")


def test_pricebook_init_names_only_what_to_type_when_no_month_is_given(tmp_path, capsys):
    """A license table alone states no month: the message names the option to type, never a Python call."""
    from xlbilling.commands.sample_data import sample_path

    lic = tmp_path / "licenses.xlsx"
    shutil.copy(sample_path("x360recover_licenses.xlsx"), lic)
    assert main(["pricebook", "init", str(lic), "--out", str(tmp_path / "pb.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "add --month YYYY-MM" in err and "read_report" not in err and "xlbilling read" not in err
    assert main(["pricebook", "init", str(lic), "--month", "2026-10", "--out", str(tmp_path / "pb.xlsx")]) == 0


def test_every_help_topic_ships_and_prints(capsys):
    from xlbilling.commands.help import TOPICS, guide_text

    for topic in TOPICS:
        assert guide_text(topic).startswith("# "), topic
    assert main(["help", "problems"]) == 0
    assert "| No price for an item | `no_rate` |" in capsys.readouterr().out
    assert main(["help", "nonsense"]) == 2
    assert "the guides are: start, pricebook" in capsys.readouterr().err


def test_problem_guide_lists_every_kind_in_words():
    text = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
    for kind, (title, _) in KINDS.items():
        assert f"| {title} | `{kind}` |" in text, kind
    from xlbilling.pricing.model import Problem

    assert str(Problem("no_rate", message="m", source="s")) == "No price for an item: m [s]"


def _all_parsers(parser, path=("xlbilling",)):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _all_parsers(sub, (*path, name))


def test_every_command_has_examples_and_every_argument_help():
    import argparse

    for path, parser in _all_parsers(build_parser()):
        leaf = not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
        if leaf:
            assert parser.epilog and "examples:" in parser.epilog, " ".join(path)
            assert parser.description, " ".join(path)
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.help, f"{' '.join(path)} {action.option_strings or action.dest}: no help"


def test_pricebook_init_marks_reference_labels_and_the_partner_tenant_for_review(tmp_path, capsys):
    """Hornetsecurity gives only reference numbers (HS-1001...) and Acronis lists the
    partner's own tenant: neither becomes a customer; their Accounts rows say REVIEW
    and leave Customer blank, the one cell to type the customer in."""
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.commands.sample_data import sample_path

    reports = [sample_path("acronis_usage_2026-10.csv.gz"), sample_path("hornetsecurity_licenses_2026-10.csv"),
               sample_path("altaro_itemised_2026-10.csv")]
    out = tmp_path / "pb.xlsx"
    assert main(["pricebook", "init", "--quiet", *map(str, reports), "--out", str(out)]) == 0
    pb = load_pricebook(out)
    customers = {c.name for c in pb.customers}
    assert customers == {"Northwind Dental", "Wide World Importers", "Contoso Legal LLP", "Fabrikam Logistics",
                         "Tailspin Toys"}   # no 'HS-1001', no 'Our MSP (partner)'
    import openpyxl

    rows = list(openpyxl.load_workbook(out)["Accounts"].iter_rows(min_row=2, values_only=True))
    notes = {r[1]: r[6] for r in rows}
    review = {a.account for a in pb.accounts if not a.customer}
    assert review == {"HS-1001", "HS-1002", "HS-1003", "c0ffee00-1111-4222-8333-944455556603"}
    assert all(notes[a].startswith("REVIEW: ") for a in review)
    assert "partner" in notes["c0ffee00-1111-4222-8333-944455556603"]
    assert "reference number" in notes["HS-1001"]
    # REVIEW rows come first on the sheet, Customer blank
    assert {r[1] for r in rows[:4]} == review and all(r[3] is None for r in rows[:4])


def test_review_reason_by_label():
    from xlbilling.writers.pricebook_init import review_reason

    for label in ("HS-1001", "10421", "C-0042", "8f1c2a8e-4d6b-4b6e-9a51-0c1d2e3f4a01", "=HYPERLINK(1)"):
        assert review_reason(label), label
    for label in ("Northwind Dental", "Contoso Legal LLP", "3M", "Studio 54"):
        assert not review_reason(label), label
    assert "partner" in review_reason("Our MSP", {"tenant_kind": "partner"})


@pytest.mark.parametrize("wrong, says", [
    ("x360recover_licenses.xlsx", "is a vendor report (x360Recover license-assignment table"),
    ("altaro_itemised_2026-10.csv", "is a vendor report (Altaro/Hornetsecurity itemised billing report"),
])
def test_a_report_given_as_the_price_book_is_named_for_what_it_is(tmp_path, capsys, wrong, says):
    from xlbilling.commands.sample_data import MONTH_DIR

    reports = [str(p) for p in sorted(MONTH_DIR.iterdir())]   # the glob reports/* includes the wrong file too
    code = main(["lines", "--month", "2026-10", "--pricebook", str(MONTH_DIR / wrong), *reports])
    err = capsys.readouterr().err
    assert code == 2 and says in err and "not a price book" in err and "give it as a REPORT" in err
    assert "is the price book" not in err and "blank cell" not in err


def test_a_billing_workbook_or_other_workbook_is_not_a_price_book(tmp_path, capsys):
    import openpyxl

    demo_out = tmp_path / "demo.xlsx"
    assert main(["demo", "--quiet", "--out", str(demo_out)]) == 0
    capsys.readouterr()
    assert main(["pricebook", "check", str(demo_out)]) == 2
    assert "is an xlbilling billing workbook, not a price book" in capsys.readouterr().err
    other = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Budget"
    wb.active.append(["Month", "Spend"])
    wb.save(other)
    assert main(["pricebook", "check", str(other)]) == 2
    err = capsys.readouterr().err
    assert "is not a price book (a price book is an .xlsx workbook with the sheets Settings, Customers, Accounts," \
           " Rates; this one has 'Budget')" in err and "blank cell" not in err


def test_the_price_book_caught_by_the_reports_glob(tmp_path, capsys):
    from xlbilling.commands.sample_data import MONTH_DIR, SAMPLE_PRICEBOOK

    reports = tmp_path / "reports"
    shutil.copytree(MONTH_DIR, reports)
    shutil.copy(SAMPLE_PRICEBOOK, reports / "pricebook.xlsx")
    code = main(["lines", "--month", "2026-10", "--pricebook", str(reports / "pricebook.xlsx"),
                 *map(str, sorted(reports.iterdir()))])
    assert code == 2
    assert "is given both as --pricebook and as a REPORT" in capsys.readouterr().err


def test_read_refuses_a_workbook_with_several_report_sheets(tmp_path, capsys):
    import openpyxl

    from xlbilling.commands.sample_data import sample_path

    book = tmp_path / "two.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Usage Records"
    for row in openpyxl.load_workbook(sample_path("acronis_usage_records_2026-10.xlsx")).active.iter_rows(
            values_only=True):
        wb.active.append(row)
    lic = wb.create_sheet("Licenses")
    for row in openpyxl.load_workbook(sample_path("x360recover_licenses.xlsx")).active.iter_rows(values_only=True):
        lic.append(row)
    wb.save(book)
    assert main(["read", str(book)]) == 2
    err = capsys.readouterr().err
    assert "holds 2 report sheets ('Usage Records', 'Licenses')" in err and "--sheet 'Usage Records'" in err
    assert main(["read", str(book), "--sheet", "licenses", "--month", "2026-10", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    # hand-checked: sample license table, Northwind: 3 server assignments overlap Oct 2026 (rows 2-4)
    assert "x360recover,3001,Northwind Dental,endpoint_server,3,license,two.xlsx!Licenses rows 2-4" in out


def test_read_from_stdin(monkeypatch, capsys):
    import io as _io

    from xlbilling.commands.sample_data import sample_path

    data = sample_path("altaro_itemised_2026-10.csv").read_bytes()
    monkeypatch.setattr("sys.stdin", _io.TextIOWrapper(_io.BytesIO(data)))
    assert main(["read", "-", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    # Contoso: Ann Lee / ann lee one user + Bob Stone + Carla Diaz + ... = 4 (tests/test_read_samples.py works it)
    assert 'altaro,Contoso Legal LLP,Contoso Legal LLP,m365_users,4,user,"stdin rows 2-5,7-8"' in out


def test_lines_and_export_to_stdout(tmp_path, capsys):
    from xlbilling.commands.sample_data import MONTH_DIR, SAMPLE_PRICEBOOK

    reports = [str(p) for p in sorted(MONTH_DIR.iterdir())]
    args = ["--month", "2026-10", "--pricebook", str(SAMPLE_PRICEBOOK), *reports]
    assert main(["export", "--to", "xero", *args, "--out", "-", "--quiet"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("*ContactName") and "wrote stdout" in out.err
    assert not (Path.cwd() / "-").exists()
    assert main(["export", "--format", "qbo", *args, "--out", str(tmp_path / "q.csv")]) == 0   # the old spelling
    assert "--format xero|qbo is now --to" in capsys.readouterr().err
    assert main(["lines", *args, "--out", "-", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("customer,vendor,item,")
