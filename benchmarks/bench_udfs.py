"""Python-side cost of the Excel functions, against a naive per-row loop.

    python benchmarks/bench_udfs.py            # full run (~1 minute on 2 cores)
    python benchmarks/bench_udfs.py --quick    # fewer repeats, no 100k rows

For BILLABLE_GB, PRORATED_STORAGE and RESELLER_PRICE: one scalar call, and one
call over a 10,000-row and a 100,000-row column, each next to two baselines
measured in the same run on the same data:
  * loop - a plain Python loop calling the core rule directly once per row
    (what filling the formula down costs in Python alone, before Excel's own
    per-call overhead of several milliseconds, XLWINGS_NOTES.md);
  * Decimal path - the UDF's own per-row path (excel/calls.py, Udf._rows: every
    cell through money.D and the rule), which the column path replaced and
    still uses for the rows it cannot prove exact.
The UDF figure is the column path (xlbilling.excel.columns: numpy fixed point).
Columns come in two kinds: "distinct" rows (every row different: the honest
worst case) and "repeating" rows (prices, dates and rates drawn from small
sets, as in a real licence table).  Targets on the shared 2-core machine:
a scalar call under 50 us, a 10,000-row column under 100 ms, a 100,000-row
column at most 0.1x the loop (judged on the median).

The two functions that reduce ranges to one value (AVERAGE_DAILY_USAGE,
BILLED_USERS) call their core rule once per call, and that rule is itself the
per-row loop; their baseline is the rule called directly on the same plain
lists (no cell handling), their UDF figure the whole call as Excel makes it.
BILLED_USERS: 100,000 rows, distinct users and users with several rows each.
AVERAGE_DAILY_USAGE takes one month (at most 31 values): a month of values, and
a whole column (A:A, 1,048,576 rows, 31 filled) as the converter hands it over
after dropping the trailing blanks (clean_cells; its own cost included).

Prints figures only; nothing here is a test.  Inputs are shaped as xlwings
sends them with ndim=2 (a cell as [[x]], a column as [[a], [b], ...]).
"""
from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import platform
import random
import statistics
import sys
import time
from typing import Any, Callable

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from xlbilling.excel import calls, udfs  # noqa: E402
from xlbilling.core.money import to_excel  # noqa: E402
from xlbilling.core.rules import acronis, altaro, axcient_bff, common, x360recover  # noqa: E402
from xlbilling.excel.cells import EXCEL_ROWS, clean_cells  # noqa: E402

SCALAR_TARGET_S = 50e-6
COLUMN_10K_TARGET_S = 0.100
MONTH = dt.datetime(2024, 2, 1)
PLANS = ["Select", "Basic", "ShadowProtect BDR", "Trial (Basic)", "Multitenant Network Server"]
RULES = ["markup", "margin", "sell", ""]


def timed(fn: Callable[[], Any], repeats: int, number: int = 1) -> tuple[float, float]:
    """(best, median) seconds per call of fn, over `repeats` runs of `number` calls."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return min(samples), statistics.median(samples)


def col(values: list) -> list[list]:
    return [[v] for v in values]


# --- data: (udf args as Excel sends them, baseline rows, baseline function) -------------

def billable_data(n: int, rng: random.Random, distinct: bool):
    if distinct:
        unc = [round(rng.uniform(0, 5000), 2) for _ in range(n)]
    else:
        unc = [rng.choice([50.0, 120.5, 500.0, 1024.0, 2048.25]) for _ in range(n)]
    comp = [round(u * (0.5 if not distinct else rng.uniform(0.3, 0.9)), 2) for u in unc]
    flags = [float(rng.randint(0, 1)) for _ in range(n)]
    plans = [rng.choice(PLANS) for _ in range(n)]
    args = (col(unc), col(comp), col(flags), [["account"]], col(plans))
    rows = list(zip(unc, comp, flags, plans))
    return args, rows, lambda u, c, f, p: to_excel(axcient_bff.billable_gb(u, c, f, "account", p).value)


def prorated_data(n: int, rng: random.Random, distinct: bool):
    def day() -> dt.datetime | None:
        return None if rng.random() < 0.4 else dt.datetime(2024, 2, rng.randint(1, 29))

    if distinct:
        prices = [round(rng.uniform(10, 500), 2) for _ in range(n)]
    else:
        prices = [rng.choice([49.0, 99.0, 149.5, 249.0]) for _ in range(n)]
    firsts = [day() for _ in range(n)]
    lasts = [None if (f is None or rng.random() < 0.7) else dt.datetime(2024, 2, rng.randint(f.day, 29))
             for f in firsts]
    args = (col(prices), col(firsts), col(lasts), [[MONTH]], [["USD"]])
    rows = list(zip(prices, firsts, lasts))
    return args, rows, lambda p, f, last: to_excel(x360recover.prorated_storage(p, f, last, MONTH, "USD").value)


def reseller_data(n: int, rng: random.Random, distinct: bool):
    if distinct:
        sells = [round(rng.uniform(0.5, 300), 2) for _ in range(n)]
        rates = [round(rng.uniform(0, 0.6), 4) for _ in range(n)]
    else:
        sells = [rng.choice([1.25, 4.9, 12.5, 29.0, 75.0]) for _ in range(n)]
        rates = [rng.choice([0.1, 0.2, 0.25]) for _ in range(n)]
    rules = [rng.choice(RULES) for _ in range(n)]
    args = (col(sells), [[0.2]], col(rules), col(rates))
    rows = list(zip(sells, rules, rates))
    return args, rows, lambda s, rule, r: to_excel(acronis.reseller_price(s, 0.2, rule, r).value)


CASES = [
    ("BILLABLE_GB", udfs.BILLABLE_GB, billable_data),
    ("PRORATED_STORAGE", udfs.PRORATED_STORAGE, prorated_data),
    ("RESELLER_PRICE", udfs.RESELLER_PRICE, reseller_data),
]


OBJECT_TYPES = ["Mailbox", "OneDrive", "SharePoint", "User Teams Chats", "N/A", "Group Mailbox", "Teams", "mailbox "]


def billed_users_data(n: int, rng: random.Random, distinct: bool):
    """Altaro 365 rows: (Object Type Backed Up, Object Name) columns; names with
    stray case and spaces now and then (the same user, counted once)."""
    users = n if distinct else max(1, n // 5)
    names = []
    for _ in range(n):
        name = f"User {rng.randrange(users):06d}"
        roll = rng.random()
        names.append(name.upper() if roll < 0.05 else f" {name}  " if roll < 0.1 else None if roll < 0.12 else name)
    types = [rng.choice(OBJECT_TYPES) for _ in range(n)]
    return (col(types), col(names)), (types, names), lambda t, m: altaro.billed_users(t, m).count


def average_daily_data(n: int, rng: random.Random, whole_column: bool):
    values = [None if rng.random() < 0.1 else round(rng.uniform(0, 900), 2) for _ in range(n)]
    if whole_column:   # A:A as Value2 gives it: 31 filled rows, then blanks to the sheet's end
        raw = tuple((v,) for v in values) + ((None,),) * (EXCEL_ROWS - n)
        args = (raw, 31.0)

        def udf_call():
            return udfs.AVERAGE_DAILY_USAGE(clean_cells(args[0], to_sheet_end=True), args[1])
    else:
        args = (col(values), 31.0)

        def udf_call():
            return udfs.AVERAGE_DAILY_USAGE(*args)
    return udf_call, values, lambda v: to_excel(common.average_daily_usage(v, 31.0).value)


def aggregate_rows(repeats: int, full: bool) -> None:
    """The two range-reducing functions beside their core rule called directly."""
    rows = []
    n = 100_000 if full else 10_000
    for distinct in (True, False):
        args, plain, rule = billed_users_data(n, random.Random(n), distinct)
        assert udfs.BILLED_USERS(*args) == rule(*plain), "BILLED_USERS: UDF and rule disagree"
        case = f"{n // 1000}k rows ({'distinct' if distinct else 'repeating'})"
        rows.append(("BILLED_USERS", case, lambda a=args: udfs.BILLED_USERS(*a), lambda r=rule, p=plain: r(*p)))
    for whole in ((False, True) if full else (False,)):
        udf_call, values, rule = average_daily_data(31, random.Random(31), whole)
        assert udf_call() == rule(values), "AVERAGE_DAILY_USAGE: UDF and rule disagree"
        case = "A:A, 31 filled" if whole else "31 days"
        rows.append(("AVERAGE_DAILY_USAGE", case, udf_call, lambda r=rule, v=values: r(v)))
    for name, case, udf_call, rule_call in rows:
        number = 1 if case.startswith(("10", "A:A")) else 200
        reps = repeats if number > 1 or not full else max(3, repeats // 2)
        u_best, u_med = timed(udf_call, reps, number)
        _, b_med = timed(rule_call, reps, number)
        print(f"{name:<18} {case:<22} {fmt_time(u_best):>11} {fmt_time(u_med):>11} {fmt_time(b_med):>11}"
              f" {'-':>11} {u_med / b_med:7.3f} {'-':>6}  {verdict(case, u_med, u_med / b_med)}")


def verdict(case: str, median_s: float, ratio: float) -> str:
    if case == "scalar":
        return ("PASS" if median_s < SCALAR_TARGET_S else "MISS") + " (< 50 us)"
    if case in ("31 days", "A:A, 31 filled"):
        return "(one month: no column target)"
    if case.startswith("10k"):
        return ("PASS" if median_s < COLUMN_10K_TARGET_S else "MISS") + " (< 100 ms)"
    return ("PASS" if ratio <= 0.1 else "MISS") + " (<= 0.1x loop)"


def decimal_path(udf, args: tuple):
    """The same call with the column path switched off: calls.Udf._rows, the per-row loop."""
    saved = calls._columns
    calls._columns = lambda spec, fixed, columns: spec._rows(fixed, columns)
    try:
        return udf(*args)
    finally:
        calls._columns = saved


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    return f"{seconds * 1e3:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip 100k rows")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 7
    sizes = [10_000] if args.quick else [10_000, 100_000]

    print(f"xlbilling UDF benchmark - Python {platform.python_version()}, {platform.machine()},"
          f" {time.strftime('%Y-%m-%d %H:%M:%S')}")
    print("Measured on a shared 2-core machine (other jobs running): best and median of N runs.")
    print("UDF = the function as Excel calls it (column path); loop = plain Python loop calling the core rule")
    print("once per row; Decimal = the UDF's per-row Decimal path (the code before the column path).")
    print("Same data, same run; ratios are medians (below 1: the UDF is faster)\n")
    header = (f"{'function':<18} {'case':<22} {'UDF best':>11} {'UDF median':>11} {'loop median':>11}"
              f" {'Decimal med':>11} {'vs loop':>7} {'vs Dec':>6}  target")
    print(header)
    print("-" * len(header))
    for name, udf, make in CASES:
        rng = random.Random(20240201)
        # scalar: one cell per argument, as ndim=2 delivers it
        cell_args, rows, baseline = make(1, rng, distinct=True)
        scalar_args = tuple(a if isinstance(a[0][0], (list, tuple)) else a for a in cell_args)
        expected = baseline(*rows[0])
        assert udf(*scalar_args) == expected, (name, udf(*scalar_args), expected)
        u_best, u_med = timed(lambda: udf(*scalar_args), repeats, number=2000)
        b_best, b_med = timed(lambda: baseline(*rows[0]), repeats, number=2000)
        print(f"{name:<18} {'scalar':<22} {fmt_time(u_best):>11} {fmt_time(u_med):>11} {fmt_time(b_med):>11}"
              f" {'-':>11} {u_med / b_med:7.2f} {'-':>6}  {verdict('scalar', u_med, 0)}")
        for n in sizes:
            for distinct in (True, False):
                if n > 10_000 and not distinct:
                    continue
                col_args, rows, baseline = make(n, random.Random(n), distinct)
                # same numbers both ways (a correctness guard, not a timing assertion)
                got = udf(*col_args)
                want = [[baseline(*row)] for row in rows]
                assert got == want, f"{name}: UDF and loop disagree"
                assert [repr(v) for [v] in got] == [repr(v) for [v] in decimal_path(udf, col_args)], name
                reps = repeats if n <= 10_000 else max(3, repeats // 2)
                u_best, u_med = timed(lambda: udf(*col_args), reps)
                b_best, b_med = timed(lambda: [[baseline(*row)] for row in rows], reps)
                d_best, d_med = timed(lambda: decimal_path(udf, col_args), reps)
                case = f"{n // 1000}k column ({'distinct' if distinct else 'repeating'})"
                print(f"{name:<18} {case:<22} {fmt_time(u_best):>11} {fmt_time(u_med):>11}"
                      f" {fmt_time(b_med):>11} {fmt_time(d_med):>11} {u_med / b_med:7.3f} {u_med / d_med:6.3f}"
                      f"  {verdict(case, u_med, u_med / b_med)}")
    print("\nRange-reducing functions: 'loop' = the core rule called directly on the same plain lists (it is the"
          " per-row loop)")
    aggregate_rows(repeats, full=not args.quick)
    print("\nExcel's own cost (not measured here, no Excel on this machine): several ms per UDF call,"
          " so 10,000 filled-down formulas cost tens of seconds; one spilled formula costs one call.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
