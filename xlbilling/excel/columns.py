"""Exact column paths for the row-wise Excel functions (UDFs) over ranges.

Why: a spilled formula over 100,000 rows used to convert every cell to Decimal,
re-read every scalar argument (basis, month, currency, discount) and build a
working text it threw away, row by row.  Here each function has a kernel that
computes the common cells a whole column at a time in numpy int64 fixed point
(excel/fixed_point.py: how the columns are read and why each step is exact);
every row a kernel cannot prove exact goes through the Decimal path
(calls.Udf._rows, the reference) unchanged.  The functions that reduce ranges
to one value have their own kernels (AGGREGATE_KERNELS), with the core rule as
the reference and the fallback.

tests/test_udf_columns.py compares every function with the Decimal path bit
for bit on hundreds of thousands of random rows (blanks, errors, text, -0.0,
huge values, floats of more than 15 digits included).
"""
from __future__ import annotations

import datetime as _dt

from itertools import compress
from decimal import Decimal
from typing import Any, Callable

import numpy as np

from xlbilling.core.rules import acronis, altaro, axcient_bff
from xlbilling.gc_pause import gc_paused
from xlbilling.excel.fixed_point import (
    Columns, Num, add, money_out, mul, pow10, rescale, to_float,
)


# --- the functions ----------------------------------------------------------------

def _billable_gb(a: Columns):
    # (uncompressed_gb, compressed_gb, can_view_compressed, basis, plan)
    unc, comp = a.number(0), a.number(1)
    basis, basis_ok = a.text(3, lambda b: axcient_bff.BASES.index(axcient_bff.normalise_basis(b)))
    flag, flag_ok = a.flag(2)
    basic, plan_ok = a.text(4, lambda p: int(axcient_bff.is_basic_plan(p)))
    # seeds/000: Basic plans always uncompressed; else basis, account -> the flag.
    use_comp = (basic == 0) & ((basis == 1) | ((basis == 2) & flag))
    # x is exact at 15 digits, so float(D(x)) is x itself.
    value = np.where(use_comp, comp.x, unc.x)
    return value, unc.ok & comp.ok & basis_ok & flag_ok & plan_ok


def _is_billable(a: Columns):
    deleted, ok1 = a.flag(0)   # (is_del, is_expired)
    expired, ok2 = a.flag(1)
    return [not v for v in (deleted | expired).tolist()], ok1 & ok2


def _endpoint_tier(a: Columns):
    appliance, ok1 = a.flag(0)   # (on_appliance, on_axcient_cloud)
    cloud, ok2 = a.flag(1)
    names = np.array(["self-hosted", "cloud-only", "bundled"], dtype=object)
    return names[np.where(cloud, np.where(appliance, 2, 1), 0)].tolist(), ok1 & ok2


def _products_sum(pairs: list[tuple[Num, Num]]) -> tuple[np.ndarray, int, np.ndarray]:
    total = None
    for left, right in pairs:
        k, ok = mul(left.k, right.k, left.ok & right.ok)
        term = (k, left.scale + right.scale, ok)
        total = term if total is None else add(total, term)
    return total


def _endpoint_charge(a: Columns):
    # (servers, workstations, server_rate, workstation_rate, currency)
    s, w, sr, wr = (a.number(i) for i in range(4))
    units, cur_ok = a.currency(4)
    k, scale, ok = _products_sum([(s, sr), (w, wr)])
    return money_out(k, scale, units, ok & cur_ok)


def _pool(a: Columns, first: int = 0):
    # (server_licenses, workstation_licenses, server_gb, workstation_gb) from `first`
    s, w, sgb, wgb = (a.number(first + i) for i in range(4))
    return _products_sum([(s, sgb), (w, wgb)])


def _pool_allowance_gb(a: Columns):
    k, scale, ok = _pool(a)
    return to_float(k, scale, ok)


def _storage_overage_gb(a: Columns):
    used = a.number(0)   # (cloud_gb, then the pool's four)
    k, scale, ok = _pool(a, 1)
    dk, ds, dok = add((used.k, used.scale, used.ok), (-k, scale, ok))
    return to_float(np.maximum(dk, 0), ds, dok)   # seeds/002: never negative


def _prorated_storage(a: Columns):
    # (monthly_price, first_day, last_day, month, currency)
    price = a.number(0)
    units, cur_ok = a.currency(4)
    first, first_blank, first_ok = a.date(1)
    last, last_blank, last_ok = a.date(2)
    month, month_blank, month_ok = a.date(3)
    ok = price.ok & cur_ok & first_ok & last_ok & month_ok & ~month_blank
    start, end = _month_bounds(month, ok)
    lo = np.where(first_blank, start, np.maximum(first, start))
    hi = np.where(last_blank, end, np.minimum(last, end))
    ok &= first_blank | last_blank | (last >= first)  # else "last_day is before first_day"
    days = np.maximum(0, hi - lo + 1)
    dim = end - start + 1
    # seeds/002: price x days / days in month, rounded once: N / (dim * 10**scale).
    out = np.zeros(a.n, dtype=np.float64)
    for u in np.unique(units[ok]).tolist() if ok.any() else []:
        rows = ok & (units == u)
        num, good = mul(price.k[rows], days[rows] * pow10(u), np.ones(int(rows.sum()), dtype=bool))
        den = dim[rows] * pow10(price.scale)
        r = (2 * num + den) // (2 * den)          # half up (all >= 0)
        value, good = to_float(r, u, good)
        out[rows] = value
        sub = ok.copy()
        sub[rows] = good
        ok = sub
    return out, ok


def _month_bounds(ordinal: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day (ordinals) of each row's month."""
    start = np.zeros(len(ordinal), dtype=np.int64)
    end = np.zeros(len(ordinal), dtype=np.int64)
    for o in np.unique(ordinal[ok]).tolist() if ok.any() else []:
        day = _dt.date.fromordinal(int(o))
        first = day.replace(day=1)
        nxt = (first + _dt.timedelta(days=32)).replace(day=1)
        rows = ordinal == o
        start[rows], end[rows] = first.toordinal(), nxt.toordinal() - 1
    return start, end


def _cost(a: Columns):
    """(sell, disc, cost k, cost scale, ok): seeds/001 cost = sell x (1 - disc)."""
    sell = a.number(0)   # (sell_price, distributor_discount, ...)
    disc = a.number(1)
    one = np.full(a.n, pow10(disc.scale), dtype=np.int64)
    k, ok = mul(sell.k, one - disc.k, sell.ok & disc.ok & (disc.x <= 1))
    return sell, disc, k, sell.scale + disc.scale, ok


def _cost_price(a: Columns):
    _, _, k, scale, ok = _cost(a)
    return to_float(k, scale, ok)


_RULES = ("",) + acronis.PRICE_RULES  # codes: 0 blank, 1 markup, 2 margin, 3 sell


def _reseller_price(a: Columns):
    # (sell_price, distributor_discount, rule, rate)
    rule, rule_ok = a.text(2, lambda r: _RULES.index(acronis.normalise_rule(r)))
    rate = a.number(3)
    sell, disc, cost_k, cost_s, cost_ok = _cost(a)
    # Every cell must also pass cells.Arg.read (no blank discount, no error
    # code), even where the rule ignores it: all three must be plain numbers.
    rule_ok = rule_ok & sell.ok & disc.ok & rate.ok
    out = np.zeros(a.n, dtype=np.float64)
    ok = np.zeros(a.n, dtype=bool)
    # blank rule: the sell price stands (the discount is still checked, >= 0).
    rows = rule_ok & (rule == 0) & sell.ok & disc.ok
    out[rows], ok[rows] = sell.x[rows], True
    # sell: sell x rate.
    k, good = mul(sell.k, rate.k, rule_ok & (rule == 3) & sell.ok & rate.ok)
    value, good = to_float(k, sell.scale + rate.scale, good)
    out[good], ok[good] = value[good], True
    # markup: cost x (1 + rate).
    one = np.full(a.n, pow10(rate.scale), dtype=np.int64)
    k, good = mul(cost_k, one + rate.k, rule_ok & (rule == 1) & cost_ok & rate.ok)
    value, good = to_float(k, cost_s + rate.scale, good)
    out[good], ok[good] = value[good], True
    # margin: cost / (1 - rate), rate < 1: Decimal divides the exact integers.
    margin = rule_ok & (rule == 2) & cost_ok & rate.ok & (rate.x < 1)
    num, margin = rescale(cost_k, rate.scale, margin)
    den = one - rate.k
    idx = np.flatnonzero(margin)
    if len(idx):
        shift = Decimal(1).scaleb(-cost_s)
        out[idx] = [float((Decimal(n) * shift) / Decimal(d)) for n, d in
                    zip(num[idx].tolist(), den[idx].tolist())]
        ok[idx] = True
    return out, ok


def _commitment_fee(a: Columns):
    # (usage_total, minimum_commitment, currency)
    usage = a.number(0, minimum=None)
    commitment = a.number(1)
    units, cur_ok = a.currency(2)
    k, scale, ok = add((commitment.k, commitment.scale, commitment.ok), (-usage.k, usage.scale, usage.ok))
    return money_out(np.maximum(k, 0), scale, units, ok & cur_ok)


def _convert_currency(a: Columns):
    # (amount, rate, to_currency)
    amount = a.number(0, minimum=None)
    rate = a.number(1)
    units, cur_ok = a.currency(2)
    k, ok = mul(amount.k, rate.k, amount.ok & rate.ok & (rate.x > 0))
    return money_out(k, amount.scale + rate.scale, units, ok & cur_ok, negative=k < 0)


def _cancel_window(a: Columns):
    day, blank, ok = a.date(0)
    ok &= ~blank
    start, end = _month_bounds(day, ok)
    # seeds/004: the last day of a month, or the 1st or 2nd.
    return ((day == end) | (day - start <= 1)).tolist(), ok


KERNELS: dict[str, Callable[[Columns], tuple[Any, np.ndarray]]] = {
    "BILLABLE_GB": _billable_gb,
    "IS_BILLABLE": _is_billable,
    "ENDPOINT_CHARGE": _endpoint_charge,
    "ENDPOINT_TIER": _endpoint_tier,
    "PRORATED_STORAGE": _prorated_storage,
    "POOL_ALLOWANCE_GB": _pool_allowance_gb,
    "STORAGE_OVERAGE_GB": _storage_overage_gb,
    "COST_PRICE": _cost_price,
    "RESELLER_PRICE": _reseller_price,
    "COMMITMENT_FEE": _commitment_fee,
    "CONVERT_CURRENCY": _convert_currency,
    "ACRONIS_CANCEL_WINDOW": _cancel_window,
}


# --- the functions that reduce ranges to one value (calls.Aggregate) ---------------
# Each takes the columns exactly as the rule would (blanks as None, error cells
# already refused: calls.Aggregate) and returns the rule's value, or None where
# it cannot prove that value: the rule then decides.

_TEXT_OR_BLANK = frozenset({str, type(None)})


def _billed_users(types: list, names: list) -> int | None:
    """altaro.billed_users(...).count: the distinct non-empty name_key among the
    rows whose type is_billed_type.  Both are pure functions of a text's value,
    so each runs once per distinct text instead of once per row.  Only exact
    str and blank cells: a number cell's key depends on its type (name_key uses
    str() and truthiness) and set() would merge it with an equal number of
    another type (1 == 1.0 == True)."""
    if len(types) != len(names) or not set(map(type, types)) | set(map(type, names)) <= _TEXT_OR_BLANK:
        return None
    billed_type = {t: altaro.is_billed_type(t) for t in set(types)}
    keys = set(map(altaro.name_key, set(compress(names, map(billed_type.__getitem__, types)))))
    keys.discard("")   # blank names (None among them) are not users
    return len(keys)


AGGREGATE_KERNELS: dict[str, Callable[..., Any]] = {
    "BILLED_USERS": _billed_users,
    # AVERAGE_DAILY_USAGE: none - one month is at most 31 values, and the whole
    # call over a month costs about what the rule alone does (benchmarks/bench_udfs.py).
}


@gc_paused
def column_rows(udf: Any, fixed: list, columns: dict[int, list]) -> tuple[list[list], int]:
    """(results as a column, rows that took the Decimal path) for one call over
    ranges: the exact column kernel where it applies, udf._rows elsewhere.

    The garbage collector is paused meanwhile (xlbilling.gc_pause): the call
    makes one small list per row, none in a cycle, and each collection would
    walk the whole argument ranges again - the cost grew faster than the rows."""
    n = len(next(iter(columns.values())))
    kernel = KERNELS.get(udf.name)
    if kernel is None:
        return udf._rows(fixed, columns), n
    values, ok = kernel(Columns(udf, fixed, columns, n))
    if isinstance(values, np.ndarray):
        values = values.tolist()
    result = list(map(list, zip(values)))   # one [value] per row, built in C
    rest = np.flatnonzero(~ok).tolist()
    if rest:
        sub = {i: [cells[r] for r in rest] for i, cells in columns.items()}
        for r, row in zip(rest, udf._rows(fixed, sub)):
            result[r] = row
    return result, len(rest)
