"""What fake-COM scenarios use: an Excel with one workbook, cells to fill, the
UDF module imported the way the add-in imports it, and two ways to call a UDF:

  - `call(NAME, *args)`: xlwings' own com_server.XLPython.CallUDF, with the
    arguments as VBA's generated wrapper passes them (Range objects as raw
    IDispatch, numbers as doubles, errors as scodes, omitted optionals as
    DISP_E_PARAMNOTFOUND), Application.Caller set to the formula cell;
  - `formula(A1, "=NAME(...)")`: the cell's formula calculated by the fake
    Excel, which calls the imported VBA module's functions the same way and
    spills array results (or not, in Excel 2016/2019).
"""
from __future__ import annotations

import excel_model as xm
from excel_model import DISP_E_PARAMNOTFOUND, XlError

UDF_MODULE = "xlbilling.excel.udfs"


class R:
    """A reference argument for `call`: R("A1:A3") (sheet of the harness)."""

    def __init__(self, ref: str, sheet=None):
        self.ref, self.sheet = ref, sheet


class Excel:
    def __init__(self, version: str = "16.0", dynamic_arrays: bool = True, book_name: str = "Billing.xlsx",
                 fullname: str | None = None):
        self.app = xm.new_app(version, dynamic_arrays)
        self.book = self.app.Workbooks.Add()
        self.book.Name = book_name
        self.book._fullname = fullname or rf"C:\Billing\{book_name}"
        self.sheet = self.book.Worksheets.Item(1)

    # --- cells
    def put(self, ref: str, value, fmt: str | None = None, sheet=None):
        sheet = sheet or self.sheet
        rng = sheet.Range(ref)
        if isinstance(value, XlError):
            for r, c in rng._positions():
                sheet.cell(r, c, create=True).value = value
        else:
            rng.Value = value
        if fmt:
            rng.NumberFormat = fmt
        return rng

    def put_column(self, top: str, values, fmt: str | None = None):
        row, col, _, _ = xm.parse_range(top)
        for i, v in enumerate(values):
            cell = self.sheet.cell(row + i, col, create=True)
            cell.value = xm._stored(v) if not isinstance(v, XlError) else v
            if fmt:
                cell.number_format = fmt

    def value(self, ref: str):
        return self.sheet.Range(ref).Value2

    # --- the add-in's import of the UDF module (xlwings.udfs.import_udfs, unchanged)
    def import_udfs(self, into=None):
        import xlwings.udfs
        xlwings.udfs.import_udfs(UDF_MODULE, into or self.book)
        return (into or self.book)._vbproject.VBComponents.components["xlwings_udfs"].code

    # --- calls
    def call(self, name: str, *args, caller: str = "Z1"):
        """CallUDF as the generated VBA calls it (trailing optionals omitted)."""
        from xlwings.com_server import XLPython

        import xlbilling.excel.udfs as udfs
        params = udfs.__dict__[name].__xlfunc__["args"]
        values = []
        for i, info in enumerate(params):
            if i < len(args):
                values.append(self._variant(args[i]))
            elif "optional" in info:
                values.append(DISP_E_PARAMNOTFOUND)
            else:
                raise TypeError(f"{name}: argument {info['name']} missing")
        caller_rng = self.sheet.Range(caller)
        self.app.Caller = caller_rng
        try:
            return XLPython().CallUDF(UDF_MODULE, name, tuple(values), xm.dispatch_arg(self.book),
                                      xm.dispatch_arg(caller_rng))
        finally:
            self.app.Caller = None

    def _variant(self, arg):
        if isinstance(arg, R):
            return xm.dispatch_arg((arg.sheet or self.sheet).Range(arg.ref))
        if isinstance(arg, XlError):
            return arg.scode
        if isinstance(arg, list):
            return tuple(tuple(self._variant(v) for v in row) for row in arg)
        return arg

    def formula(self, ref: str, text: str):
        """Enter a formula (Excel calculates at once) and return what the cell
        and its spill show: a value, or rows of values."""
        rng = self.sheet.Range(ref)
        rng.Formula = text
        return self.shown(ref)

    def shown(self, ref: str):
        row, col, _, _ = xm.parse_range(ref)
        cells = self.sheet.cells
        spill = [(r, c) for (r, c), cell in cells.items() if cell.spilled_from == (row, col)]
        if not spill:
            c = cells.get((row, col))
            return _show(c.value if c else None)
        r2 = max([r for r, _ in spill] + [row])
        c2 = max([c for _, c in spill] + [col])
        return [[_show(cells[(r, c)].value if (r, c) in cells else None) for c in range(col, c2 + 1)]
                for r in range(row, r2 + 1)]


def _show(value):
    return value.text if isinstance(value, XlError) else value


def err(text: str) -> XlError:
    return XlError.of(text)


ALL_ERRORS = list(xm.ERRORS)


# --------------------------------------------------------------------------- the ribbon button

EXCEL_EXE = r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE"


def open_billing_workbook(path: str, fullname: str, name: str = "Billing.xlsx", responses=()):
    """An Excel with the billing workbook (a real .xlsx, as saved by xlbilling) open and active."""
    app = xm.new_app()
    book = xm.load_xlsx(app, path, name, fullname)
    app.open_responses.extend(responses)
    return app, book


def run_main(app, book, addin_config: dict, addin_fullname: str = r"C:\Users\ann\XLSTART\xlbilling.xlam"):
    """The add-in's RibbonMyAddin.RunMain, as its VBA runs it: RunPython "import xlbilling;xlbilling.main()"
    -> ExecuteWindows -> `python -B -c "import xlwings.utils;xlwings.utils.prepare_sys_path(\\"...\\");
    import xlbilling;xlbilling.main()" --wb="Billing.xlsx" --from_xl=1 --app="...EXCEL.EXE" --hwnd="..."`
    (modelled from xlwings_custom_addin.bas).  Run here in-process with that sys.argv; the
    fake Excel is reached through Book.caller()'s real hwnd lookup."""
    import sys

    add_dir = addin_config.get("ADD_WORKBOOK_TO_PYTHONPATH", "true")
    add_dir = {True: "True", False: "False"}.get(add_dir, str(add_dir))        # VBA's CStr of a Boolean
    settings = [addin_config.get(k) or "" for k in ("ONEDRIVE_CONSUMER_WIN", "ONEDRIVE_COMMERCIAL_WIN",
                                                   "SHAREPOINT_WIN", "PYTHONPATH")]
    pythonpath = ";".join([add_dir, app.ActiveWorkbook.FullName, addin_fullname, *settings])
    pythonpath = pythonpath.replace("'", "\\'").replace("\\", "\\\\")
    code = (f'import xlwings.utils;xlwings.utils.prepare_sys_path("{pythonpath}"); '
            "import xlbilling;xlbilling.main()")
    saved = sys.argv
    sys.argv = ["-c", f"--wb={book.Name}", "--from_xl=1", f"--app={EXCEL_EXE}", f"--hwnd={app.Hwnd}"]
    try:
        exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    finally:
        sys.argv = saved
