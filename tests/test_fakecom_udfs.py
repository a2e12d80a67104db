"""The Excel functions through xlwings 0.37.8's real Windows code (issue 9).

Each `scenario_*` below runs in a subprocess where sys.platform is "win32",
pywin32 and ctypes.windll are fakes (tests/fakecom/win) and xlwings is the
installed, unchanged package: `@xw.func/@xw.arg` are its real decorators,
`udfs.import_udfs -> generate_vba_wrapper` writes the VBA module,
`com_server.XLPython.CallUDF -> udfs.call_udf -> conversion.read` calls the
functions, and our ExcelCells converter reads the cells.

OBSERVED here (real code): what xlwings does with the COM values it is given -
the VBA text it generates, the argument conversion, `MacroOptions` calls, what
CallUDF returns.
MODELLED (tests/fakecom/win/excel_model.py, from Microsoft's and pywin32's
documentation and xlwings' issue tracker, not from Excel): what COM gives for a
cell (VT_CY Decimals with 4 decimals through Range.Value for Currency/Accounting
formats, exact doubles through Value2, tz-aware pywintypes dates through Value,
serials through Value2, error cells as scodes 0x800A0000 + XlCVError), how
Excel calls a VBA UDF (references as Range objects, DISP_E_PARAMNOTFOUND for an
omitted optional), VBA refusing to compile a reserved word as a parameter,
spilling (or, in Excel 2016/2019, showing only the top-left value).
NOT covered: the xlwings DLL, VBA itself, Excel's own calculation engine.

Expected values are worked out by hand in the comments.
"""
from __future__ import annotations

import fakecom

USD = "$#,##0.00"                        # Currency format
ACCOUNTING = '_($* #,##0.0000_);_($* (#,##0.0000);_($* "-"??_);_(@_)'
DATE = "yyyy-mm-dd"


# --------------------------------------------------------------------------- scenarios (run on "Windows")

def scenario_every_function_imports_and_the_module_compiles():
    from harness import Excel
    import vba_words
    import re

    xl = Excel()
    code = xl.import_udfs()
    functions = re.findall(r"^Function (\w+)\(([^)]*)\)", code, re.MULTILINE)
    names = sorted(f for f, _ in functions)
    assert names == sorted(["BILLABLE_GB", "IS_BILLABLE", "ENDPOINT_CHARGE", "ENDPOINT_TIER", "PRORATED_STORAGE",
                            "POOL_ALLOWANCE_GB", "STORAGE_OVERAGE_GB", "COST_PRICE", "RESELLER_PRICE",
                            "COMMITMENT_FEE", "CONVERT_CURRENCY", "AVERAGE_DAILY_USAGE", "ACRONIS_CANCEL_WINDOW",
                            "BILLED_USERS"]), names
    for name, params in functions:
        for p in params.split(","):
            word = p.split()[-1]
            assert vba_words.is_legal_parameter(word), (name, word)
    assert "Function ENDPOINT_CHARGE(servers, workstations, server_rate, workstation_rate, Optional currency_code)" \
        in code
    assert "Function ACRONIS_CANCEL_WINDOW(on_date)" in code
    # Function Wizard: every argument has its own help, none is "Positional argument N"
    options = xl.app.macro_options["'Billing.xlsx'!COST_PRICE"]
    assert options["Category"] == "xlbilling"
    assert options["ArgumentDescriptions"] == [
        "A number; required (a blank cell is an error). A cell, a value or a column.",
        "A fraction (20% = 0.2); required (a blank cell is an error). A cell, a value or a column."]
    for macro, opts in xl.app.macro_options.items():
        assert all("Positional argument" not in d for d in opts["ArgumentDescriptions"]), macro


def scenario_catalogue_examples_as_formulas():
    from harness import Excel

    xl = Excel()
    xl.import_udfs()
    xl.put_column("A2", [10.0, 20.0, 30.0])
    assert xl.formula("C1", '=BILLABLE_GB(120.5, 80.25, 1, "account", "Select")') == 80.25
    assert xl.formula("C2", "=IS_BILLABLE(0, 1)") is False
    assert xl.formula("C3", '=ENDPOINT_CHARGE(3, 12, 45, 12.5, "USD")') == 285.0        # 135 + 150
    assert xl.formula("C4", "=ENDPOINT_TIER(0, 1)") == "cloud-only"
    assert xl.formula("C5", '=PRORATED_STORAGE(100, DATE(2024,2,10), "", DATE(2024,2,1))') == 68.97  # 100x20/29
    assert xl.formula("C6", "=POOL_ALLOWANCE_GB(3, 12)") == 8400.0                     # 6000 + 2400
    assert xl.formula("C7", "=STORAGE_OVERAGE_GB(9000, 3, 12)") == 600.0
    assert xl.formula("C8", "=COST_PRICE(12.5, 20%)") == 10.0
    assert xl.formula("C9", '=RESELLER_PRICE(12.5, 20%, "margin", 37.5%)') == 16.0      # 10 / 0.625
    assert xl.formula("C10", '=COMMITMENT_FEE(850, 1000, "EUR")') == 150.0
    assert xl.formula("C11", '=CONVERT_CURRENCY(100, 161.23456, "JPY")') == 16123.0     # 16123.456 yen
    assert xl.formula("C12", "=AVERAGE_DAILY_USAGE(A2:A4, 30)") == 2.0                 # 60 / 30
    assert xl.formula("C13", "=ACRONIS_CANCEL_WINDOW(DATE(2024,2,29))") is True


# the catalogue examples' results, by hand (docs/udfs.md): 80.25 (compressed, account basis),
# FALSE (expired), 3x45 + 12x12.5 = 285, cloud-only, 100x20/29 = 68.97, 3x2000 + 12x200 = 8400,
# 9000 - 8400 = 600, 12.5x0.8 = 10, 10/0.625 = 16, 1000 - 850 = 150, 16123.456 -> 16123 yen,
# 60/30 = 2, 29 Feb 2024 -> TRUE, Ann Lee once + Bob Roe = 2
BY_HAND = [80.25, False, 285.0, "cloud-only", 68.97, 8400.0, 600.0, 10.0, 16.0, 150.0, 16123.0, 2.0, True, 2]


def scenario_every_function_with_scalars_single_cells_and_currency_cells():
    import datetime as dt
    from harness import Excel, R

    import xlbilling.excel.udfs as udfs
    from excel_model import serial
    for fmt in (None, USD, ACCOUNTING):
        xl = Excel()
        for (spec, _), expected in zip(udfs.CATALOGUE, BY_HAND):
            values = list(spec.example.values)
            while values and values[-1] is None:      # omitted optional arguments
                values.pop()
            scalars, cells = [], []
            for i, v in enumerate(values):
                ref = f"{chr(65 + i)}1"
                if isinstance(v, list):               # a column the example names
                    top = f"{chr(65 + i)}10"
                    xl.put_column(top, [row[0] for row in v])
                    rng = R(f"{top}:{chr(65 + i)}{9 + len(v)}")
                    scalars.append(rng)
                    cells.append(rng)
                    continue
                if isinstance(v, dt.datetime):        # DATE(...) in a formula passes its serial
                    scalars.append(serial(v))
                    xl.put(ref, v, DATE)
                else:
                    scalars.append(v)
                    xl.put(ref, v, fmt if isinstance(v, float) and fmt else None)
                cells.append(R(ref))
            got_scalar = xl.call(spec.name, *scalars)
            got_cells = xl.call(spec.name, *cells)
            for got in (got_scalar, got_cells):
                assert got == expected and type(got) is type(expected), (spec.name, fmt, got, expected)


def scenario_currency_and_accounting_cells_are_not_rounded_to_4_decimals():
    from harness import Excel, R

    xl = Excel()
    xl.put("A1", 12.345678, USD)
    xl.put("A2", 1.234567, ACCOUNTING)
    xl.put("A3", 0.00833, USD)
    assert str(xl.sheet.Range("A1").Value) == "12.3457"           # the model: what Range.Value would give
    assert xl.call("COST_PRICE", R("A1"), 0.2) == 9.8765424        # 12.345678 x 0.8 (not 12.3457 x 0.8 = 9.87656)
    assert xl.call("CONVERT_CURRENCY", 10000.0, R("A2"), "EUR") == 12345.67   # 10000 x 1.234567 (not 12346.00)
    assert xl.call("RESELLER_PRICE", R("A3"), 0.0, "markup", 0.2) == 0.009996  # 0.00833 x 1.2 (not 0.0083 x 1.2)
    # a column of currency cells, through a formula
    xl.import_udfs()
    xl.put_column("B1", [12.345678, 0.00833], USD)
    assert xl.formula("D1", "=COST_PRICE(B1:B2, 20%)") == [[9.8765424], [0.006664]]   # 0.00833 x 0.8


def scenario_date_cells_arrive_as_serials_and_work():
    import datetime as dt
    from harness import Excel, R

    xl = Excel()
    xl.put("A1", dt.datetime(2024, 2, 10), DATE)
    xl.put("A2", dt.datetime(2024, 2, 1), DATE)
    xl.put("A3", dt.datetime(2024, 2, 29), DATE)
    assert xl.sheet.Range("A1").Value2 == 45332.0                   # the model: Value2 is the serial
    assert xl.call("PRORATED_STORAGE", 100.0, R("A1"), None, R("A2")) == 68.97   # 100 x 20 / 29
    assert xl.call("ACRONIS_CANCEL_WINDOW", R("A3")) is True
    # a VBA caller passing a Date: a tz-aware pywintypes datetime
    import pywintypes
    day = pywintypes.Time(dt.datetime(2024, 2, 28, tzinfo=dt.timezone.utc))
    assert xl.call("ACRONIS_CANCEL_WINDOW", day) is False


def scenario_every_error_value_gives_an_error_never_a_number():
    from harness import ALL_ERRORS, Excel, R, err

    import xlbilling.excel.udfs as udfs
    xl = Excel()
    for n, text in enumerate(ALL_ERRORS, start=1):
        xl.put(f"E{n}", err(text))
        for spec, _ in udfs.CATALOGUE:
            for position in range(len(spec.args)):
                args = [1.0] * len(spec.args)
                args[position] = R(f"E{n}")
                result = xl.call(spec.name, *args)
                got = result if not isinstance(result, list) else result[0]
                assert isinstance(got, str) and got.startswith(text + " "), (spec.name, position, text, result)
        # the same error as a typed value (VT_ERROR), not a cell
        assert xl.call("COST_PRICE", err(text), 0.2).startswith(text + " ")
    # issue 9 item 2, the cases seen: all errors now
    assert xl.call("COMMITMENT_FEE", 850.0, err("#CALC!")) == \
        "#CALC! COMMITMENT_FEE: minimum_commitment is the error #CALC!"
    assert xl.call("CONVERT_CURRENCY", err("#SPILL!"), 1.3, "EUR") == \
        "#SPILL! CONVERT_CURRENCY: amount is the error #SPILL!"


def scenario_the_whole_error_scode_range_is_errors():
    from harness import Excel, R
    from excel_model import XlError

    xl = Excel()
    for number in range(2000, 2100):
        xl.put("A1", XlError(number))
        # CONVERT_CURRENCY takes negative amounts: a raw scode would come back as a number
        result = xl.call("CONVERT_CURRENCY", R("A1"), 1.0, "USD")
        assert isinstance(result, str) and result.startswith("#"), (number, result)
        assert "is the error #" in result, result


def scenario_error_cells_are_not_users_and_do_not_skip_the_basic_rule():
    from harness import Excel, R, err

    xl = Excel()
    xl.put("A1:A3", [["Mailbox"], ["Mailbox"], ["OneDrive"]])
    xl.put("B1:B2", [["Ann"], ["Bob"]])
    xl.put("B3", err("#SPILL!"))
    assert xl.call("BILLED_USERS", R("A1:A3"), R("B1:B3")) == \
        "#SPILL! BILLED_USERS: object_names cell 3 is the error #SPILL!"      # not 3 users
    xl.put("C1", err("#CALC!"))
    assert xl.call("BILLABLE_GB", 120.5, 80.25, 1.0, "compressed", R("C1")) == \
        "#CALC! BILLABLE_GB: plan is the error #CALC!"                       # not 80.25


def scenario_columns_rows_blocks_and_array_constants():
    from harness import Excel

    xl = Excel()
    xl.import_udfs()
    xl.put("A1:A3", [[12.5], [10.0], [4.0]])
    xl.put("C1:E1", [[12.5, 10.0, 4.0]])
    xl.put("G1:H2", [[1.0, 2.0], [3.0, 4.0]])
    # a column in: a column out (12.5 x 0.8, 10 x 0.8, 4 x 0.8)
    assert xl.formula("J1", "=COST_PRICE(A1:A3, 20%)") == [[10.0], [8.0], [3.2]]
    # a row in: a row out (was a column)
    assert xl.formula("J10", "=COST_PRICE(C1:E1, 20%)") == [[10.0, 8.0, 3.2]]
    # a block: the same shape
    assert xl.formula("J20", "=COST_PRICE(G1:H2, 50%)") == [[0.5, 1.0], [1.5, 2.0]]
    # array constants: {a;b} is a column, {a,b} a row
    assert xl.formula("J30", "=COST_PRICE({12.5;10}, 20%)") == [[10.0], [8.0]]
    assert xl.formula("J40", "=COST_PRICE({12.5,10}, 20%)") == [[10.0, 8.0]]
    # a row with a column: refused, one clear text
    assert xl.formula("J50", "=COST_PRICE(A1:A3, C1:E1)") == (
        "#VALUE! COST_PRICE: distributor_discount is a row (1 x 3) but sell_price is a column (3 x 1):"
        " give every range as a column, or every one as a row")
    # columns of several functions, scalars repeating
    xl.put("L1:L2", [[3.0], [1.0]])
    xl.put("M1:M2", [[12.0], [0.0]])
    assert xl.formula("N1", '=ENDPOINT_CHARGE(L1:L2, M1:M2, 45, 12.5, "USD")') == [[285.0], [45.0]]  # 135+150; 45


def scenario_whole_columns_stop_at_the_last_filled_row():
    from harness import Excel

    xl = Excel()
    xl.import_udfs()
    xl.put_column("M1", [12.5, 10.0, 4.0])
    # =COST_PRICE(M:M, 20%): 1,048,576 rows read, 3 results (12.5 x 0.8, 10 x 0.8, 4 x 0.8)
    assert xl.formula("P1", "=COST_PRICE(M:M, 20%)") == [[10.0], [8.0], [3.2]]
    # two whole columns: rows where either has a value
    xl.put_column("N1", [0.2, 0.5, 0.5, 0.1])
    assert xl.formula("R1", "=COST_PRICE(M:M, N:N)") == [[10.0], [5.0], [2.0],
                                                       ["#VALUE! COST_PRICE: sell_price is blank: expected a number"]]
    xl.put_column("S1", ["Mailbox", "Mailbox"])
    xl.put_column("T1", ["Ann", "Bob"])
    assert xl.formula("U1", "=BILLED_USERS(S:S, T:T)") == 2.0


def scenario_excel_2016_2019_says_so_instead_of_showing_one_row():
    from harness import Excel

    for version, dynamic in (("16.0", False), ("15.0", False)):
        xl = Excel(version=version, dynamic_arrays=dynamic)
        xl.import_udfs()
        xl.put("A1:A3", [[12.5], [10.0], [4.0]])
        shown = xl.formula("C1", "=COST_PRICE(A1:A3, 20%)")
        assert shown == ("#VALUE! COST_PRICE: the result has 3 x 1 cells but this Excel has no dynamic arrays"
                         " (Excel 2019 or older) and would show only the first: select 3 x 1 cells, type the"
                         " formula and press Ctrl+Shift+Enter, or use one formula per row"), (version, shown)
        assert xl.formula("C5", "=COST_PRICE(A1, 20%)") == 10.0        # one cell still works
    modern = Excel(version="16.0", dynamic_arrays=True)
    modern.import_udfs()
    modern.put("A1:A2", [[12.5], [10.0]])
    assert modern.formula("C1", "=COST_PRICE(A1:A2, 20%)") == [[10.0], [8.0]]


def scenario_book_caller_and_sys_path_from_the_real_code():
    import os
    import sys
    import xlwings
    import xlwings.utils
    from harness import Excel

    xl = Excel()
    # VBA's prepare_sys_path(args): "true;<active fullname>;<this fullname>;..." (OneDrive settings blank)
    before = list(sys.path)
    xlwings.utils.prepare_sys_path(r"true;C:\Billing\Billing.xlsx;C:\Addins\xlbilling.xlam;;;")
    added = [p for p in sys.path if p not in before]
    assert any(p.endswith("Billing") for p in added), added
    # Book.caller() as RunPython's command line passes it
    sys.argv = ["-c", "--wb=Billing.xlsx", "--from_xl=1", f"--app={sys.executable}", f"--hwnd={xl.app.Hwnd}"]
    book = xlwings.Book.caller()
    assert book.name == "Billing.xlsx" and book.fullname == r"C:\Billing\Billing.xlsx"


def scenario_generated_amount_cells_never_drop_out_of_a_total():
    from harness import Excel

    from xlbilling.core.money import D
    from xlbilling.writers.udf_cells import iferror
    # the formula xlsx.py writes for a server line: 2 servers x 15.00 USD = 30.00
    formula = iferror("ENDPOINT_CHARGE(E1,0,G1,0,K1)", D("30"))
    assert formula == "=IFERROR(ENDPOINT_CHARGE(E1,0,G1,0,K1),30)+0"
    without = Excel()                                   # no add-in functions: #NAME? -> the Python value
    without.put("E1", 2.0), without.put("G1", 15.0), without.put("K1", "USD")
    assert without.formula("A1", formula) == 30.0
    xl = Excel()
    xl.import_udfs()
    xl.put("E1", 2.0), xl.put("G1", 15.0), xl.put("K1", "USD")
    xl.put("A2", 10.0)
    assert xl.formula("A1", formula) == 30.0            # live: 2 x 15
    assert xl.formula("A3", "=SUM(A1:A2)") == 40.0
    xl.put("E1", "two")                                 # the UDF now fails with a text
    xl.app.Calculate()
    assert xl.shown("A1") == "#VALUE!"                  # text + 0: a real error, not a skipped text
    assert xl.shown("A3") == "#VALUE!"                  # the total shows it too
    # the shape before issue 9: the text stays text and the total silently drops it
    xl.formula("B1", "=IFERROR(ENDPOINT_CHARGE(E1,0,G1,0,K1),30)")
    assert xl.shown("B1").startswith("#VALUE! ENDPOINT_CHARGE: servers: expected a number")
    xl.put("B2", 10.0)
    assert xl.formula("B3", "=SUM(B1:B2)") == 10.0


def scenario_what_xlwings_passes_back_for_a_typed_com_value():
    # OBSERVED: xlwings 0.37.8's result conversion hands a win32com VARIANT back to
    # CallUDF unchanged, so a VT_ERROR could be returned; NOT OBSERVABLE here: whether
    # the xlwings DLL and VBA turn it into a cell error (xlwings #776 reports they do
    # not), which is why failures are texts and the generated cells add +0.
    import pythoncom
    import xlwings.conversion
    from win32com.client import VARIANT

    error = VARIANT(pythoncom.VT_ERROR, -2146826246)
    assert xlwings.conversion.write(error, None, {}) == [[error]]
    assert xlwings.conversion.write("#N/A text", None, {}) == [["#N/A text"]]


def scenario_an_add_in_installed_before_the_move_still_calls_its_functions():
    """An add-in built before the functions moved to xlbilling.excel.udfs: its VBA
    wrappers call CallUDF("xlbilling.udfs", ...) and its config names that module
    for Import functions.  Both still work through xlbilling/udfs.py."""
    import re

    import xlwings.udfs
    from harness import UDF_MODULE, Excel

    xl = Excel()
    new_code = xl.import_udfs()
    assert f'XLPy.CallUDF("{UDF_MODULE}", "COST_PRICE"' in new_code
    # the VBA module such an add-in holds: the same wrappers, naming the old module
    old_code = new_code.replace(f'"{UDF_MODULE}"', '"xlbilling.udfs"')
    xl.book._vbproject.VBComponents.components["xlwings_udfs"].code = old_code
    assert 'XLPy.CallUDF("xlbilling.udfs", "COST_PRICE"' in xl.book._vbproject.VBComponents.components[
        "xlwings_udfs"].code
    assert xl.formula("C1", "=COST_PRICE(12.5, 20%)") == 10.0                       # 12.5 x 0.8
    xl.put_column("A2", [10.0, 20.0, 30.0])
    assert xl.formula("C2", "=AVERAGE_DAILY_USAGE(A2:A4, 30)") == 2.0               # 60 / 30
    assert xl.formula("D1", "=COST_PRICE(A2:A3, 20%)") == [[8.0], [16.0]]           # a spilled column
    # Import functions with the old config's UDF Modules: the same 14 functions
    again = Excel()
    xlwings.udfs.import_udfs("xlbilling.udfs", again.book)
    code = again.book._vbproject.VBComponents.components["xlwings_udfs"].code
    functions = re.findall(r"^Function (\w+)\(", code, re.MULTILINE)
    assert sorted(functions) == sorted(re.findall(r"^Function (\w+)\(", new_code, re.MULTILINE))
    assert len(functions) == 14 and f'"{UDF_MODULE}"' not in code
    assert again.formula("A1", '=ENDPOINT_CHARGE(3, 12, 45, 12.5, "USD")') == 285.0  # 135 + 150


fakecom.scenario_tests(globals(), __file__)
