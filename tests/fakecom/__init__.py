"""The fake-COM harness: xlwings 0.37.8's real Windows code over a faked
pywin32/ctypes layer and a small Excel object model, run in a subprocess.

    boot.py          the subprocess: fakes installed, sys.platform "win32", xlwings imported
    win/             the fakes: pythoncom, pywintypes, win32api, win32con, win32gui,
                     win32process, win32event, win32timezone, win32com(.client, .server)
                     + excel_model.py (the object model), formula.py (calculation),
                     harness.py (what scenarios use), vba_words.py (VBA reserved words)

What is modelled rather than observed is listed in win/excel_model.py's
docstring; test modules repeat what their scenarios rely on.

A test module defines `scenario_*()` functions (run in the subprocess, with
assertions inside) and ends with `fakecom.scenario_tests(globals(), __file__)`,
which adds one pytest test per scenario (all run in one subprocess).
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BOOT = os.path.join(HERE, "boot.py")


def scenario_names(test_file: str) -> list[str]:
    with open(test_file, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("scenario_")]


def run_scenarios(test_file: str, timeout: float = 600) -> dict[str, str]:
    """Run every scenario of `test_file` in one Windows-faked subprocess."""
    with tempfile.TemporaryDirectory(prefix="xlbilling-fakecom-") as tmp:
        out = os.path.join(tmp, "results.json")
        proc = subprocess.run([sys.executable, BOOT, os.path.abspath(test_file), out], capture_output=True,
                              text=True, timeout=timeout, cwd=tmp)
        if not os.path.exists(out):
            raise AssertionError(f"the fake-COM subprocess failed (exit {proc.returncode}):\n{proc.stdout}\n"
                                 f"{proc.stderr}")
        with open(out, encoding="utf-8") as f:
            return json.load(f)


def scenario_tests(namespace: dict, test_file: str) -> None:
    """Add to a test module: a module-scoped fixture running all its scenarios in
    one Windows-faked subprocess, and one parametrised test per scenario."""
    import pytest

    names = scenario_names(test_file)

    @pytest.fixture(scope="module")
    def windows_results():
        return run_scenarios(test_file)

    @pytest.mark.parametrize("name", names)
    def test_on_windows_code(windows_results, name):
        assert windows_results[name] == "ok", windows_results[name]

    namespace["windows_results"] = windows_results
    namespace["test_on_windows_code"] = test_on_windows_code
