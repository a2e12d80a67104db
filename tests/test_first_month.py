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

from xlbilling.cli import build_parser, main
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
    from xlbilling.sample_data import SAMPLE_PRICEBOOK

    steps = _block((ROOT / "README.md").read_text(encoding="utf-8"))
    assert _run_in_process(tmp_path, steps[0], capsys)[0] == 0
    shutil.copy(SAMPLE_PRICEBOOK, tmp_path / "pricebook.xlsx")
    for step in steps[3:]:
        code, out, err = _run_in_process(tmp_path, step, capsys)
        assert code == 0, err
        assert "NOT READY TO INVOICE: 1 usage item(s) were not invoiced (1 from accounts without a customer)" \
            in " ".join(err.split())
    rows = (tmp_path / "lines-2026-10.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("customer,vendor,item,description,quantity,unit,unit_price,amount,currency,source")
    assert len(rows) > 20
    assert (tmp_path / "xero-2026-10.csv").read_text(encoding="utf-8").startswith("*ContactName")


def test_pricebook_init_names_only_what_to_type_when_no_month_is_given(tmp_path, capsys):
    """A license table alone states no month: the message names the option to type, never a Python call."""
    from xlbilling.sample_data import sample_path

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
