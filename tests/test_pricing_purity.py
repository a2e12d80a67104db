"""pricing/engine.py and pricing/model.py are pure: no file, workbook, pandas or Excel access."""
from __future__ import annotations

import ast
from pathlib import Path

PRICING = Path(__file__).resolve().parents[1] / "xlbilling" / "pricing"
FORBIDDEN_MODULES = {"openpyxl", "pandas", "xlwings", "os", "pathlib", "io", "shutil", "zipfile", "csv",
                     "xlbilling.readers", "xlbilling.writers", "xlbilling.safe_xlsx", "xlbilling.pricing.pricebook"}
FORBIDDEN_CALLS = {"open"}


def test_engine_and_model_are_pure():
    for name in ("engine.py", "model.py"):
        tree = ast.parse((PRICING / name).read_text())
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
