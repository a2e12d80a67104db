"""The pricing logic (engine, its steps and every vendor unit) is pure: no file,
workbook, pandas or Excel access.  The adapters (the price-book loader and its
sheet reader, the run orchestration that reads files) are left out by name; the
file writers live in xlbilling/writers/."""
from __future__ import annotations

import ast
from pathlib import Path

PRICING = Path(__file__).resolve().parents[1] / "xlbilling" / "pricing"
FORBIDDEN_MODULES = {"openpyxl", "pandas", "xlwings", "os", "pathlib", "io", "shutil", "zipfile", "csv",
                     "xlbilling.readers", "xlbilling.writers", "xlbilling.files", "xlbilling.pricing.pricebook",
                     "xlbilling.pricing.pricebook_sheets"}
FORBIDDEN_CALLS = {"open"}


# __init__.py only imports the loader lazily, on request
ADAPTERS = {"pricebook.py", "pricebook_sheets.py", "run.py", "__init__.py"}
PURE = sorted(p for p in PRICING.rglob("*.py") if str(p.relative_to(PRICING)) not in ADAPTERS)


def test_pure_modules_listed():
    names = {str(p.relative_to(PRICING)) for p in PURE}
    assert {"engine.py", "model.py", "charges.py", "mapping.py", "currency.py", "commitments.py",
            "pricebook_cells.py", "vendors/x360recover.py", "vendors/acronis.py"} <= names


def test_engine_and_model_are_pure():
    for path in PURE:
        name = str(path.relative_to(PRICING))
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                mods = []
            for m in mods:
                assert not any(m == f or m.startswith(f + ".") for f in FORBIDDEN_MODULES), f"{name} imports {m}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in FORBIDDEN_CALLS, f"{name} calls {node.func.id}()"
