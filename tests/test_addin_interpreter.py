"""The interpreter `xlbilling addin install` writes into the add-in and the
xlwings DLL check (issue 9 item 4: with Interpreter_Win blank, Excel starts
`pythonw` from PATH and the xlwings DLL is often not found: "Run-time error 53").
The add-in's VBA (XLPyLoadDLL, read from xlwings_custom_addin.bas) loads
ParentFolder(Interpreter_Win)\\xlwings64-<version>.dll, then the same in the
folder above (a venv's Scripts folder)."""
from __future__ import annotations

import pathlib

from xlbilling.excel import addin_live

VBA = (pathlib.Path(__import__("xlwings").__file__).parent / "xlwings_custom_addin.bas").read_text(encoding="utf-8")


def test_the_vba_looks_where_dll_problem_assumes():
    assert 'LoadLibrary(ParentFolder(PYTHON_WIN) + "\\" + XLPyDLLName)' in VBA
    assert 'LoadLibrary(ParentFolder(ParentFolder(PYTHON_WIN)) + "\\" + XLPyDLLName)' in VBA
    # and with a blank Interpreter_Win it loads nothing itself (relies on the DLL search path)
    assert 'If (PYTHON_WIN <> "python" And PYTHON_WIN <> "pythonw") Or' in VBA


def test_pythonw_beside_the_running_python(tmp_path):
    (tmp_path / "python.exe").write_text("")
    assert addin_live.pythonw_for_excel(str(tmp_path / "python.exe")) == str(tmp_path / "python.exe")  # no pythonw
    (tmp_path / "pythonw.exe").write_text("")
    assert addin_live.pythonw_for_excel(str(tmp_path / "python.exe")) == str(tmp_path / "pythonw.exe")


def test_dll_found_for_a_standard_install_and_a_venv():
    version = "0.37.8"
    # python.org install: pip puts the DLL in sys.prefix, beside python.exe
    assert addin_live.dll_problem(r"C:\Python311\pythonw.exe", [r"C:\Python311\xlwings64-0.37.8.dll"],
                                   version) is None
    # venv: Scripts\pythonw.exe, the DLL in the venv's root (the folder above)
    assert addin_live.dll_problem(r"C:\billing\.venv\Scripts\pythonw.exe",
                                   [r"C:\billing\.venv\xlwings64-0.37.8.dll"], version) is None


def test_a_per_user_install_is_explained():
    text = addin_live.dll_problem(r"C:\Python311\pythonw.exe",
                                   [r"C:\Users\ann\AppData\Roaming\Python\Python311\xlwings64-0.37.8.dll"], "0.37.8")
    assert text.startswith(r"the add-in will look for xlwings64-0.37.8.dll in C:\Python311\xlwings64-0.37.8.dll"
                           r" and C:\xlwings64-0.37.8.dll, but pip put it in C:\Users\ann\AppData\Roaming")
    assert "without --user" in text and r"into C:\Python311." in text
