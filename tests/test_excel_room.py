"""xlbilling/excel/ is the top of the house: it may import core, readers, pricing
and writers, and only the entry points import it (the CLI commands, the
ribbon's `xlbilling.main()`, and xlbilling/udfs.py, the old module name kept
for add-ins installed before the move).  An import from below would make the
headless pipeline depend on the Excel face."""
from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "xlbilling"
ENTRY_POINTS = {"__init__.py", "udfs.py"}


def _imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_nothing_below_the_excel_room_imports_it():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in ("excel", "commands") or str(rel) in ENTRY_POINTS:
            continue
        found = [n for n in _imported(ast.parse(path.read_text(encoding="utf-8")))
                 if n == "xlbilling.excel" or n.startswith("xlbilling.excel.")]
        offenders += [f"{rel}: {n}" for n in found]
    assert offenders == []


def test_the_check_sees_an_import_from_below():
    tree = ast.parse("def f():\n    from xlbilling.excel.cells import clean_cells\nimport xlbilling.excel.udfs\n"
                     "from xlbilling import excel\n")
    assert {"xlbilling.excel.cells", "xlbilling.excel.udfs", "xlbilling.excel"} <= _imported(tree)
