"""The fake Excel's calculation (tests/fakecom): just enough formula language for
xlbilling's catalogue examples and generated cells - numbers, "text", 20%,
TRUE/FALSE, error literals, A1 / A1:B3 / M:M references, {1;2;3} array
constants, + - * /, DATE, IFERROR, SUM, ISNUMBER, ISTEXT, N - and VBA UDFs,
which are called the way Excel calls the module xlwings generated (see
excel_model's docstring: modelled, not observed)."""
from __future__ import annotations

import datetime as dt
import re

import excel_model as xm
from excel_model import DISP_E_PARAMNOTFOUND, ERRORS, XlError, serial

_TOKEN = re.compile(r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+) |
    (?P<str>"(?:[^"]|"")*") |
    (?P<err>\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CONNECT!|BLOCKED!|UNKNOWN!|FIELD!|CALC!)) |
    (?P<ref>(?:'[^']+'!|[A-Za-z_][\w ]*!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?(?![\w(])|
            (?:'[^']+'!|[A-Za-z_][\w]*!)?\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}(?![\w(])) |
    (?P<name>[A-Za-z_][\w.]*) |
    (?P<op>[-+*/%(),;{}&=<>])
)""", re.VERBOSE)
MISSING = object()


def tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SyntaxError(f"fake Excel cannot parse {text[pos:]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class Parser:
    def __init__(self, text, sheet, caller):
        self.toks = tokens(text)
        self.i = 0
        self.sheet = sheet
        self.caller = caller

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise SyntaxError(f"expected {value!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def expr(self):
        left = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            left = _arith(op, left, self.term())
        return left

    def term(self):
        left = self.factor()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            left = _arith(op, left, self.factor())
        return left

    def factor(self):
        if self.peek()[1] == "-":
            self.take()
            return _arith("-", 0.0, self.factor())
        if self.peek()[1] == "+":
            self.take()
            return self.factor()
        value = self.primary()
        while self.peek()[1] == "%":
            self.take()
            value = _arith("/", value, 100.0)
        return value

    def primary(self):
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "err":
            return XlError.of(text)
        if kind == "ref":
            return self.reference(text)
        if kind == "op" and text == "(":
            value = self.expr()
            self.take(")")
            return value
        if kind == "op" and text == "{":
            return self.array()
        if kind == "name":
            if text.upper() in ("TRUE", "FALSE") and self.peek()[1] != "(":
                return text.upper() == "TRUE"
            self.take("(")
            args = []
            if self.peek()[1] != ")":
                while True:
                    if self.peek()[1] in (",", ")"):
                        args.append(MISSING)
                    else:
                        args.append(self.expr())
                    if self.peek()[1] == ",":
                        self.take()
                        continue
                    break
            self.take(")")
            return call(text.upper(), args, self.sheet, self.caller)
        raise SyntaxError(f"unexpected {text!r}")

    def array(self):
        rows, row = [], []
        while True:
            value = self.factor()
            row.append(value)
            sep = self.take()[1]
            if sep == ",":
                continue
            rows.append(row)
            row = []
            if sep == ";":
                continue
            if sep == "}":
                return rows
            raise SyntaxError("bad array constant")

    def reference(self, text):
        sheet = self.sheet
        if "!" in text:
            name, text = text.rsplit("!", 1)
            sheet = sheet.book.Worksheets.Item(name.strip("'"))
        return xm.Range(sheet, *xm.parse_range(text))


def _scalar(value):
    if isinstance(value, xm.Range):
        if value.Count != 1:
            return XlError.of("#VALUE!")
        c = value.sheet.cell(value.row, value.col)
        return None if c is None else c.value
    if isinstance(value, list):
        return value[0][0]
    return value


def _number(value):
    value = _scalar(value)
    if value is None:
        return 0.0
    if isinstance(value, XlError):
        return value
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return serial(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return XlError.of("#VALUE!")        # text in arithmetic: #VALUE! (Excel)


def _arith(op, a, b):
    x, y = _number(a), _number(b)
    for v in (x, y):
        if isinstance(v, XlError):
            return v
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if y == 0:
        return XlError.of("#DIV/0!")
    return x / y


def _cells(value):
    if isinstance(value, xm.Range):
        return [(c.value if c else None) for c in (value.sheet.cell(r, k) for r, k in value._positions())]
    if isinstance(value, list):
        return [v for row in value for v in row]
    return [value]


def call(name, args, sheet, caller):
    app = sheet.Application
    if name == "DATE":
        y, m, d = (int(_number(a)) for a in args)
        return serial(dt.datetime(y, m, d))
    if name == "IFERROR":
        first = args[0]
        v = _scalar(first) if not isinstance(first, list) else first
        if isinstance(v, XlError):
            return args[1]
        return first
    if name == "SUM":
        total = 0.0
        for a in args:
            for v in _cells(a) if isinstance(a, (xm.Range, list)) else [_number(a)]:
                if isinstance(v, XlError):
                    return v
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    total += v                 # text and TRUE in a range are skipped (Excel)
        return total
    if name == "ISNUMBER":
        v = _scalar(args[0])
        return isinstance(v, float) and not isinstance(v, bool)
    if name == "ISTEXT":
        return isinstance(_scalar(args[0]), str)
    if name == "N":
        v = _scalar(args[0])
        return v if isinstance(v, float) and not isinstance(v, bool) else (v if isinstance(v, XlError) else 0.0)
    if name in ("SUMIFS", "COUNTIFS", "HYPERLINK", "ROUND", "TEXT", "IF", "AND", "OR", "ABS", "MAX", "MIN"):
        raise SyntaxError(f"the fake Excel does not calculate {name}")
    return call_vba(name, args, sheet, caller)


# --------------------------------------------------------------------------- VBA UDFs

_FUNC = re.compile(r"^Function (\w+)\(([^)]*)\)", re.MULTILINE)
_CALL = re.compile(r'XLPy\.CallUDF\("([^"]+)", "(\w+)", Array\(([^)]*)\), (\w+), Application\.Caller\)')


def vba_functions(app):
    """Functions of every xlwings_udfs module in the open workbooks that compiles.
    A module with a parameter named after a VBA reserved word does not compile:
    none of its functions exist (modelled on VBA's compile-on-demand)."""
    import vba_words

    found = {}
    for book in app.Workbooks.books:
        comp = book._vbproject.VBComponents.components.get("xlwings_udfs")
        if comp is None:
            continue
        functions = {}
        ok = True
        for m in _FUNC.finditer(comp.code):
            params = [p.strip() for p in m.group(2).split(",") if p.strip()]
            names = [p.split()[-1].rstrip("()") for p in params]
            if any(not vba_words.is_legal_parameter(n) for n in names):
                ok = False
            body = comp.code[m.end():comp.code.index("End Function", m.end())]
            cm = _CALL.search(body)
            functions[m.group(1).upper()] = (m.group(1), names, ["Optional" in p.split() for p in params],
                                             cm.group(1) if cm else None)
        if ok:
            found.update(functions)
    return found


def _variant(value):
    """A formula argument as Excel hands it to a VBA Variant parameter, as pywin32
    then gives it to the COM server."""
    if isinstance(value, xm.Range):
        return xm.dispatch_arg(value)
    if isinstance(value, XlError):
        return value.scode
    if isinstance(value, list):
        return tuple(tuple(_variant(v) for v in row) for row in value)
    return value


def call_vba(name, args, sheet, caller):
    from xlwings.com_server import XLPython

    app = sheet.Application
    function = vba_functions(app).get(name)
    if function is None:
        return XlError.of("#NAME?")
    fname, params, optional, module = function
    if len(args) > len(params):
        return XlError.of("#VALUE!")
    values = []
    for i, param in enumerate(params):
        given = args[i] if i < len(args) else MISSING
        if given is MISSING:
            if not optional[i]:
                return XlError.of("#VALUE!")
            values.append(DISP_E_PARAMNOTFOUND)
        else:
            values.append(_variant(given))
    app.Caller = caller
    try:
        result = XLPython().CallUDF(module, fname, tuple(values), xm.dispatch_arg(app.ActiveWorkbook),
                                    xm.dispatch_arg(caller))
    except Exception as exc:  # noqa: BLE001 - VBA: On Error GoTo failed -> NAME = Err.Description
        return f"{type(exc).__name__}: {exc}"
    finally:
        app.Caller = None
    return _from_variant(result)


def _from_variant(result):
    """What VBA's Variant result becomes in Excel: 2-D array, 1-D array = one row, scalar."""
    if isinstance(result, (list, tuple)):
        if result and isinstance(result[0], (list, tuple)):
            return [[_from_variant(v) for v in row] for row in result]
        return [[_from_variant(v) for v in result]]
    if isinstance(result, int) and not isinstance(result, bool):
        return float(result)
    if result is None:
        return None
    if type(result).__name__ == "VARIANT":
        # NOT OBSERVED: whether a VT_ERROR returned by the COM server reaches the
        # cell as an error through the xlwings DLL and VBA (xlwings #776 says no).
        raise NotImplementedError("fake Excel does not model VARIANT results")
    return result


def pywintypes_error():
    import pywintypes
    return pywintypes.com_error


def evaluate_cell(sheet, row, col):
    cell = sheet.cell(row, col)
    # clear this formula's previous spill
    for (r, c), other in list(sheet.cells.items()):
        if other.spilled_from == (row, col):
            other.value, other.spilled_from = None, None
    caller = xm.Range(sheet, row, col, 1, 1)
    try:
        value = Parser(cell.formula[1:], sheet, caller).expr()
    except (SyntaxError, KeyError, ValueError, TypeError, IndexError, pywintypes_error()):
        cell.value = None             # a formula the fake cannot calculate (SUMIFS, ...): left uncalculated
        return
    if isinstance(value, xm.Range):
        value = [[c.value if c else None for c in (sheet.cell(r, k) for k in range(value.col, value.col + value.ncols))]
                 for r in range(value.row, value.row + value.nrows)] if value.Count > 1 else _scalar(value)
    if not isinstance(value, list):
        cell.value = value
        return
    if len(value) == 1 and len(value[0]) == 1:
        cell.value = value[0][0]
        return
    app = sheet.Application
    if not app.dynamic_arrays:
        cell.value = value[0][0]          # Excel 2016/2019: only the top-left value shows (xlwings #511)
        return
    for i, line in enumerate(value):
        for j, _ in enumerate(line):
            if (i, j) != (0, 0):
                other = sheet.cell(row + i, col + j)
                if other is not None and (other.value is not None or other.formula) and other.spilled_from is None:
                    cell.value = XlError.of("#SPILL!")
                    return
    for i, line in enumerate(value):
        for j, v in enumerate(line):
            target = sheet.cell(row + i, col + j, create=True)
            target.value = v
            if (i, j) != (0, 0):
                target.spilled_from = (row, col)
