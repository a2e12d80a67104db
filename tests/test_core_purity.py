"""The core stays pure (STYLE.md, docs/architecture.md): xlbilling.core imports
no openpyxl, xlwings, pandas or numpy, so it runs anywhere and fast."""
from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys

import xlbilling.core

FORBIDDEN = ("openpyxl", "xlwings", "pandas", "numpy")
CORE = pathlib.Path(xlbilling.core.__file__).parent


def core_modules() -> list[str]:
    names = []
    for path in sorted(CORE.rglob("*.py")):
        parts = path.relative_to(CORE.parent.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_core_modules_are_found():
    modules = core_modules()
    assert "xlbilling.core.money" in modules and "xlbilling.core.rules.x360recover" in modules
    assert len(modules) >= 10


def test_importing_every_core_module_loads_no_heavy_library():
    # A fresh interpreter: the test process itself has imported xlwings etc. already.
    code = (
        "import importlib, json, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=CORE.parent.parent)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def forbidden_imports(source: str) -> list[str]:
    """Modules from FORBIDDEN that a source text imports (absolute imports)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        found += [f"{node.lineno} {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    return found


def test_core_source_has_no_forbidden_import():
    offenders = [f"{path.name}:{hit}" for path in sorted(CORE.rglob("*.py"))
                 for hit in forbidden_imports(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_scan_would_catch_an_import():
    # the static check must be able to fail, including imports hidden inside a function
    source = "import os\nfrom pandas import DataFrame\ndef f():\n    import numpy.linalg as la\n"
    assert forbidden_imports(source) == ["2 pandas", "4 numpy.linalg"]
