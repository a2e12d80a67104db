"""The exact column path (xlbilling.excel.columns) against the Decimal path, bit for bit.

The reference is the function called on one row at a time with single values
(the per-row path, excel/calls.py: money.D on every cell, the core rule, float out),
so neither the column kernels nor the per-call memo are part of it.  Results
are compared as (type, repr): repr tells -0.0 from 0.0 and shows every bit of
a float.  Hypothesis chooses the random generator's seed and the mix of odd
cells; each example is a few thousand rows, several hundred thousand in all.
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlbilling.excel import columns as udf_columns, udfs
from xlbilling.core.rules import acronis, common, x360recover
from xlbilling.excel.cells import CellError, ExcelError, cell_text

NA_SCODE = 0x800A07FA - (1 << 32)   # #N/A as COM hands it over (error 2042), an int

ROWS = 3000
EXAMPLES = 5

# Cells that must leave the column path or that test its proofs: -0.0, more than
# 15 significant digits, huge and tiny magnitudes, ints past 2**53, NaN/inf,
# Decimal and numeric text, blanks, Excel error codes, text, booleans, dates.
ODD_NUMBERS = [-0.0, 0.0, 0.1 + 0.2, 1 / 3, 2.0 ** 53, 2.0 ** 53 + 2, 1e15, 1e15 + 1, 999999999999999.0,
               1e20, 1e300, 5e-324, 1e-13, 123456789.123456789, float("nan"), float("inf"), -1.0, -12.5,
               2 ** 60, 7, True, False, Decimal("1.5"), Decimal("-0"), "12.5", " 3 ", "", "   ", None,
               "#N/A", "#VALUE!", ExcelError("#SPILL!"), NA_SCODE, "abc", dt.datetime(2024, 2, 3), 0.005, 0.015, 2.675, 1.005, 0.125, 0.5]
ODD_FLAGS = [0.0, 1.0, -0.0, None, "", "1", "yes", "x", 2.0, 0.5, True, False, "#N/A", ExcelError("#N/A"), NA_SCODE,
             1, 0]
ODD_DATES = [None, "", "2024-02-10", "#N/A", ExcelError("#REF!"), NA_SCODE, "abc", 45337.0, 45337.75, 60.0, 59.0, 61.0, 0.0, -1.0, 1e9,
             float("nan"), True, dt.date(2024, 2, 29), dt.datetime(2024, 3, 31, 23, 59), dt.datetime(2023, 12, 31),
             dt.date(2024, 1, 31), 1.0, 2958465.0, 2958466.0, 10 ** 400, 45337]
CURRENCIES = ["USD", "usd", " EUR ", "JPY", "BHD", "", None, "EURO", "#N/A", 5.0]


def nice_number(rng: random.Random, low: float, high: float) -> float:
    """A float as a user types it: 0 to 6 decimals, sometimes a whole number."""
    return round(rng.uniform(low, high), rng.choice([0, 0, 1, 2, 2, 2, 3, 4, 6]))


def _sprinkle(rng: random.Random, column: list, odd: float, choices: list) -> list:
    """`odd` of the cells replaced by cells drawn from `choices`."""
    for i in rng.sample(range(len(column)), int(len(column) * odd)):
        column[i] = rng.choice(choices)
    return column


def numbers(rng: random.Random, n: int, low: float, high: float, odd: float) -> list:
    pool = [nice_number(rng, low, high) for _ in range(500)]
    return _sprinkle(rng, rng.choices(pool, k=n), odd, ODD_NUMBERS)


def flags(rng: random.Random, n: int, odd: float) -> list:
    return _sprinkle(rng, rng.choices([0.0, 1.0], k=n), odd, ODD_FLAGS)


def dates(rng: random.Random, n: int, odd: float, blank: float = 0.3) -> list:
    pool = [dt.datetime(2024, rng.randint(1, 3), rng.randint(1, 28)) for _ in range(200)]
    column = rng.choices(pool, k=n)
    for i in rng.sample(range(n), int(n * blank)):
        column[i] = None
    return _sprinkle(rng, column, odd, ODD_DATES)


def texts(rng: random.Random, n: int, choices: list, odd: float) -> list:
    return _sprinkle(rng, rng.choices(choices, k=n), odd, ODD_NUMBERS[:8] + ["#N/A", ExcelError("#N/A"), NA_SCODE,
                                                                           None, ""])


def col(values: list) -> list[list]:
    return [[v] for v in values]


def make_args(name: str, rng: random.Random, n: int, odd: float, scalar_mask: int) -> list:
    """The function's arguments as columns of n cells (some replaced by one scalar)."""
    num = lambda lo=0.0, hi=5000.0: numbers(rng, n, lo, hi, odd)  # noqa: E731
    spec = {
        "BILLABLE_GB": lambda: [num(), num(), flags(rng, n, odd),
                                texts(rng, n, ["account", "uncompressed", "compressed", "Account ", "bogus"], odd),
                                texts(rng, n, ["Select", "Basic", "Trial (Basic)", "BasicPlus", ""], odd)],
        "IS_BILLABLE": lambda: [flags(rng, n, odd), flags(rng, n, odd)],
        "ENDPOINT_TIER": lambda: [flags(rng, n, odd), flags(rng, n, odd)],
        "ENDPOINT_CHARGE": lambda: [num(0, 50), num(0, 500), num(0, 200), num(0, 60),
                                    texts(rng, n, CURRENCIES, odd)],
        "PRORATED_STORAGE": lambda: [num(0, 900), dates(rng, n, odd), dates(rng, n, odd),
                                     dates(rng, n, odd, blank=odd), texts(rng, n, CURRENCIES, odd)],
        "POOL_ALLOWANCE_GB": lambda: [num(0, 40), num(0, 400), num(0, 3000), num(0, 300)],
        "STORAGE_OVERAGE_GB": lambda: [num(0, 90000), num(0, 40), num(0, 400), num(0, 3000), num(0, 300)],
        "COST_PRICE": lambda: [num(0, 300), num(0, 1)],
        "RESELLER_PRICE": lambda: [num(0, 300), num(0, 1),
                                   texts(rng, n, ["markup", "margin", "sell", "", "Percent Markup", "none",
                                                  "MARGIN ", "bogus"], odd), num(0, 1.2)],
        "COMMITMENT_FEE": lambda: [num(-500, 5000), num(0, 5000), texts(rng, n, CURRENCIES, odd)],
        "CONVERT_CURRENCY": lambda: [num(-5000, 5000), num(0, 200), texts(rng, n, CURRENCIES, odd)],
        "ACRONIS_CANCEL_WINDOW": lambda: [dates(rng, n, odd, blank=odd)],
    }[name]()
    # Some arguments as one value for every row (scalars are converted once per call):
    # a cell Arg.read accepts (a refused scalar makes the whole call one error text).
    out = []
    for i, (arg, column) in enumerate(zip(udfs_spec(name).args, spec)):
        if scalar_mask >> i & 1:
            out.append([[next((c for c in column if _readable(arg, c)), column[0])]])
        else:
            out.append(col(column))
    return out


def udfs_spec(name: str):
    return next(s for s, _ in udfs.CATALOGUE if s.name == name)


def _readable(arg, cell) -> bool:
    try:
        arg.read(cell)
    except CellError:
        return False
    return True


FUNCTIONS = {spec.name: fn for spec, fn in udfs.CATALOGUE if spec.name in udf_columns.KERNELS}


def reference(name: str, args: list) -> list:
    """The Decimal path one row at a time: each cell read as a single value
    (cells.Arg.read), the core rule, the float out; an error as its text."""
    spec = udfs_spec(name)
    n = max(len(a) for a in args)
    rule, out = spec.rule, spec.out
    reads = [arg.read for arg in spec.args]
    result = []
    for r in range(n):
        try:
            value = out(rule(*(read(a[0][0] if len(a) == 1 else a[r][0]) for read, a in zip(reads, args))))
        except Exception as err:  # noqa: BLE001 - the UDF boundary, as in excel/calls.py
            value = cell_text(name, err)
        result.append([value])
    return result


def exact(rows: list) -> list:
    return [(type(v), repr(v)) for [v] in rows]


def test_every_row_wise_function_has_a_column_kernel():
    row_wise = {spec.name for spec, _ in udfs.CATALOGUE if type(spec).__name__ == "Udf"}
    assert row_wise == set(udf_columns.KERNELS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32), odd=st.sampled_from([0.0, 0.02, 0.3]), scalar_mask=st.integers(0, 31))
def test_column_path_is_bit_identical_to_the_decimal_path(name, seed, odd, scalar_mask):
    fn = FUNCTIONS[name]
    args = make_args(name, random.Random(seed), ROWS, odd, scalar_mask)
    if all(len(a) == 1 for a in args):
        args[0] = col([args[0][0][0]] * ROWS)
    got = fn(*args)
    assert exact(got) == exact(reference(name, args))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_clean_columns_never_take_the_decimal_path(name):
    """Plain cells (no odd ones) are all computed by the kernel: it is really used."""
    spec = next(s for s, _ in udfs.CATALOGUE if s.name == name)
    args = make_args(name, random.Random(7), 2000, 0.0, 0)
    if name == "BILLABLE_GB":  # "bogus" is a clean cell but a bad basis: keep the valid ones
        args[3] = col(["account"] * 2000)
    if name == "RESELLER_PRICE":
        args[2] = col(["markup", "margin", "sell", ""] * 500)
        args[3] = col([round(i / 2000, 3) for i in range(2000)])
    if name in ("ENDPOINT_CHARGE", "PRORATED_STORAGE", "COMMITMENT_FEE", "CONVERT_CURRENCY"):
        args[-1] = col(["USD", "JPY", "EUR", "BHD"] * 500)
    if name == "PRORATED_STORAGE":  # no "last_day before first_day" rows
        args[2] = col([None if f is None or r % 2 else max(f, lst or f) for r, ([f], [lst])
                       in enumerate(zip(args[1], args[2]))])
    if name == "CONVERT_CURRENCY":
        args[1] = col([nice_number(random.Random(i), 0.01, 200) or 1.0 for i in range(2000)])
    # round() of a small negative makes -0.0, which rightly takes the Decimal path: not here
    fixed = [None] * len(args)
    columns = {i: [0.0 if c[0] == 0 and c[0].__class__ is float else c[0] for c in a] for i, a in enumerate(args)}
    args = [col(columns[i]) for i in range(len(args))]
    result, fallback = udf_columns.column_rows(spec, fixed, columns)
    assert fallback == 0
    assert exact(result) == exact(reference(name, args))


def test_memo_keeps_the_sign_of_zero_whatever_the_row_order():
    """D(-0.0) is -0: a -0.0 row after a 0.0 row must not reuse 0.0's result."""
    spec = udfs._BILLABLE_GB
    for order in ([0.0, -0.0], [-0.0, 0.0]):
        fixed = [None, 1.0, 0.0, "uncompressed", ""]
        rows = spec._rows(fixed, {0: order * 3})
        assert [repr(v) for [v] in rows] == [repr(x) for x in order * 3]


def test_a_failing_kernel_falls_back_to_the_decimal_path(monkeypatch):
    def broken(_columns):
        raise CellError("a bug in a kernel")

    monkeypatch.setitem(udf_columns.KERNELS, "COST_PRICE", broken)
    # 12.5 x (1 - 0.2) = 10; 4 x (1 - 0.25) = 3
    assert udfs.COST_PRICE([[12.5], [4.0]], [[0.2], [0.25]]) == [[10.0], [3.0]]


def test_hand_computed_rows():
    # 100 x 20 days (10 to 29 Feb 2024) / 29 = 68.9655... -> 68.97; blank first day: 29 days -> 100.00
    assert udfs.PRORATED_STORAGE([[100.0], [100.0]], [[dt.datetime(2024, 2, 10)], [None]], [[None], [None]],
                                 [[dt.datetime(2024, 2, 1)]], [["USD"]]) == [[68.97], [100.0]]
    # -0.004 x 1 = -0.004 -> -0.00: a negative amount rounding to zero keeps its sign, as Decimal does
    got = udfs.CONVERT_CURRENCY([[-0.004], [0.005]], [[1.0]], [["USD"]])
    assert [repr(v) for [v] in got] == ["-0.0", "0.01"]
    # cost 12.5 x 0.8 = 10: markup 10 x 1.25 = 12.5; margin 10 / (1 - 0.375) = 16; sell 12.5 x 0.5 = 6.25
    assert udfs.RESELLER_PRICE([[12.5]] * 4, [[0.2]], [["markup"], ["margin"], ["sell"], [""]],
                               [[0.25], [0.375], [0.5], [0.9]]) == [[12.5], [16.0], [6.25], [12.5]]


VALUE_ONLY = [  # (value-only rule the UDF calls, the rule with its working, argument kinds)
    (acronis.cost_price_value, acronis.cost_price, "nn"),
    (acronis.reseller_price_value, acronis.reseller_price, "nnrn"),
    (acronis.commitment_fee_value, acronis.commitment_fee, "nnc"),
    (common.convert_currency_value, common.convert_currency, "nnc"),
    (x360recover.endpoint_charge_value, x360recover.endpoint_charge, "nnnnc"),
    (x360recover.pool_allowance_gb_value, x360recover.pool_allowance_gb, "nnnn"),
    (x360recover.storage_overage_gb_value, x360recover.storage_overage_gb, "nnnnn"),
]


@pytest.mark.parametrize("value_only, with_working, kinds", VALUE_ONLY)
def test_value_only_rules_match_the_rules_with_working(value_only, with_working, kinds):
    """The UDFs' per-row path skips the working text: same value, same error."""
    rng = random.Random(13)
    pick = {"n": lambda: rng.choice(ODD_NUMBERS) if rng.random() < 0.2 else nice_number(rng, 0, 1.5),
            "r": lambda: rng.choice(["markup", "margin", "sell", "", None, "bogus"]),
            "c": lambda: rng.choice(["USD", "JPY", "BHD", "EURO"])}

    def outcome(fn, row):
        try:
            return repr(fn(*row) if fn is value_only else fn(*row).value)
        except Exception as err:  # noqa: BLE001 - the error is part of the outcome
            return f"{type(err).__name__}: {err}"

    for _ in range(3000):
        row = [pick[k]() for k in kinds]
        assert outcome(value_only, row) == outcome(with_working, row), row
