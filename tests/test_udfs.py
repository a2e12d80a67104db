"""The Excel functions called the way Excel calls them: floats, None for blank
cells, datetime from date cells, serial numbers from unformatted ones, 1-D and
2-D lists for ranges, error strings for error cells.  Expected values are
worked out by hand from the seeds (arithmetic in the comments)."""
from __future__ import annotations

import ast
import datetime as dt
import inspect
import pathlib
from decimal import Decimal

import pytest

from xlbilling.excel import udfs
from xlbilling.excel.cells import cell_text

FEB1 = dt.datetime(2024, 2, 1)          # a date cell: Excel sends datetime
FEB10 = dt.datetime(2024, 2, 10)
SERIAL_FEB1 = 45323.0                   # an unformatted date cell: 2024-02-01 as a serial number
SERIAL_FEB10 = 45332.0                  # 45323 + 9

ISSUE_ORDER = ["BILLABLE_GB", "IS_BILLABLE", "ENDPOINT_CHARGE", "ENDPOINT_TIER", "PRORATED_STORAGE",
               "POOL_ALLOWANCE_GB", "STORAGE_OVERAGE_GB", "COST_PRICE", "RESELLER_PRICE", "COMMITMENT_FEE",
               "CONVERT_CURRENCY", "AVERAGE_DAILY_USAGE", "ACRONIS_CANCEL_WINDOW", "BILLED_USERS"]


def column(*values):
    """A single-column range as xlwings passes it with ndim=2."""
    return [[v] for v in values]


# --- scalar calls, one table per function, values by hand ---------------------------

@pytest.mark.parametrize("call, expected", [
    # seeds/000 BILLABLE_GB: uncompressed 120.5, compressed 80.25
    (lambda: udfs.BILLABLE_GB(120.5, 80.25), 120.5),                          # defaults: uncompressed
    (lambda: udfs.BILLABLE_GB(120.5, 80.25, 1.0, "compressed"), 80.25),
    (lambda: udfs.BILLABLE_GB(120.5, 80.25, 1.0, "account", "Select"), 80.25),  # CanViewCompressed 1
    (lambda: udfs.BILLABLE_GB(120.5, 80.25, 0.0, "account"), 120.5),
    (lambda: udfs.BILLABLE_GB(120.5, 80.25, 1.0, "compressed", "Trial (Basic)"), 120.5),  # Basic: uncompressed
    (lambda: udfs.BILLABLE_GB(120.5, 80.25, None, None, None), 120.5),        # all blanks: defaults
    (lambda: udfs.BILLABLE_GB([[120.5]], [[80.25]], [[1.0]], [["account"]], [[None]]), 80.25),  # ndim=2 single cells
    (lambda: udfs.BILLABLE_GB(0.1 + 0.2, 0, 0, "uncompressed"), 0.3),         # no float artefact
    # seeds/000 IS_BILLABLE
    (lambda: udfs.IS_BILLABLE(0.0, 0.0), True),
    (lambda: udfs.IS_BILLABLE(1.0, 0.0), False),                              # deleted
    (lambda: udfs.IS_BILLABLE(0.0, 1.0), False),                              # expired trial
    (lambda: udfs.IS_BILLABLE(None, None), True),                             # blanks are 0
    (lambda: udfs.IS_BILLABLE(True, False), False),                           # TRUE/FALSE cells
    # seeds/002 ENDPOINT_CHARGE
    (lambda: udfs.ENDPOINT_CHARGE(3.0, 12.0, 45.0, 12.5), 285.0),             # 3 x 45 + 12 x 12.5 = 135 + 150
    (lambda: udfs.ENDPOINT_CHARGE(2.0, 5.0, 4500.0, 1234.5, "JPY"), 15173.0), # 9000 + 6172.5 -> 15173 yen
    (lambda: udfs.ENDPOINT_CHARGE(1.0, 1.0, 0.333, 0.333, None), 0.67),       # 0.666 USD (default) -> 0.67
    (lambda: udfs.ENDPOINT_CHARGE(1.0, 0.0, Decimal("19.995"), 0.0, "eur"), 20.0),  # Decimal from a currency cell
    # seeds/002 ENDPOINT_TIER
    (lambda: udfs.ENDPOINT_TIER(1.0, 1.0), "bundled"),
    (lambda: udfs.ENDPOINT_TIER(0.0, 1.0), "cloud-only"),
    (lambda: udfs.ENDPOINT_TIER(1.0, 0.0), "self-hosted"),
    (lambda: udfs.ENDPOINT_TIER(None, None), "self-hosted"),
    # seeds/002 PRORATED_STORAGE
    (lambda: udfs.PRORATED_STORAGE(100.0, FEB10, None, FEB1), 68.97),         # 100 x 20 / 29 = 68.9655
    (lambda: udfs.PRORATED_STORAGE(100.0, SERIAL_FEB10, "", SERIAL_FEB1), 68.97),  # serials, "" = blank
    (lambda: udfs.PRORATED_STORAGE(100.0, None, None, dt.datetime(2024, 2, 17)), 100.0),  # whole month
    (lambda: udfs.PRORATED_STORAGE(100.0, FEB10, FEB10, FEB1), 3.45),         # same day: 100 / 29 = 3.448
    (lambda: udfs.PRORATED_STORAGE(10000.0, dt.datetime(2024, 4, 1), dt.datetime(2024, 4, 10),
                                   dt.datetime(2024, 4, 1), "JPY"), 3333.0),  # 10000 x 10 / 30 = 3333.3
    (lambda: udfs.PRORATED_STORAGE(290.0, dt.datetime(2024, 3, 5), None, FEB1), 0.0),  # from March: nothing in Feb
    (lambda: udfs.PRORATED_STORAGE(100.0, "2024-02-10", None, "2024-02-01"), 68.97),   # ISO text dates
    # seeds/002 POOL_ALLOWANCE_GB / STORAGE_OVERAGE_GB
    (lambda: udfs.POOL_ALLOWANCE_GB(3.0, 12.0), 8400.0),                      # 3 x 2000 + 12 x 200
    (lambda: udfs.POOL_ALLOWANCE_GB(1.0, 1.0, 2048.0, None), 2248.0),         # 2048 + 200
    (lambda: udfs.STORAGE_OVERAGE_GB(9000.0, 3.0, 12.0), 600.0),              # 9000 - 8400
    (lambda: udfs.STORAGE_OVERAGE_GB(8000.0, 3.0, 12.0), 0.0),                # below the pool: never negative
    # seeds/001 COST_PRICE / RESELLER_PRICE (20% arrives as 0.2)
    (lambda: udfs.COST_PRICE(12.5, 0.2), 10.0),                               # 12.5 x 0.8
    (lambda: udfs.COST_PRICE(9.99, 0.15), 8.4915),                            # 9.99 x 0.85, unrounded
    (lambda: udfs.RESELLER_PRICE(12.5, 0.2), 12.5),                           # no rule: the sell price
    (lambda: udfs.RESELLER_PRICE(12.5, 0.2, "markup", 0.25), 12.5),           # 10 x 1.25
    (lambda: udfs.RESELLER_PRICE(12.5, 0.2, "margin", 0.375), 16.0),          # 10 / 0.625
    (lambda: udfs.RESELLER_PRICE(12.5, 0.2, "margin", 0.0), 10.0),            # margin 0: the cost
    (lambda: udfs.RESELLER_PRICE(12.5, 0.2, "margin", None), 10.0),           # blank rate = 0
    (lambda: udfs.RESELLER_PRICE(12.5, 0.2, "sell", 0.9), 11.25),             # 12.5 x 0.9
    (lambda: udfs.RESELLER_PRICE(12.5, 0.2, "margin", 0.3), 14.285714285714286),  # 10 / 0.7, unrounded
    # seeds/001 COMMITMENT_FEE / CONVERT_CURRENCY
    (lambda: udfs.COMMITMENT_FEE(850.0, 1000.0, "EUR"), 150.0),               # 1000 - 850
    (lambda: udfs.COMMITMENT_FEE(1000.0, 1000.0), 0.0),                       # exactly at the commitment
    (lambda: udfs.COMMITMENT_FEE(98765.4, 100000.0, "JPY"), 1235.0),          # 1234.6 -> 1235 yen
    (lambda: udfs.CONVERT_CURRENCY(100.0, 161.23456, "JPY"), 16123.0),        # 16123.456 -> whole yen
    (lambda: udfs.CONVERT_CURRENCY(19.99, 0.85123, "EUR"), 17.02),            # 17.0160877
    # seeds/004 AVERAGE_DAILY_USAGE / ACRONIS_CANCEL_WINDOW
    (lambda: udfs.AVERAGE_DAILY_USAGE(column(10.0, 20.0, 30.0), 30.0), 2.0),  # 60 / 30
    (lambda: udfs.AVERAGE_DAILY_USAGE([10.0, None, 20.0], 30.0), 1.0),        # 1-D list, blank day 0: 30 / 30
    (lambda: udfs.AVERAGE_DAILY_USAGE(column(*[1.0] * 28, None, None, None), 29.0), 28 / 29),  # 31-row range, Feb 2024
    (lambda: udfs.AVERAGE_DAILY_USAGE([[1.0, 2.0, 3.0]], 30.0), 0.2),         # a row of days: 6 / 30
    (lambda: udfs.ACRONIS_CANCEL_WINDOW(dt.datetime(2024, 2, 29)), True),     # last day of leap Feb
    (lambda: udfs.ACRONIS_CANCEL_WINDOW(dt.datetime(2024, 2, 28)), False),
    (lambda: udfs.ACRONIS_CANCEL_WINDOW(45353.0), True),                      # serial of 2024-03-02: the 2nd
    (lambda: udfs.ACRONIS_CANCEL_WINDOW(45354.0), False),                     # 2024-03-03
    # seeds/003 BILLED_USERS
    (lambda: udfs.BILLED_USERS(column("Mailbox", "OneDrive", "SharePoint", "Mailbox", None),
                               column("Ann Lee", "ann lee ", "Team", "Bob Roe", None)), 2),  # Ann once + Bob
    (lambda: udfs.BILLED_USERS(["N/A", "User Teams Chats"], ["Room", "Eve"]), 2),
])
def test_scalar_results(call, expected):
    result = call()
    assert result == expected
    assert type(result) is type(expected)     # floats for numbers, bool, str, int as Excel expects


# --- ranges: a column in, a column out ------------------------------------------------

def test_a_column_spills_as_a_column_with_scalars_broadcast():
    result = udfs.PRORATED_STORAGE(column(100.0, 100.0, 50.0, 290.0),
                                   column(FEB10, None, FEB10, dt.datetime(2024, 1, 5)),
                                   column(None, None, FEB10, dt.datetime(2024, 2, 5)),
                                   [[FEB1]], "USD")
    assert result == [[68.97],    # 100 x 20 / 29
                      [100.0],    # whole month
                      [1.72],     # 50 x 1 / 29 = 1.7241
                      [50.0]]     # Feb 1..5: 290 x 5 / 29


@pytest.mark.parametrize("shape", ["1-D", "2-D column"])
def test_range_shapes(shape):
    values = [120.5, 10.0, 0.0]
    arg = {"1-D": values, "2-D column": column(*values)}[shape]
    assert udfs.BILLABLE_GB(arg, 5.0, 1.0, "compressed") == [[5.0], [5.0], [5.0]]   # compressed 5 broadcast
    assert udfs.BILLABLE_GB(arg, 5.0) == [[120.5], [10.0], [0.0]]


def test_a_row_in_gives_a_row_out():
    # issue 9 item 8: a 1 x 3 row came back as a 3 x 1 column
    assert udfs.BILLABLE_GB([[120.5, 10.0, 0.0]], 5.0) == [[120.5, 10.0, 0.0]]
    assert udfs.COST_PRICE([[12.5, 10.0]], [[0.2, 0.5]]) == [[10.0, 5.0]]      # 12.5 x 0.8, 10 x 0.5


def test_tolist_objects_are_ranges():
    class Array:  # what a numpy array looks like to the UDF
        def tolist(self):
            return [[1.0], [2.0]]

    assert udfs.POOL_ALLOWANCE_GB(Array(), 0.0) == [[2000.0], [4000.0]]   # 1 x 2000, 2 x 2000


def test_only_the_bad_cell_shows_the_error():
    result = udfs.PRORATED_STORAGE(100.0, column(FEB10, "abc", None, "#N/A"), None, FEB1)
    assert result[0] == [68.97]
    assert result[1] == ["#VALUE! PRORATED_STORAGE: first_day: expected a date (yyyy-mm-dd or an Excel date),"
                         " found 'abc'"]
    assert result[2] == [100.0]
    assert result[3] == ["#N/A PRORATED_STORAGE: first_day is the error #N/A"]   # the error passes through


def test_repeated_rows_give_the_same_results_and_true_is_not_one():
    # the per-call memo must not confuse TRUE with 1 (True == 1 == 1.0 as dict keys)
    result = udfs.ENDPOINT_CHARGE(column(1.0, True, 1.0, 1), 0.0, 45.0, 10.0)
    assert result[0] == [45.0] and result[2] == [45.0] and result[3] == [45.0]
    assert result[1][0].startswith("#VALUE! ENDPOINT_CHARGE: servers: expected a number, found True")


def test_ranges_of_different_lengths_are_one_error():
    text = udfs.BILLABLE_GB(column(1.0, 2.0, 3.0), column(1.0, 2.0))
    assert text == ("#VALUE! BILLABLE_GB: compressed_gb has 2 rows but uncompressed_gb has 3:"
                    " ranges must be the same length")


def test_a_block_gives_a_block_of_the_same_shape():
    # 1 x 0.8, 2 x 0.8 / 3 x 0.8, 4 x 0.8 (0.8 = 1 - 20%)
    assert udfs.COST_PRICE([[1.0, 2.0], [3.0, 4.0]], 0.2) == [[0.8, 1.6], [2.4, 3.2]]


def test_a_row_with_a_column_is_refused_with_a_clear_text():
    # issue 9 item 8: a row was silently zipped with a column
    text = udfs.COST_PRICE(column(1.0, 2.0, 3.0), [[0.1, 0.2, 0.3]])
    assert text == ("#VALUE! COST_PRICE: distributor_discount is a row (1 x 3) but sell_price is a column (3 x 1):"
                    " give every range as a column, or every one as a row")
    assert udfs.COST_PRICE([[1.0, 2.0]], [[0.1, 0.2, 0.3]]) == \
        "#VALUE! COST_PRICE: distributor_discount has 3 columns but sell_price has 2: ranges must be the same length"


def test_newer_excel_error_codes_become_errors_not_numbers():
    # issue 9 item 2: #CALC! (scode 0x800A0802 = -2146826238) reached the rule as a number:
    # COMMITMENT_FEE(850, <#CALC!>) billed 2,146,827,238.00
    calc, spill = -2146826238, -2146826243          # 0x800A07D0 + 50, + 45
    assert udfs.COMMITMENT_FEE(850.0, calc) == "#CALC! COMMITMENT_FEE: minimum_commitment is the error #CALC!"
    assert udfs.CONVERT_CURRENCY(spill, 1.3, "EUR") == "#SPILL! CONVERT_CURRENCY: amount is the error #SPILL!"
    assert udfs.BILLED_USERS(column("Mailbox", "Mailbox"), column("Ann", spill)) == \
        "#SPILL! BILLED_USERS: object_names cell 2 is the error #SPILL!"
    # an error in plan must not skip the Basic rule: the result is the error
    assert udfs.BILLABLE_GB(120.5, 80.25, 1.0, "compressed", calc) == \
        "#CALC! BILLABLE_GB: plan is the error #CALC!"
    # the per-row path too (ints are not plain numbers there)
    assert udfs.COST_PRICE(column(12.5, calc), 0.2) == [[10.0], ["#CALC! COST_PRICE: sell_price is the error #CALC!"]]


def test_every_code_of_the_error_range_is_an_error():
    from xlbilling.excel.cells import EXCEL_ERROR_NUMBERS
    for number in range(2000, 2100):
        scode = 0x800A0000 + number - (1 << 32)
        text = udfs.COST_PRICE(scode, 0.2)
        assert isinstance(text, str) and text.startswith("#"), (number, text)
        assert text.split(" ")[0] == EXCEL_ERROR_NUMBERS.get(number, "#VALUE!")
    assert udfs.CONVERT_CURRENCY(float(0x800A0000 + 2042 - (1 << 32)), 1.0, "USD") == -2146826246.0  # a float: a number


def test_whole_columns_lose_their_trailing_blank_rows():
    from xlbilling.excel.cells import EXCEL_ROWS, clean_cells
    raw = tuple([(12.5,), (10.0,)] + [(None,)] * (EXCEL_ROWS - 2))
    cells = clean_cells(raw, to_sheet_end=True)
    assert len(cells) == 2 and cells.height == EXCEL_ROWS
    assert udfs.COST_PRICE(cells, 0.2) == [[10.0], [8.0]]          # 12.5 x 0.8, 10 x 0.8
    # two whole columns of different filled lengths line up: the longer decides
    other = clean_cells(tuple([(0.2,), (0.5,), (0.1,)] + [(None,)] * (EXCEL_ROWS - 3)), to_sheet_end=True)
    assert udfs.COST_PRICE(cells, other) == [[10.0], [5.0], ["#VALUE! COST_PRICE: sell_price is blank:"
                                                            " expected a number"]]


def test_cell_texts_are_cut_by_utf16_units_never_inside_an_emoji():
    from xlbilling.excel.cells import clip_cell_text, utf16_units
    text = "a" * 251 + "\U0001F600" * 3          # 251 + 6 units
    clipped = clip_cell_text(text)
    assert clipped == "a" * 251 + "..."            # 251 + 3 = 254: a 2-unit emoji does not fit
    assert clip_cell_text("a" * 250 + "\U0001F600") == "a" * 250 + "\U0001F600"   # 252 units: kept whole
    long = udfs.RESELLER_PRICE(12.5, 0.2, "\U0001F600" * 200, 0.1)
    assert utf16_units(long) <= 255 and long.endswith("...")
    assert all(not 0xD800 <= ord(ch) <= 0xDFFF for ch in long)


# --- bad values: short texts naming the function, the argument and the value ----------

@pytest.mark.parametrize("call, expected", [
    (lambda: udfs.ENDPOINT_CHARGE(None, 1.0, 45.0, 10.0),
     "#VALUE! ENDPOINT_CHARGE: servers is blank: expected a number"),
    (lambda: udfs.ENDPOINT_CHARGE(1.0, 1.0, 45.0, 10.0, "XYZ"),
     "#VALUE! ENDPOINT_CHARGE: currency_code: 'XYZ' is not an ISO 4217 currency code (e.g. USD, EUR, JPY)"),
    (lambda: udfs.ENDPOINT_CHARGE(1.0, 1.0, 45.0, 10.0, 12.0),
     "#VALUE! ENDPOINT_CHARGE: currency_code: expected a currency code such as USD, found 12.0"),
    (lambda: udfs.CONVERT_CURRENCY(1.0, 1.1, "EURO"),
     "#VALUE! CONVERT_CURRENCY: to_currency: 'EURO' is not an ISO 4217 currency code (e.g. USD, EUR, JPY)"),
    (lambda: udfs.CONVERT_CURRENCY(1.0, 0.0, "EUR"),
     "#VALUE! CONVERT_CURRENCY: rate: expected an exchange rate > 0, found 0.0"),
    (lambda: udfs.RESELLER_PRICE(12.5, 0.2, "margin", 1.0),
     "#VALUE! RESELLER_PRICE: rate: a margin must be below 1 (100%), found 1.0"),
    (lambda: udfs.RESELLER_PRICE(12.5, 0.2, "discount", 0.1),
     "#VALUE! RESELLER_PRICE: rule: expected markup, margin, sell or blank, found 'discount'"),
    (lambda: udfs.COST_PRICE(12.5, 20.0),      # 20 typed for 20%
     "#VALUE! COST_PRICE: distributor_discount: expected a fraction from 0 to 1 (20% = 0.2), found 20.0"),
    (lambda: udfs.BILLABLE_GB(-1.0, 0.0),
     "#VALUE! BILLABLE_GB: uncompressed_gb: expected a number >= 0, found -1.0"),
    (lambda: udfs.BILLABLE_GB(1.0, 0.0, 2.0),
     "#VALUE! BILLABLE_GB: can_view_compressed: expected 0 or 1, found 2.0"),
    (lambda: udfs.BILLABLE_GB(1.0, 0.0, 0.0, "billable"),
     "#VALUE! BILLABLE_GB: basis: expected one of uncompressed, compressed, account, found 'billable'"),
    (lambda: udfs.PRORATED_STORAGE(100.0, FEB10, dt.datetime(2024, 2, 9), FEB1),
     "#VALUE! PRORATED_STORAGE: last_day 2024-02-09 is before first_day 2024-02-10"),
    (lambda: udfs.PRORATED_STORAGE(100.0, None, None, None),
     "#VALUE! PRORATED_STORAGE: month is blank: expected a date in the billing month"),
    (lambda: udfs.PRORATED_STORAGE("#DIV/0!", None, None, FEB1),
     "#DIV/0! PRORATED_STORAGE: monthly_price is the error #DIV/0!"),
    (lambda: udfs.ACRONIS_CANCEL_WINDOW("soon"),
     "#VALUE! ACRONIS_CANCEL_WINDOW: on_date: expected a date (yyyy-mm-dd or an Excel date), found 'soon'"),
    (lambda: udfs.AVERAGE_DAILY_USAGE(column(1.0, "#N/A"), 30.0),
     "#N/A AVERAGE_DAILY_USAGE: daily_values cell 2 is the error #N/A"),
    (lambda: udfs.AVERAGE_DAILY_USAGE(column(1.0), column(30.0, 31.0)),
     "#VALUE! AVERAGE_DAILY_USAGE: days_in_month is a range of 2 cells: expected one value"),
    (lambda: udfs.AVERAGE_DAILY_USAGE(column(*[1.0] * 30), 29.0),
     "#VALUE! AVERAGE_DAILY_USAGE: daily_values: 30 days given for a 29-day month"),
    (lambda: udfs.BILLED_USERS(column("Mailbox", "Mailbox"), column("Ann")),
     "#VALUE! BILLED_USERS: object_types has 2 rows but object_names has 1: expected the same rows"),
    (lambda: udfs.BILLED_USERS(column("Mailbox", "#N/A"), column("Ann", "Bob")),
     "#N/A BILLED_USERS: object_types cell 2 is the error #N/A"),
])
def test_bad_values_give_short_texts(call, expected):
    text = call()
    assert text == expected
    assert len(text) <= 255 and "Traceback" not in text


def test_long_messages_are_cut_to_255_characters():
    text = udfs.RESELLER_PRICE(12.5, 0.2, "x" * 400, 0.1)
    assert len(text) == 255 and text.endswith("...")
    assert text.startswith("#VALUE! RESELLER_PRICE: rule: expected markup")


def test_unexpected_errors_still_become_a_short_text():
    assert cell_text("COST_PRICE", ZeroDivisionError("division by zero")) == \
        "#VALUE! COST_PRICE: unexpected ZeroDivisionError: division by zero"


def test_wrong_argument_count_is_a_text_not_a_crash():
    from xlbilling.excel.udfs import _COST_PRICE
    assert _COST_PRICE(1.0) == "#VALUE! COST_PRICE: expected 2 arguments, got 1"


# --- the module's shape: names, order, decorators ----------------------------------

def test_functions_are_named_and_ordered_as_the_issue():
    assert [spec.name for spec, _ in udfs.CATALOGUE] == ISSUE_ORDER
    assert [f.__name__ for _, f in udfs.CATALOGUE] == ISSUE_ORDER
    lines = [inspect.getsourcelines(getattr(udfs, name))[1] for name in ISSUE_ORDER]
    assert lines == sorted(lines)   # defined in that order in udfs.py


@pytest.mark.parametrize("name", ISSUE_ORDER)
def test_decorators_func_outermost_then_one_arg_per_parameter(name):
    source = inspect.getsource(getattr(udfs, name))
    decorators = [line.strip() for line in source.splitlines() if line.startswith("@")]
    assert decorators[0] == "@xw.func(category=CATEGORY)"        # outermost, keeps category
    params = list(inspect.signature(getattr(udfs, name)).parameters)
    assert decorators[1:] == [f"@excel_function(_{name})"]        # one xw.arg per parameter, with doc=
    assert "expand" not in source
    assert getattr(udfs, name).__doc__   # Excel shows it
    # the signature's parameter names are the spec's argument names
    spec = {s.name: s for s, _ in udfs.CATALOGUE}[name]
    assert params == [a.name for a in spec.args]


def test_every_argument_has_function_wizard_help():
    assert udfs.CATEGORY == "xlbilling"
    for spec, _ in udfs.CATALOGUE:
        for arg in spec.args:
            assert 20 < len(arg.doc) <= 255 and "Positional argument" not in arg.doc
    by_name = {s.name: s for s, _ in udfs.CATALOGUE}
    assert by_name["ENDPOINT_CHARGE"].args[4].doc == \
        "A currency code such as USD, EUR, JPY; blank: USD. A cell, a value or a column."
    assert by_name["COST_PRICE"].args[0].doc == \
        "A number; required (a blank cell is an error). A cell, a value or a column."


def test_udfs_is_the_only_module_using_xlwings_decorators():
    package = pathlib.Path(udfs.__file__).parents[1]   # the whole xlbilling package
    offenders = []
    for path in package.rglob("*.py"):
        if path.name == "udfs.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("func", "arg", "ret") and \
                    isinstance(node.value, ast.Name) and node.value.id in ("xw", "xlwings"):
                offenders.append(f"{path.relative_to(package)}:{node.lineno}")
    assert offenders == []


def test_long_columns_with_and_without_repeats():
    # 1,000 distinct rows (the per-call memo switches itself off after 512) and 1,000 repeating rows
    distinct = udfs.POOL_ALLOWANCE_GB(column(*[float(i) for i in range(1000)]), 1.0)
    assert distinct == [[i * 2000.0 + 200.0] for i in range(1000)]        # i x 2000 + 1 x 200
    repeating = udfs.POOL_ALLOWANCE_GB(column(*[float(i % 3) for i in range(1000)]), column(*[True] * 999, 1.0))
    assert repeating[0][0].startswith("#VALUE! POOL_ALLOWANCE_GB: workstation_licenses: expected a number")
    assert repeating[999] == [0 * 2000.0 + 200.0]                          # row 999: 999 % 3 = 0 servers, 1 ws


def test_the_old_module_name_offers_the_same_functions():
    """xlbilling.udfs, the name older add-ins call (docs/addin.md): every catalogue
    function, the very same objects, and nothing else Excel could import."""
    import xlbilling.udfs as old

    assert sorted(old.__all__) == sorted(spec.name for spec, _ in udfs.CATALOGUE)
    for spec, function in udfs.CATALOGUE:
        assert getattr(old, spec.name) is function
    assert [n for n in dir(old) if n.isupper()] == sorted(old.__all__)
