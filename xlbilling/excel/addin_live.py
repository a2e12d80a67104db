"""The parts of `xlbilling addin install` and `xlbilling addin check` that drive
Excel through xlwings (Windows desktop Excel).  xlbilling.excel.addin builds the file
without Excel; this module opens it in Excel.

- `pythonw_for_excel()`: the interpreter the add-in must start - pythonw.exe
  beside the Python running xlbilling - so Interpreter_Win is never blank (a
  blank one starts `pythonw` from PATH, and the xlwings DLL is then only found
  if it happens to be on the DLL search path: xlwings #1328, #485, #365).
- `dll_problem()`: whether the add-in's VBA will find `xlwings64-<version>.dll`
  where it looks (the interpreter's folder, then its parent).
- `import_functions()`: xlwings' own `udfs.import_udfs` into the add-in, but
  never its fallback of importing into the *active* workbook when
  `VBComponents.Import` fails; with "Trust access to the VBA project object
  model" off, the exact instruction instead.
- `check()`: every catalogue example typed as a formula into a scratch workbook,
  recalculated by Excel, read back and compared with Python: the first
  real-Excel check as one command.
tests/test_fakecom_addin.py runs all of it through xlwings' real Windows code.
"""
from __future__ import annotations

import importlib.metadata
import ntpath
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from xlbilling.errors import XlbillingError
from xlbilling.excel.addin import ADDIN_FILE_NAME, UDF_MODULE
from xlbilling.excel.cells import ExcelError, clean_cells

UDF_COMPONENT = "xlwings_udfs"

TRUST_INSTRUCTION = (
    "Excel does not let programs write VBA, so the Excel functions were not imported. In Excel: File > Options >"
    " Trust Center > Trust Center Settings... > Macro Settings, tick \"Trust access to the VBA project object"
    " model\", OK, OK; close Excel; then run `xlbilling addin install` again. (Or import them by hand: `xlbilling help addin`,"
    " step 5.)")


class TrustAccessOff(XlbillingError):
    """Excel refused access to the add-in's VBA project."""


# --------------------------------------------------------------------------- interpreter and DLL

def pythonw_for_excel(executable: str | None = None) -> str:
    """pythonw.exe beside `executable` (default: the running Python), else
    `executable` itself (python.exe works too; it shows a console window)."""
    exe = executable or sys.executable
    path = _paths(exe)
    pythonw = path.join(path.dirname(exe), "pythonw.exe")
    return pythonw if os.path.isfile(pythonw) else exe


def _paths(path: str):
    """ntpath for a Windows path (C:\\..., \\\\server), else this system's os.path."""
    return ntpath if re.match(r"^([A-Za-z]:[\\/]|\\\\)", path) else os.path


def xlwings_dll_paths() -> list[str]:
    """Where pip put xlwings' DLLs (xlwings64-<version>.dll, xlwings32-...)."""
    try:
        files = importlib.metadata.files("xlwings") or []
        dist = importlib.metadata.distribution("xlwings")
    except importlib.metadata.PackageNotFoundError:
        return []
    return [str(dist.locate_file(f)) for f in files if re.fullmatch(r"xlwings(32|64)-.*\.dll", f.name, re.I)]


def dll_problem(interpreter: str, dll_paths: list[str], version: str, bits: int = 64) -> str | None:
    """None when the add-in's VBA will load the DLL; else what to do.  The VBA
    (XLPyLoadDLL) calls LoadLibrary on ParentFolder(Interpreter_Win)\\<dll>, then on
    ParentFolder(ParentFolder(Interpreter_Win))\\<dll> (a venv's Scripts folder)."""
    name = f"xlwings{bits}-{version}.dll"
    path = _paths(interpreter)
    looked = [path.join(path.dirname(interpreter), name),
              path.join(path.dirname(path.dirname(interpreter)), name)]
    found = [p for p in dll_paths if _paths(p).basename(p).lower() == name.lower()]
    if any(ntpath.normcase(p) in {ntpath.normcase(x) for x in looked} for p in found):
        return None
    if any(os.path.isfile(p) for p in looked):
        return None
    where = f"pip put it in {found[0]}" if found else f"{name} is not installed with xlwings"
    return (f"the add-in will look for {name} in {looked[0]} and {looked[1]}, but {where}. This happens with"
            " `pip install --user` and some conda set-ups (\"Run-time error 53: File not found\" in Excel). Install"
            " xlbilling into the Python that runs it without --user (e.g. `py -m pip install xlbilling`), or copy"
            f" {found[0] if found else name} into {path.dirname(looked[0])}.")


# --------------------------------------------------------------------------- importing the functions

class _NoFallbackApp:
    """The add-in's Application as xlwings' import_udfs sees it, except that its
    fallback `Application.Run("ImportXlwingsUdfsModule", ...)` - which imports into
    the ActiveWorkbook, i.e. the user's billing workbook - is refused."""

    def __init__(self, app):
        object.__setattr__(self, "_app", app)

    def Run(self, macro, *args):
        raise XlbillingError(
            "Excel refused to import the functions into xlbilling.xlam (VBComponents.Import failed). xlbilling does"
            " not fall back to importing them into the active workbook. Close Excel, run `xlbilling addin install`"
            " again; if it fails again, see `xlbilling help addin`, 'Known problems'.")

    def __getattr__(self, name):
        return getattr(self._app, name)


class _AddinBook:
    """The add-in workbook passed to xlwings' import_udfs (see _NoFallbackApp)."""

    def __init__(self, book):
        object.__setattr__(self, "_book", book)

    @property
    def Application(self):
        return _NoFallbackApp(self._book.Application)

    def __getattr__(self, name):
        return getattr(self._book, name)


def import_functions(xl_workbook) -> list[str]:
    """Write the UDF module into `xl_workbook` (the add-in, as a COM Workbook)
    with xlwings' own import_udfs; return the function names now in it."""
    import xlwings.udfs

    try:
        xl_workbook.VBProject.VBComponents.Count
    except Exception:  # noqa: BLE001 - pywintypes.com_error: "Programmatic access ... is not trusted"
        raise TrustAccessOff(TRUST_INSTRUCTION) from None
    # Loaded here first, so import_udfs finds it cached and never Dispatch()es the wrapper.
    xlwings.udfs.get_udf_module(UDF_MODULE, None)
    xlwings.udfs.import_udfs(UDF_MODULE, _AddinBook(xl_workbook))
    try:
        code = xl_workbook.VBProject.VBComponents(UDF_COMPONENT).CodeModule.Lines(1, 100_000)
    except Exception:  # noqa: BLE001 - the fake and old Excel builds: read the component another way
        code = getattr(xl_workbook.VBProject.VBComponents(UDF_COMPONENT), "code", "")
    return re.findall(r"^Function (\w+)\(", code, re.MULTILINE)


def import_into_addin(addin_path: str | os.PathLike[str], app_factory: Callable | None = None) -> list[str]:
    """Open `addin_path` in a hidden Excel, import the functions, save, quit."""
    import xlwings as xw

    app = (app_factory or (lambda: xw.App(visible=False, add_book=False)))()
    try:
        book = app.books.open(str(addin_path))
        names = import_functions(book.api)
        book.api.Save()
        book.close()
        return names
    finally:
        try:
            app.quit()
        except Exception:  # noqa: BLE001
            pass


# --------------------------------------------------------------------------- addin check

@dataclass(frozen=True)
class CheckRow:
    name: str
    formula: str
    excel: object
    python: object

    @property
    def passed(self) -> bool:
        a, b = self.excel, self.python
        if isinstance(b, bool) or isinstance(a, bool):
            return a is b
        if isinstance(b, (int, float)) and isinstance(a, (int, float)):
            return float(a) == float(b)
        return a == b


def _split_args(text: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    return out + [cur.strip()]


def check(app_factory: Callable | None = None, addin_path: str | None = None) -> list[CheckRow]:
    """Every catalogue example as a formula in a scratch workbook of a hidden
    Excel with the installed add-in loaded; Excel's values next to Python's."""
    import xlwings as xw

    from xlbilling.excel.udfs import CATALOGUE

    app = (app_factory or (lambda: xw.App(visible=False, add_book=False)))()
    rows: list[CheckRow] = []
    try:
        path = addin_path or str(Path(app.startup_path) / ADDIN_FILE_NAME)
        if not os.path.isfile(path):
            raise XlbillingError(f"{path} was not found: run `xlbilling addin install` first")
        app.books.open(path)
        book = app.books.add()
        sheet = book.sheets[0]
        for n, (spec, function) in enumerate(CATALOGUE, start=1):
            example = spec.example
            args = _split_args(example.formula_args)
            for text, value in zip(args, example.values):
                if isinstance(value, list):          # a range the example names (A2:A4 = ...)
                    sheet.range(text).value = value
            cell = sheet.range((1, 10))             # J1: away from the example data in A:B
            formula = f"={spec.name}({example.formula_args})"
            cell.formula = formula
            app.calculate()
            excel = clean_cells(cell.api.Value2)     # error cells as their text (#NAME?, #VALUE!, ...)
            excel = str(excel) if isinstance(excel, ExcelError) else excel
            rows.append(CheckRow(spec.name, formula, excel, function(*example.values)))
            sheet.clear_contents()
        book.close()
    finally:
        try:
            app.quit()
        except Exception:  # noqa: BLE001
            pass
    return rows


def check_table(rows: list[CheckRow]) -> str:
    def show(v):
        return "TRUE" if v is True else "FALSE" if v is False else repr(v) if isinstance(v, str) else f"{v}"

    width = max(len(r.name) for r in rows)
    lines = [f"{'function':<{width}}  result  Excel -> Python", f"{'-' * width}  ------  ---------------"]
    for r in rows:
        lines.append(f"{r.name:<{width}}  {'PASS' if r.passed else 'FAIL':<6}  {show(r.excel)} -> {show(r.python)}"
                     + ("" if r.passed else f"   ({r.formula})"))
    failed = sum(not r.passed for r in rows)
    lines.append(f"{len(rows) - failed} of {len(rows)} passed" + (f"; {failed} FAILED" if failed else ""))
    return "\n".join(lines)
