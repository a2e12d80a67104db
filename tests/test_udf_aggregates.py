"""The range-reducing Excel functions (AVERAGE_DAILY_USAGE, BILLED_USERS) against
the call as it was before their column path, bit for bit.

The reference below is the earlier Aggregate call written out: every cell of
every range walked one by one (nested rows flattened, whole columns lined up),
each checked for an Excel error, blank text made None, and the core rule called
once.  The UDF now unpacks columns and clears error-free columns in C and
counts BILLED_USERS per distinct text (excel/columns.py, AGGREGATE_KERNELS);
results are compared as (type, repr).  Hypothesis chooses the seed, the shapes and the mix
of odd cells: texts with every kind of whitespace and letter case, numbers,
booleans, dates, blanks; and now and then an error text, error scode or
ExcelError cell (one is enough to make the whole call an error).
"""
from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlbilling.core.rules import altaro
from xlbilling.excel import columns, udfs
from xlbilling.excel.cells import BAD_VALUE, EXCEL_ERRORS, CellError, ExcelError, SheetRange, cell_text, error_code

NA_SCODE = 0x800A07FA - (1 << 32)   # #N/A as COM hands it over (error 2042), an int
ROWS = 3000
EXAMPLES = 40

TYPES = ["Mailbox", "OneDrive", "N/A", "User Teams Chats", "SharePoint", "Group Mailbox", "Teams", "mailbox ",
         " MAILBOX", "n/a", "User  Teams\tChats", "ONEDRIVE", "One Drive", "Site"]
NAMES = ["Ann Lee", "ann lee ", "ANN  LEE", "Ann\tLee", "Ann\xa0Lee", "Ann\u2003Lee", "Bob Roe", "bob roe",
         "Straße", "STRASSE", "strasse", "İnci", "i̇nci", "ǅemal", "ǆemal", "Zoë", "zoë", "Ω", "ω", "\u2028Eve",
         "Eve", "O'Brien", "o’brien"]
ODD = ["", "   ", "\t", None, 0.0, -0.0, 1.0, 1, 0, True, False, 2.5, dt.datetime(2024, 2, 3), "12",
       "None", "#NAME"]
NUMBERS = [1.0, 1, True, 0, 0.0, False, 2.5, -0.0]   # equal as set members, not as names (str(), truthiness)
ERRORS = ["#N/A", "#VALUE!", ExcelError("#SPILL!"), NA_SCODE, NA_SCODE + 1]   # the last: error 2043, #GETTING_DATA


def reference(spec, *values):
    """The Aggregate call before the column path: one cell at a time."""
    def flatten(value):
        if not isinstance(value, (list, tuple)):
            return [value]
        out = []
        for item in value:
            out.extend(flatten(item) if isinstance(item, (list, tuple)) else [item])
        return out

    def trimmed(value):
        return isinstance(value, SheetRange) and len(value) < value.height

    try:
        widest = max((len(flatten(v)) for a, v in zip(spec.args, values) if a.name in spec.columns and trimmed(v)),
                     default=0)
        converted = []
        for arg, value in zip(spec.args, values):
            if arg.name not in spec.columns:
                converted.append(arg.read(value))
                continue
            cells = flatten(value)
            if widest and trimmed(value):
                cells = (cells + [None] * widest)[:widest]
            for row, cell in enumerate(cells, start=1):
                code = error_code(cell)
                if code is not None:
                    raise CellError(f"{arg.name} cell {row} is the error {code}",
                                    code=code if code in EXCEL_ERRORS else BAD_VALUE)
            converted.append([None if c.__class__ is str and not c.strip() else c for c in cells])
        return spec.out(spec.rule(*converted))
    except Exception as err:  # noqa: BLE001 - the UDF boundary
        return cell_text(spec.name, err)


def exact(value):
    return type(value), repr(value)


def column(rng: random.Random, pool: list, n: int, odd: float, errors: int = 0, odd_cells: list = ODD) -> list:
    """n cells from `pool`, `odd` of them from `odd_cells` (no errors), then `errors` error cells."""
    cells = rng.choices(pool, k=n)
    for i in rng.sample(range(n), int(n * odd)):
        cells[i] = rng.choice(odd_cells)
    for i in rng.sample(range(n), errors):
        cells[i] = rng.choice(ERRORS)
    return cells


def shaped(rng: random.Random, cells: list, shape: str):
    """The cells as Excel or a Python caller hands a range over."""
    if shape == "rows":
        return [[c] for c in cells]
    if shape == "tuples":
        return tuple((c,) for c in cells)
    if shape == "flat":
        return list(cells)
    if shape == "block":                     # N x 2, read in reading order
        cells = cells + [None] * (len(cells) % 2)
        return [cells[i:i + 2] for i in range(0, len(cells), 2)]
    if shape == "whole column":              # A:A after clean_cells dropped the trailing blanks
        return SheetRange([[c] for c in cells], height=len(cells) + rng.randint(1, 50))
    raise AssertionError(shape)


SHAPES = ["rows", "tuples", "flat", "block", "whole column"]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32), odd=st.sampled_from([0.0, 0.0, 0.001, 0.02, 0.3]),
       shapes=st.tuples(st.sampled_from(SHAPES), st.sampled_from(SHAPES)), short=st.sampled_from([0, 0, 0, 2]),
       errors=st.sampled_from([(0, 0), (0, 0), (0, 1), (2, 1)]), odd_cells=st.sampled_from([ODD, NUMBERS]))
def test_billed_users_is_bit_identical_to_the_cell_by_cell_call(seed, odd, shapes, short, errors, odd_cells):
    rng = random.Random(seed)
    pool = NAMES + [f"User {i:04d}" for i in range(rng.choice([5, 500, ROWS]))]
    types = column(rng, TYPES, ROWS, odd, errors[0], odd_cells)
    names = column(rng, pool, ROWS - short, odd, errors[1], odd_cells)   # short: the columns differ in length (whole columns: aligned)
    args = (shaped(rng, types, shapes[0]), shaped(rng, names, shapes[1]))
    got = udfs.BILLED_USERS(*args)
    assert exact(got) == exact(reference(udfs._BILLED_USERS, *args))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32), odd=st.sampled_from([0.0, 0.05, 0.3]), shape=st.sampled_from(SHAPES),
       days=st.sampled_from([28.0, 30.0, 31.0, 29.5, "31", None]), n=st.integers(1, 40),
       errors=st.sampled_from([0, 0, 1]))
def test_average_daily_usage_is_bit_identical_to_the_cell_by_cell_call(seed, odd, shape, days, n, errors):
    rng = random.Random(seed)
    values = column(rng, [round(rng.uniform(0, 900), rng.choice([0, 2, 6])) for _ in range(20)] + [None], n, odd,
                    errors)
    args = (shaped(rng, values, shape), days)
    got = udfs.AVERAGE_DAILY_USAGE(*args)
    assert exact(got) == exact(reference(udfs._AVERAGE_DAILY_USAGE, *args))


def test_the_billed_users_kernel_answers_for_text_columns_and_leaves_the_rest_to_the_rule():
    rng = random.Random(5)
    types = column(rng, TYPES, ROWS, 0.0) + [None, "", "  "]
    names = column(rng, NAMES + [f"User {i}" for i in range(900)], ROWS, 0.0) + ["Ann Lee", None, "   "]
    count = columns.AGGREGATE_KERNELS["BILLED_USERS"](types, names)
    assert count is not None and count == altaro.billed_users(types, names).count
    # a number, date or boolean cell: the rule decides (1 == 1.0 == True as set members)
    for odd in (1.0, True, 0, dt.datetime(2024, 1, 1)):
        assert columns.AGGREGATE_KERNELS["BILLED_USERS"](types, names[:-1] + [odd]) is None
    assert columns.AGGREGATE_KERNELS["BILLED_USERS"](types, names[:-1]) is None   # lengths differ


def test_hand_counted_billed_users():
    # Ann Lee in three spellings counts once; Straße and STRASSE fold to one (casefold); Team is
    # a SharePoint row, Bob Roe's OneDrive counts; blank names and non-billed types are not users
    types = [["Mailbox"], ["OneDrive"], [" mailbox"], ["SharePoint"], ["OneDrive"], ["Mailbox"], ["N/A"],
             ["Mailbox"], ["Group Mailbox"]]
    names = [["Ann Lee"], ["ann  lee"], ["ANN\tLEE "], ["Team"], ["Bob Roe"], ["Straße"], ["STRASSE"], ["  "],
             ["Zed"]]
    assert udfs.BILLED_USERS(types, names) == 3          # Ann Lee, Bob Roe, strasse
    assert udfs.BILLED_USERS(types, names[:-1] + [["#N/A"]]) == \
        "#N/A BILLED_USERS: object_names cell 9 is the error #N/A"


def test_a_failing_aggregate_kernel_falls_back_to_the_rule(monkeypatch):
    def broken(*_columns):
        raise ValueError("a bug in a kernel")

    monkeypatch.setitem(columns.AGGREGATE_KERNELS, "BILLED_USERS", broken)
    assert udfs.BILLED_USERS([["Mailbox"], ["OneDrive"]], [["Ann Lee"], ["ann lee"]]) == 1


@pytest.mark.parametrize("shape", SHAPES)
def test_error_cells_are_found_in_every_shape(shape):
    rng = random.Random(1)
    for error in ("#N/A", ExcelError("#REF!"), NA_SCODE):
        names = ["Ann Lee"] * 10
        names[6] = error
        args = (shaped(rng, ["Mailbox"] * 10, shape), shaped(rng, names, shape))
        got = udfs.BILLED_USERS(*args)
        assert got == reference(udfs._BILLED_USERS, *args) and got.startswith("#")
