"""Everything a user reads points at what ships with xlbilling (`xlbilling help
TOPIC`), never at the project's internal notes (seeds/, BILLING_RULES.md,
FORMATS.md, ACCOUNTING_EXPORTS.md, ...), which users do not have.

Checked three ways: every string literal of the package that is not a
docstring (messages, problems, help, workbook text; code comments and
docstrings may cite the notes); the guides and READMEs that ship; and what
actually comes out: the workbooks' cells (templates, sample price book, a
demo build) and the CLI's output on every sample report."""
from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import openpyxl
import pytest

from xlbilling.commands.cli import main

ROOT = Path(__file__).resolve().parents[1]
# the project's internal notes: never named to a user
INTERNAL = re.compile(r"seeds/|\bseeds\b|FORMATS(\.md)?\b|BILLING_RULES|ACCOUNTING_EXPORTS|XLWINGS_NOTES|STYLE\.md"
                      r"|vendor-specs|/work/shared|\.\./shared")
# a path to a guide (docs/x.md) is not what a user has either: `xlbilling help x` is
GUIDE_PATH = re.compile(r"\bdocs/")


def _docstring_nodes(tree) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def test_no_string_literal_of_the_package_cites_internal_notes():
    found = []
    for path in sorted((ROOT / "xlbilling").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                if INTERNAL.search(node.value) or GUIDE_PATH.search(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:90]!r}")
    assert not found, "user-facing strings citing files users do not have:\n" + "\n".join(found)


def test_the_scan_catches_a_citation():
    """The literal scan above is not vacuous: a message citing seeds/ is found, a comment is not."""
    tree = ast.parse('"""doc seeds/000"""\n# seeds/000\nx = f"bad {1} (seeds/000)"\n')
    docs = _docstring_nodes(tree)
    hits = [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docs and INTERNAL.search(n.value)]
    assert len(hits) == 1


@pytest.mark.parametrize("path", sorted([*(ROOT / "docs").glob("*.md"), ROOT / "README.md",
                                         ROOT / "workbooks" / "README.md", ROOT / "xlbilling" / "samples" / "README.md"]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_guides_cite_no_internal_notes(path):
    lines = [f"{n}: {line}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if INTERNAL.search(line)]
    assert not lines, "\n".join(lines)


def _cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [f"{ws.title}!{v}" for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
            for v in row if isinstance(v, str)]


def test_workbook_text_points_at_shipped_guides(tmp_path):
    from xlbilling.commands.sample_data import SAMPLE_PRICEBOOK

    out = tmp_path / "demo.xlsx"
    assert main(["demo", "--quiet", "--out", str(out)]) == 0
    texts = []
    for book in (out, SAMPLE_PRICEBOOK, ROOT / "workbooks" / "pricebook.xlsx", ROOT / "workbooks" / "billing.xlsx"):
        texts += [t for t in _cells(book) if INTERNAL.search(t) or GUIDE_PATH.search(t)]
    assert not texts, texts[:10]
    instructions = " ".join(_cells(ROOT / "workbooks" / "pricebook.xlsx"))
    assert "xlbilling help pricebook" in instructions


def test_cli_output_on_every_sample_cites_no_internal_notes():
    from xlbilling.commands.sample_data import all_reports

    for report in all_reports():
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(["read", str(report), "--month", "2026-10"])
        text = out.getvalue() + err.getvalue()
        assert not INTERNAL.search(text), (report.name, INTERNAL.search(text).group(0))
