"""A small Excel object model behind the fake pywin32 (tests/fakecom).

What it MODELS (from Microsoft's COM documentation, pywin32's conversions and
xlwings' issue tracker - not observed in Excel here):
  - Range.Value / Value2: a scalar for one cell, a tuple of row tuples for more;
    None for blank; float numbers; bool; str; an error cell as its integer scode
    (0x800A0000 + XlCVError number, signed); a date cell as a time-zone-aware
    pywintypes datetime through Value, its serial through Value2; a number in a
    Currency/Accounting format as VT_CY through Value (pywin32: a Decimal with
    at most 4 decimals, the double rounded half-even as VarCyFromR8 does),
    the exact double through Value2 (xlwings #640, #65).
  - Excel calling a VBA UDF: a reference arrives as a Range, a literal number
    as a Double, text as a String, an error as VT_ERROR, an omitted optional
    argument as DISP_E_PARAMNOTFOUND; the generated xlwings VBA passes
    Array(args...), ActiveWorkbook and Application.Caller to CallUDF; a
    Python exception becomes Err.Description in the cell.
  - VBA compiling the imported module: a parameter named with a VBA reserved
    word fails the whole module, so none of its functions exist (#NAME?).
  - Dynamic arrays: an array result spills from the formula cell (#SPILL! when
    a cell in the way is not empty); Excel without dynamic arrays (2016/2019)
    shows only the top-left value (xlwings #511, #986), Version "16.0" either
    way, only WorksheetFunction.Unique tells them apart.
  - A VBA module written into a workbook without "Trust access to the VBA
    project object model" raises com_error on VBProject.
What runs for real: everything in xlwings and xlbilling above these objects.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_EVEN, Decimal

import pythoncom
import pywintypes
from win32com.client import CDispatch

MAX_ROWS, MAX_COLS = 1_048_576, 16_384
XLSTART = __import__("tempfile").mkdtemp(prefix="fake-XLSTART-")   # a real folder: files are copied there
# A saved workbook's VBA modules, by file name: the model does not write VBA into
# the file, so reopening a file (even a copy) finds the modules saved under its name.
SAVED_VBA: dict[str, dict] = {}
SCODE_BASE = 0x800A0000 - (1 << 32)
ERRORS = {"#NULL!": 2000, "#DIV/0!": 2007, "#VALUE!": 2015, "#REF!": 2023, "#NAME?": 2029, "#NUM!": 2036,
          "#N/A": 2042, "#GETTING_DATA": 2043, "#SPILL!": 2045, "#CONNECT!": 2046, "#BLOCKED!": 2047,
          "#UNKNOWN!": 2048, "#FIELD!": 2049, "#CALC!": 2050}
ERROR_TEXT = {n: t for t, n in ERRORS.items()}
DISP_E_PARAMNOTFOUND = -2147352572
RANGE_IID = "{00020846-0000-0000-C000-000000000046}"
EPOCH = dt.datetime(1899, 12, 30)


class XlError:
    """An error value in a cell (#N/A, #SPILL!, ...), by its XlCVError number."""

    __slots__ = ("number",)

    def __init__(self, number: int):
        self.number = number

    @classmethod
    def of(cls, text: str) -> "XlError":
        return cls(ERRORS[text])

    @property
    def scode(self) -> int:
        return SCODE_BASE + self.number

    @property
    def text(self) -> str:
        return ERROR_TEXT.get(self.number, f"#ERR{self.number}")

    def __eq__(self, other):
        return isinstance(other, XlError) and other.number == self.number

    def __hash__(self):
        return hash(self.number)

    def __repr__(self):
        return f"XlError({self.text})"


def scode(number: int) -> int:
    return SCODE_BASE + number


def serial(value: dt.datetime) -> float:
    delta = value - EPOCH
    return delta.days + delta.seconds / 86400


def from_serial(number: float) -> dt.datetime:
    return EPOCH + dt.timedelta(days=number)


def is_currency_format(fmt: str) -> bool:
    """Excel returns VT_CY through Range.Value for Currency and Accounting formats."""
    return bool(re.search(r"[$€£¥]|\[\$|_\(", fmt or ""))


def is_date_format(fmt: str) -> bool:
    f = re.sub(r'"[^"]*"|\[[^\]]*\]', "", (fmt or "").lower())
    return bool(re.search(r"[dy]|m{3,}|(^|[^h])mm?([^:]|$)", f)) and not is_currency_format(fmt)


def com(obj):
    """An object argument as pywin32 passes it: through its _oleobj_, so a wrapper
    (xlwings' COMRetryObjectWrapper) arrives as the object behind it."""
    if obj is None or isinstance(obj, CDispatch):
        return obj
    ole = getattr(obj, "_oleobj_", None)
    return getattr(ole, "_obj", obj) if ole is not None else obj


def cy(value: float) -> Decimal:
    """VT_CY as pywin32 returns it: the double rounded to 1/10000 (half-even), as a Decimal."""
    units = (Decimal(repr(value)) * 10000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return Decimal(int(units)) / 10000


# --------------------------------------------------------------------------- cells

class Cell:
    __slots__ = ("value", "formula", "number_format", "spilled_from")

    def __init__(self):
        self.value = None          # float | bool | str | dt.datetime | XlError | None
        self.formula = None        # "=..." or None
        self.number_format = "General"
        self.spilled_from = None   # (row, col) of the formula whose array shows here


def _a1(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref.strip())
    if not m:
        raise pywintypes.com_error(-2147352567, "Exception occurred.", (0, None, f"bad address {ref}", None, 0,
                                                                         -2146827284), None)
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def col_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A1', 'A1:B3', 'M:M', '2:2' -> (row, col, nrows, ncols)."""
    ref = ref.replace("$", "").strip()
    if "!" in ref:
        ref = ref.split("!", 1)[1]
    m = re.fullmatch(r"([A-Za-z]{1,3}):([A-Za-z]{1,3})", ref)
    if m:
        c1, c2 = _a1(m.group(1) + "1")[1], _a1(m.group(2) + "1")[1]
        return 1, min(c1, c2), MAX_ROWS, abs(c2 - c1) + 1
    m = re.fullmatch(r"(\d+):(\d+)", ref)
    if m:
        r1, r2 = int(m.group(1)), int(m.group(2))
        return min(r1, r2), 1, abs(r2 - r1) + 1, MAX_COLS
    if ":" in ref:
        a, b = ref.split(":", 1)
        (r1, c1), (r2, c2) = _a1(a), _a1(b)
        return min(r1, r2), min(c1, c2), abs(r2 - r1) + 1, abs(c2 - c1) + 1
    r, c = _a1(ref)
    return r, c, 1, 1


# --------------------------------------------------------------------------- objects

class Application(CDispatch):
    _com_name = "_Application"

    def __init__(self, version="16.0", dynamic_arrays=True, hwnd=1001):
        self.Version = version
        self.dynamic_arrays = dynamic_arrays
        self.Hwnd = hwnd
        self.Name = "Microsoft Excel"
        self.Workbooks = Workbooks(self)
        self.Caller = None
        self.ScreenUpdating = True
        self.DisplayAlerts = True
        self.EnableEvents = True
        self.StatusBar = False
        self.Calculation = -4105
        self.Visible = True
        self.Interactive = True
        self.open_responses: list = []
        self.open_requests: list = []
        self.macro_options: dict = {}
        self.run_calls: list = []
        self.alerts: list = []
        self.trust_vba = True
        self.StartupPath = XLSTART
        self.quit_called = False

    @property
    def Application(self):
        return self

    @property
    def ActiveWorkbook(self):
        return self.Workbooks.active

    @property
    def ActiveSheet(self):
        book = self.ActiveWorkbook
        return None if book is None else book.active_sheet

    @property
    def WorksheetFunction(self):
        return WorksheetFunction(self.dynamic_arrays)

    def Run(self, macro, *args):
        self.run_calls.append((macro, args))
        raise pywintypes.com_error(-2147352567, "Exception occurred.",
                                   (0, "Microsoft Excel", f"Cannot run the macro '{macro}' (fake Excel)", None, 0,
                                    -2146827284), None)

    def MacroOptions(self, Macro=None, Description=None, ArgumentDescriptions=None, Category=None, **kwargs):
        self.macro_options[Macro] = {"Description": Description, "ArgumentDescriptions": ArgumentDescriptions,
                                     "Category": Category}

    def GetOpenFilename(self, FileFilter=None, FilterIndex=None, Title=None, *args, **kwargs):
        self.open_requests.append(Title)
        return self.open_responses.pop(0) if self.open_responses else False

    def Calculate(self):
        for book in self.Workbooks.books:
            book.calculate()

    CalculateFull = Calculate
    CalculateFullRebuild = Calculate

    def Quit(self):
        self.quit_called = True

    def Intersect(self, a, b):
        return a


class WorksheetFunction(CDispatch):
    _com_name = "WorksheetFunction"

    def __init__(self, dynamic_arrays):
        self._dynamic = dynamic_arrays

    def __getattr__(self, name):
        if name == "Unique" and self._dynamic:
            return lambda *a: a[0]
        raise AttributeError(name)           # late binding: unknown member


class Workbooks(CDispatch):
    _com_name = "Workbooks"

    def __init__(self, app):
        self.app = app
        self.books: list[Workbook] = []
        self.active = None

    @property
    def Count(self):
        return len(self.books)

    def Add(self, *args):
        book = Workbook(self.app, f"Book{len(self.books) + 1}")
        book.Worksheets.Add()
        self.books.append(book)
        self.active = book
        return book

    def Open(self, Filename, *args, **kwargs):
        import os
        name = os.path.basename(Filename.replace("\\", "/"))
        for book in self.books:
            if book.Name.lower() == name.lower():
                return book
        book = Workbook(self.app, name, Filename)
        book.Worksheets.Add()
        book._vbproject.VBComponents.components.update(SAVED_VBA.get(name.lower(), {}))
        self.books.append(book)
        self.active = book
        return book

    def __call__(self, key):
        return self.Item(key)

    def Item(self, key):
        if isinstance(key, int):
            return self.books[key - 1]
        for book in self.books:
            if book.Name.lower() == str(key).lower():
                return book
        raise pywintypes.com_error(-2147352565, "Invalid index.", None, None)

    def __iter__(self):
        return iter(list(self.books))


class Workbook(CDispatch):
    _com_name = "_Workbook"

    def __init__(self, app, name, fullname=None):
        self.Application = app
        self.Name = name
        self._fullname = fullname or name
        self.Worksheets = Worksheets(self)
        self.active_sheet = None
        self._vbproject = VBProject(self)
        self.saved = 0
        self.closed = False

    @property
    def FullName(self):
        return self._fullname

    @property
    def Path(self):
        full = self._fullname
        if "://" in full:
            return full.rsplit("/", 1)[0]
        if "\\" in full or "/" in full:
            return re.split(r"[\\/][^\\/]*$", full)[0]
        return ""

    @property
    def Sheets(self):
        return self.Worksheets

    @property
    def Parent(self):
        return self.Application

    @property
    def ActiveSheet(self):
        return self.active_sheet

    @property
    def VBProject(self):
        if not self.Application.trust_vba:
            raise pywintypes.com_error(-2147352567, "Exception occurred.",
                                       (0, "Microsoft Excel", "Programmatic access to Visual Basic Project is not"
                                        " trusted\n", None, 0, -2146827284), None)
        return self._vbproject

    def Save(self):
        self.saved += 1
        SAVED_VBA[self.Name.lower()] = dict(self._vbproject.VBComponents.components)

    def SaveAs(self, *args, **kwargs):
        self.saved += 1

    def Close(self, SaveChanges=None):
        self.closed = True
        self.Application.Workbooks.books.remove(self)
        if self.Application.Workbooks.active is self:
            books = self.Application.Workbooks.books
            self.Application.Workbooks.active = books[-1] if books else None

    def Activate(self):
        self.Application.Workbooks.active = self

    def calculate(self):
        for sheet in self.Worksheets.sheets:
            sheet.calculate()


class Worksheets(CDispatch):
    _com_name = "Sheets"

    def __init__(self, book):
        self.book = book
        self.sheets: list[Worksheet] = []

    @property
    def Count(self):
        return len(self.sheets)

    @property
    def Parent(self):
        return self.book

    def Add(self, Before=None, After=None, **kwargs):
        Before, After = com(Before), com(After)
        n = len(self.sheets) + 1
        names = {s.Name.lower() for s in self.sheets}
        while f"sheet{n}" in names:
            n += 1
        sheet = Worksheet(self.book, f"Sheet{n}")
        if Before is not None:
            self.sheets.insert(self.sheets.index(Before), sheet)
        elif After is not None:
            self.sheets.insert(self.sheets.index(After) + 1, sheet)
        else:
            self.sheets.append(sheet)
        self.book.active_sheet = sheet
        return sheet

    def __call__(self, key):
        return self.Item(key)

    def Item(self, key):
        if isinstance(key, int):
            if 1 <= key <= len(self.sheets):
                return self.sheets[key - 1]
        else:
            for sheet in self.sheets:
                if sheet.Name.lower() == str(key).lower():
                    return sheet
        raise pywintypes.com_error(-2147352565, "Invalid index.", None, None)

    def __iter__(self):
        return iter(list(self.sheets))


class Worksheet(CDispatch):
    _com_name = "_Worksheet"

    def __init__(self, book, name):
        self.book = book
        self._name = name
        self.cells: dict[tuple[int, int], Cell] = {}
        self.Visible = -1

    @property
    def Name(self):
        return self._name

    @Name.setter
    def Name(self, value):
        if any(s.Name.lower() == value.lower() for s in self.book.Worksheets.sheets if s is not self):
            raise pywintypes.com_error(-2147352567, "Exception occurred.",
                                       (0, "Microsoft Excel", "That name is already taken.", None, 0, -2146827284),
                                       None)
        self._name = value

    @property
    def Parent(self):
        return self.book

    @property
    def Application(self):
        return self.book.Application

    @property
    def Index(self):
        return self.book.Worksheets.sheets.index(self) + 1

    def Activate(self):
        self.book.active_sheet = self

    Select = Activate

    def Delete(self):
        self.book.Worksheets.sheets.remove(self)

    def Move(self, Before=None, After=None):
        Before, After = com(Before), com(After)
        sheets = self.book.Worksheets.sheets
        sheets.remove(self)
        if Before is not None:
            sheets.insert(sheets.index(Before), self)
        elif After is not None:
            sheets.insert(sheets.index(After) + 1, self)
        else:
            sheets.append(self)

    @property
    def ListObjects(self):
        if not hasattr(self, "_tables"):
            self._tables = ListObjects(self)
        return self._tables

    def Range(self, first, second=None):
        first, second = com(first), com(second)
        if second is None:
            if isinstance(first, Range):
                return first
            return Range(self, *parse_range(first))
        a = first if isinstance(first, Range) else Range(self, *parse_range(first))
        b = second if isinstance(second, Range) else Range(self, *parse_range(second))
        r1, c1 = min(a.row, b.row), min(a.col, b.col)
        r2 = max(a.row + a.nrows - 1, b.row + b.nrows - 1)
        c2 = max(a.col + a.ncols - 1, b.col + b.ncols - 1)
        return Range(self, r1, c1, r2 - r1 + 1, c2 - c1 + 1)

    @property
    def Cells(self):
        """Worksheet.Cells: every cell; Cells(row, col) is one (COM's default member)."""
        return Range(self, 1, 1, MAX_ROWS, MAX_COLS)

    @property
    def UsedRange(self):
        used = [k for k, c in self.cells.items() if c.value is not None or c.formula]
        if not used:
            return Range(self, 1, 1, 1, 1)
        r1 = min(r for r, _ in used)
        c1 = min(c for _, c in used)
        r2 = max(r for r, _ in used)
        c2 = max(c for _, c in used)
        return Range(self, r1, c1, r2 - r1 + 1, c2 - c1 + 1)

    # --- test helpers (not Excel) ---
    def cell(self, row, col, create=False) -> Cell | None:
        got = self.cells.get((row, col))
        if got is None and create:
            got = self.cells[(row, col)] = Cell()
        return got

    def calculate(self):
        from formula import evaluate_cell
        for (row, col), c in sorted(self.cells.items()):
            if c.formula:
                evaluate_cell(self, row, col)


class Range(CDispatch):
    _com_name = "Range"
    _com_iid = RANGE_IID

    def __init__(self, sheet, row, col, nrows, ncols):
        self.sheet, self.row, self.col, self.nrows, self.ncols = sheet, row, col, nrows, ncols

    def __repr__(self):
        return f"<fake Range {self.sheet.Name}!{self.Address}>"

    # --- geometry
    @property
    def Worksheet(self):
        return self.sheet

    Parent = Worksheet

    @property
    def Application(self):
        return self.sheet.Application

    @property
    def Row(self):
        return self.row

    @property
    def Column(self):
        return self.col

    @property
    def Count(self):
        return self.nrows * self.ncols

    @property
    def Rows(self):
        return _Lines(self, rows=True)

    @property
    def Columns(self):
        return _Lines(self, rows=False)

    @property
    def Address(self):
        return self.GetAddress()

    def GetAddress(self, RowAbsolute=True, ColumnAbsolute=True, ReferenceStyle=1, External=False, *args):
        def one(r, c):
            return f"${col_letters(c)}${r}"
        text = one(self.row, self.col)
        if self.nrows * self.ncols > 1:
            text += ":" + one(self.row + self.nrows - 1, self.col + self.ncols - 1)
        if External:
            text = f"[{self.sheet.book.Name}]{self.sheet.Name}!{text}"
        return text

    def Cells(self, row, col):
        return Range(self.sheet, self.row + int(row) - 1, self.col + int(col) - 1, 1, 1)

    def Resize(self, RowSize=None, ColumnSize=None):
        return Range(self.sheet, self.row, self.col, RowSize or self.nrows, ColumnSize or self.ncols)

    def Offset(self, RowOffset=0, ColumnOffset=0):
        return Range(self.sheet, self.row + RowOffset, self.col + ColumnOffset, self.nrows, self.ncols)

    def Item(self, row, col=None):
        if col is None:
            r, c = divmod(int(row) - 1, self.ncols)
            return self.Cells(r + 1, c + 1)
        return self.Cells(row, col)

    def __call__(self, row, col=None):
        return self.Item(row, col)

    def _positions(self):
        for r in range(self.row, self.row + self.nrows):
            for c in range(self.col, self.col + self.ncols):
                yield r, c

    # --- values
    def _read(self, convert):
        cells = self.sheet.cells
        c1, c2 = self.col, self.col + self.ncols - 1
        r1, r2 = self.row, self.row + self.nrows - 1
        blank_row = (None,) * self.ncols
        rows = [blank_row] * self.nrows            # only stored cells cost anything (whole columns)
        for r in sorted({r for (r, c) in cells if r1 <= r <= r2 and c1 <= c <= c2}):
            rows[r - r1] = tuple(convert(cells.get((r, c))) for c in range(c1, c2 + 1))
        if self.nrows == 1 and self.ncols == 1:
            return rows[0][0]
        return tuple(rows)

    @property
    def Value(self):
        return self._read(_value_of)

    @Value.setter
    def Value(self, data):
        self._write(data)

    @property
    def Value2(self):
        return self._read(_value2_of)

    @Value2.setter
    def Value2(self, data):
        self._write(data)

    def _write(self, data):
        rows = _as_rows(data, self.nrows, self.ncols)
        formulas = []
        for i, row in enumerate(rows):
            for j, item in enumerate(row):
                cell = self.sheet.cell(self.row + i, self.col + j, create=True)
                cell.formula = None
                cell.value = _stored(item)
                if isinstance(item, str) and item.startswith("=") and len(item) > 1:
                    cell.formula, cell.value = item, None
                    formulas.append((self.row + i, self.col + j))
        # Automatic calculation, simplified: the formulas just entered are calculated;
        # dependents wait for Application.Calculate (the model has no dependency tree).
        from formula import evaluate_cell
        for r, c in formulas:
            evaluate_cell(self.sheet, r, c)

    @property
    def Formula(self):
        c = self.sheet.cell(self.row, self.col)
        if c is None:
            return ""
        return c.formula or ("" if c.value is None else str(c.value))

    @Formula.setter
    def Formula(self, text):
        self._write(text)

    Formula2 = Formula

    @property
    def FormulaArray(self):
        return self.Formula

    @property
    def HasFormula(self):
        c = self.sheet.cell(self.row, self.col)
        return bool(c and c.formula)

    @property
    def NumberFormat(self):
        c = self.sheet.cell(self.row, self.col)
        return "General" if c is None else c.number_format

    @NumberFormat.setter
    def NumberFormat(self, fmt):
        for r, c in self._positions():
            self.sheet.cell(r, c, create=True).number_format = fmt

    @property
    def Text(self):
        v = self.Value2 if self.Count == 1 else None
        return "" if v is None else str(v)

    def _stored_positions(self):
        r2, c2 = self.row + self.nrows - 1, self.col + self.ncols - 1
        return [(r, c) for (r, c) in self.sheet.cells if self.row <= r <= r2 and self.col <= c <= c2]

    def ClearContents(self):
        for pos in self._stored_positions():
            c = self.sheet.cells[pos]
            c.value, c.formula, c.spilled_from = None, None, None

    def Clear(self):
        for pos in self._stored_positions():
            self.sheet.cells.pop(pos, None)



class _Lines(CDispatch):
    _com_name = "Range"
    _com_iid = RANGE_IID

    def __init__(self, rng, rows):
        self.rng, self.rows = rng, rows

    @property
    def Count(self):
        return self.rng.nrows if self.rows else self.rng.ncols

    def Item(self, i):
        r = self.rng
        if self.rows:
            return Range(r.sheet, r.row + i - 1, r.col, 1, r.ncols)
        return Range(r.sheet, r.row, r.col + i - 1, r.nrows, 1)

    def __call__(self, i):
        return self.Item(i)


def _value_of(cell):
    """Range.Value of one cell, as pywin32 converts Excel's VARIANT."""
    if cell is None or cell.value is None:
        return None
    v = cell.value
    if isinstance(v, XlError):
        return v.scode                                    # VT_ERROR -> int
    if isinstance(v, dt.datetime):
        return pywintypes.Time(v.replace(tzinfo=dt.timezone.utc))   # VT_DATE -> tz-aware
    if isinstance(v, float) and is_date_format(cell.number_format):
        return pywintypes.Time(from_serial(v).replace(tzinfo=dt.timezone.utc))
    if isinstance(v, float) and is_currency_format(cell.number_format):
        return cy(v)                                      # VT_CY -> Decimal, 4 places
    return v


def _value2_of(cell):
    """Range.Value2: no currency or date types."""
    if cell is None or cell.value is None:
        return None
    v = cell.value
    if isinstance(v, XlError):
        return v.scode
    if isinstance(v, dt.datetime):
        return serial(v)
    return v


def _as_rows(data, nrows, ncols):
    if isinstance(data, (list, tuple)):
        if data and isinstance(data[0], (list, tuple)):
            return [list(r) for r in data]
        return [list(data)]
    return [[data] * ncols for _ in range(nrows)]


def _stored(item):
    """What Excel keeps for a value sent through Value/Value2 (pywin32 -> VARIANT)."""
    if item is None or item == "":
        return None
    if isinstance(item, XlError):
        return item
    if isinstance(item, bool):
        return item
    if isinstance(item, Decimal):
        return float(cy(float(item)))                      # pywin32 sends Decimal as VT_CY
    if isinstance(item, (int, float)):
        return float(item)
    if isinstance(item, dt.datetime):
        return item.replace(tzinfo=None)
    if isinstance(item, dt.date):
        return dt.datetime(item.year, item.month, item.day)
    if isinstance(item, str):
        if item.startswith("'"):
            return item[1:]
        if item.strip() in ERRORS:
            return XlError.of(item.strip())
        try:
            return float(item)
        except ValueError:
            return item
    raise TypeError(f"fake Excel: cannot store {type(item).__name__}")


class ListObject(CDispatch):
    _com_name = "ListObject"

    def __init__(self, sheet, name, rng, style=None):
        self.sheet, self.Name, self._range, self.TableStyle = sheet, name, rng, style

    @property
    def Range(self):
        return self._range

    @property
    def Parent(self):
        return self.sheet

    def Resize(self, rng):
        self._range = com(rng)

    def Delete(self):
        self.sheet.ListObjects.items.remove(self)


class ListObjects(CDispatch):
    _com_name = "ListObjects"

    def __init__(self, sheet):
        self.sheet = sheet
        self.items: list[ListObject] = []

    @property
    def Count(self):
        return len(self.items)

    def Item(self, key):
        if isinstance(key, int):
            return self.items[key - 1]
        for t in self.items:
            if t.Name.lower() == str(key).lower():
                return t
        raise pywintypes.com_error(-2147352565, "Invalid index.", None, None)

    __call__ = Item

    def __iter__(self):
        return iter(list(self.items))

    def Add(self, SourceType=1, Source=None, LinkSource=None, XlListObjectHasHeaders=None, Destination=None,
            TableStyleName=None):
        table = ListObject(self.sheet, f"Table{len(self.items) + 1}", com(Source), TableStyleName)
        self.items.append(table)
        return table


# --------------------------------------------------------------------------- loading a real .xlsx

def load_xlsx(app, path, name, fullname):
    """A saved workbook as Excel shows it after opening: values, formulas (not
    calculated), number formats and tables, read with openpyxl."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    book = Workbook(app, name, fullname)
    for ws in wb.worksheets:
        sheet = Worksheet(book, ws.title)
        book.Worksheets.sheets.append(sheet)
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                cell = sheet.cell(c.row, c.column, create=True)
                cell.number_format = c.number_format or "General"
                if isinstance(c.value, str) and c.value.startswith("="):
                    cell.formula = c.value
                else:
                    cell.value = _stored(c.value) if not isinstance(c.value, str) else c.value
        for table in ws.tables.values():
            sheet.ListObjects.items.append(ListObject(sheet, table.name, Range(sheet, *parse_range(table.ref))))
    wb.close()
    book.active_sheet = book.Worksheets.sheets[0]
    app.Workbooks.books.append(book)
    app.Workbooks.active = book
    return book


MESSAGES: list[tuple[str, str]] = []      # win32api.MessageBox calls: (title, text)


# --------------------------------------------------------------------------- VBA project

class VBProject(CDispatch):
    _com_name = "_VBProject"

    def __init__(self, book):
        self.book = book
        self.VBComponents = VBComponents(self)


class VBComponent(CDispatch):
    _com_name = "_VBComponent"

    def __init__(self, name, code):
        self.Name = name
        self.code = code


class VBComponents(CDispatch):
    _com_name = "_VBComponents"

    def __init__(self, project):
        self.project = project
        self.components: dict[str, VBComponent] = {}
        self.fail_import = False

    @property
    def Count(self):
        return len(self.components)

    def __call__(self, name):
        return self.Item(name)

    def Item(self, name):
        try:
            return self.components[name.lower()]
        except KeyError:
            raise pywintypes.com_error(-2147352567, "Exception occurred.",
                                       (0, "VBAProject", "Subscript out of range", None, 0, -2146828279),
                                       None) from None

    def Remove(self, component):
        self.components.pop(component.Name.lower(), None)

    def Import(self, path):
        if self.fail_import:
            raise pywintypes.com_error(-2147352567, "Exception occurred.",
                                       (0, None, None, None, 0, -2146827284), None)
        with open(path, encoding="utf-8") as f:
            code = f.read()
        m = re.search(r'Attribute VB_Name = "([^"]+)"', code)
        name = m.group(1) if m else "Module1"
        self.components[name.lower()] = VBComponent(name, code)
        return self.components[name.lower()]


# --------------------------------------------------------------------------- process-wide state

_APPS: list[Application] = []


def new_app(version="16.0", dynamic_arrays=True) -> Application:
    app = Application(version, dynamic_arrays, hwnd=1001 + len(_APPS) * 10)
    _APPS.append(app)
    return app


def find_window(parent, cls):
    """win32gui.FindWindowEx over the fake apps: XLMAIN hwnd -> XLDESK (hwnd+1) -> EXCEL7 (hwnd+2)."""
    for app in _APPS:
        if cls == "XLDESK" and parent == app.Hwnd:
            return app.Hwnd + 1
        if cls == "EXCEL7" and parent == app.Hwnd + 1:
            return app.Hwnd + 2
    return 0


def window_object(hwnd):
    """AccessibleObjectFromWindow on an EXCEL7 window: an object whose Application is the app."""
    for app in _APPS:
        if hwnd == app.Hwnd + 2:
            return _Window(app)
    raise OSError("fake Excel: no such window")


def pid_of(hwnd):
    for i, app in enumerate(_APPS):
        if hwnd in (app.Hwnd, app.Hwnd + 1, app.Hwnd + 2):
            return 4000 + i
    return 0


def open_book_anywhere(path):
    for app in _APPS:
        for book in app.Workbooks.books:
            if book.FullName == path:
                return book
    raise pywintypes.com_error(-2147221020, "Invalid syntax", None, None)


class _Window(CDispatch):
    _com_name = "Window"

    def __init__(self, app):
        self.Application = app


def dispatch_arg(value):
    """An object argument as a COM server receives it from VBA: a raw IDispatch."""
    return pythoncom.PyIDispatch(value) if isinstance(value, CDispatch) else value
