"""Exact column paths for the row-wise Excel functions (UDFs) over ranges.

Why: a spilled formula over 100,000 rows used to convert every cell to Decimal,
re-read every scalar argument (basis, month, currency, discount) and build a
working text it threw away, row by row.  Here each scalar is read once per
call and the common cells - floats, 0/1 flags, dates, blanks, a few distinct
texts - are computed a whole column at a time in numpy int64 fixed point.

Exactness (the Decimal path, udf_support.Udf._rows, stays the reference):

* A float x is taken only when it provably equals its 15-significant-digit
  decimal (money.D reads Excel floats at 15 digits): k = rint(x * 10**s) with
  |k| <= 10**15 and k / 10**s == x in IEEE division (correctly rounded, both
  operands exact).  Then x is the double nearest k * 10**-s, a decimal of at
  most 15 significant digits, and by DBL_DIG = 15 its 15-digit text is that
  decimal again: D(x) == k * 10**-s exactly.
* -0.0, NaN/inf, ints beyond 2**53, Decimal and text cells, error codes,
  blanks where a value is required, and any row whose products could pass
  2**61 go to the Decimal path (udf_support's per-row loop) unchanged.
* Sums and products of such integers are exact in int64 under those bounds;
  Decimal computes the same values exactly (at most 19 digits, within its 28).
* Amounts round half away from zero at the currency's minor unit, as
  money.round_money.  Where Decimal divides (x days / days in the month) it
  rounds the quotient to 28 digits first; that cannot move a half-unit
  decision: a quotient N / D within 28 digits' error of a half-unit boundary
  would need N * 10**minor >= 10**27, and N * 10**minor < 2**61 here.
* A result k * 10**-s becomes float(k) / 10**s with |k| <= 2**53 and s <= 22:
  one correctly rounded IEEE division, i.e. float(Decimal(k).scaleb(-s)).
* Divisions whose quotient Decimal rounds to 28 digits (RESELLER_PRICE's
  margin) are done by Decimal itself on the exact integers: the quotient is
  correctly rounded in the caller's context either way, so the value is the
  same.

tests/test_udf_columns.py compares every function with the Decimal path bit
for bit on hundreds of thousands of random rows (blanks, errors, text, -0.0,
huge values, floats of more than 15 digits included).
"""
from __future__ import annotations

import datetime as _dt
import gc
from decimal import Decimal
from typing import Any, Callable

import numpy as np

from xlbilling.core.money import minor_units
from xlbilling.core.rules import acronis, axcient_bff
from xlbilling.excel.cells import EXCEL_ERRORS, _currency, scode_error

_LIMIT = float(2 ** 61)     # int64 products, sums and 2 x values stay below 2**63
_EXACT_FLOAT = 2 ** 53      # integers a float64 holds exactly
_SCALES = tuple(range(13))  # tried in order: the smallest exact scale keeps products small
_EPOCH_ORDINAL = _dt.date(1899, 12, 30).toordinal()  # money.excel_serial_to_date
_MAX_SERIAL = 2958465                                # 9999-12-31


def _pow10(s: int) -> int:
    return 10 ** s


class Num:
    """A number column in fixed point: value = k * 10**-scale where ok."""

    __slots__ = ("k", "scale", "ok", "x")

    def __init__(self, k: np.ndarray, scale: int, ok: np.ndarray, x: np.ndarray):
        self.k, self.scale, self.ok, self.x = k, scale, ok, x


def _fixed(x: np.ndarray, ok: np.ndarray) -> Num:
    """The smallest scale of _SCALES at which every usable float is exact (or
    the one holding most of them); the others are not ok."""
    with np.errstate(invalid="ignore", over="ignore"):
        ok = ok & np.isfinite(x) & ~((x == 0) & np.signbit(x))
        best = None
        want = int(ok.sum())
        for s in _SCALES:
            p = 10.0 ** s
            k = np.rint(x * p)
            good = ok & (np.abs(k) <= 1e15) & (k / p == x)
            count = int(good.sum())
            if best is None or count > best[0]:
                best = (count, s, k, good)
            if count == want:
                break
    _, s, k, good = best
    return Num(np.where(good, k, 0).astype(np.int64), s, good, x)


class Columns:
    """One call's arguments, each as a column of n rows: scalars (already read
    by udf_support.Arg.read: blank -> default, errors refused) are converted
    once and broadcast; range cells are classified and converted here."""

    def __init__(self, udf: Any, fixed: list, columns: dict[int, list], n: int):
        self.udf, self.fixed, self.columns, self.n = udf, fixed, columns, n

    def _cells(self, i: int) -> tuple[list, bool]:
        if i in self.columns:
            return self.columns[i], False
        return [self.fixed[i]], True

    def _default(self, i: int) -> Any:
        return self.udf.args[i].default

    def _spread(self, scalar: bool, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
        if not scalar:
            return arrays
        return tuple(np.full(self.n, a[0], dtype=a.dtype) for a in arrays)

    def number(self, i: int, minimum: float | None = 0.0) -> Num:
        """Floats (and ints below 2**53) exact at 15 digits, >= minimum; a blank
        cell takes the argument's default (blank without one: Decimal path)."""
        cells, scalar = self._cells(i)
        default = self._default(i)
        if default is not None and default.__class__ in (int, float) and not isinstance(default, bool):
            cells = [default if c is None else c for c in cells] if None in cells else cells
        kinds = set(map(type, cells))
        if kinds == {float}:
            x = np.array(cells, dtype=np.float64)
            ok = np.ones(len(cells), dtype=bool)
        else:
            # an int may be an Excel error scode (udf_support.error_code): Decimal path
            ok = np.array([c.__class__ is float or (c.__class__ is int and -_EXACT_FLOAT <= c <= _EXACT_FLOAT
                                                    and scode_error(c) is None) for c in cells], dtype=bool)
            x = np.array([float(c) if good else 0.0 for c, good in zip(cells, ok.tolist())], dtype=np.float64)
        if minimum is not None:
            ok &= x >= minimum
        num = _fixed(x, ok)
        if scalar:
            num.k, num.ok, num.x = self._spread(True, num.k, num.ok, num.x)
        return num

    def flag(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """0/1 (float or int), blank -> the default (0); others: Decimal path."""
        cells, scalar = self._cells(i)
        default = self._default(i)
        if set(map(type, cells)) == {float}:  # the usual column: no per-cell Python
            x = np.array(cells, dtype=np.float64)
            return self._spread(scalar, x == 1, (x == 0) | (x == 1))
        table = {0.0: False, 1.0: True}

        def one(c: Any) -> int:
            if c is None:
                c = default
            if c.__class__ in (float, int):
                got = table.get(c)
                if got is not None:
                    return int(got)
            return -1

        codes = np.array([one(c) for c in cells], dtype=np.int8)
        value, ok = codes == 1, codes >= 0
        return self._spread(scalar, value, ok)

    def text(self, i: int, classify: Callable[[Any], int]) -> tuple[np.ndarray, np.ndarray]:
        """A text argument mapped to small codes by `classify`, called once per
        distinct value (a ValueError-like failure: that row takes the Decimal
        path).  Blank -> the default; only str (and the default) are classified."""
        cells, scalar = self._cells(i)
        default = self._default(i)

        def code(c: Any) -> int:
            if c is None or (c.__class__ is str and not c.strip()):
                c = default  # Arg.read: blank -> the default
            if c.__class__ is not str or c in EXCEL_ERRORS:
                return -1
            try:
                return classify(c)
            except Exception:  # noqa: BLE001 - the Decimal path reports it
                return -1

        # One code per distinct cell; str and its subclass ExcelError may share a dict
        # key (equal text), but both only ever give -1 there (error texts).
        try:
            table = {c: code(c) if c.__class__ is str or c is None else -1 for c in set(cells)}
            codes = np.array(list(map(table.__getitem__, cells)), dtype=np.int16)
        except TypeError:  # an unhashable cell
            codes = np.array([code(c) if c.__class__ is str or c is None else -1 for c in cells], dtype=np.int16)
        return self._spread(scalar, codes, codes >= 0)

    def currency(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Minor units of the currency (udf_support's cached check: unknown -> Decimal path)."""
        name = self.udf.args[i].name
        return self.text(i, lambda c: minor_units(_currency(c, name)))

    def date(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(date ordinal, blank, ok): date / datetime cells, Excel serials
        (money.excel_serial_to_date: 1900 leap-day bug, serial 60 refused) and
        blank; ISO text and the rest take the Decimal path."""
        cells, scalar = self._cells(i)
        date_classes = (_dt.datetime, _dt.date)
        # -1: not a date object, 0: blank (no date has ordinal 0)
        ordinals = np.array([c.toordinal() if c.__class__ in date_classes else (0 if c is None else -1)
                             for c in cells], dtype=np.int64)
        blank = ordinals == 0
        ok = ordinals >= 0
        serial_at = np.flatnonzero(~ok)
        if len(serial_at):
            picked = [cells[j] for j in serial_at.tolist()]
            numeric = np.array([c.__class__ is float or c.__class__ is int for c in picked], dtype=bool)
            at = serial_at[numeric]
            serials = [float(c) if -1e18 < c < 1e18 else np.nan for c, good in zip(picked, numeric.tolist()) if good]
            with np.errstate(invalid="ignore"):
                s = np.floor(np.array(serials, dtype=np.float64))
                good = np.isfinite(s) & (s >= 1) & (s <= _MAX_SERIAL) & (s != 60)
            days = np.where(good, s, 0).astype(np.int64)
            ordinals[at] = _EPOCH_ORDINAL + days + (days < 60)
            ok[at] = good
        return self._spread(scalar, ordinals, blank, ok)


# --- output helpers -------------------------------------------------------------

def _to_float(k: np.ndarray, scale: np.ndarray | int, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """k * 10**-scale as the correctly rounded float: float(k) / 10.0**scale
    where |k| <= 2**53 and scale <= 22 (both exact, one IEEE division); the
    few wider rows through Decimal's own correctly rounded float()."""
    scale = np.broadcast_to(np.asarray(scale, dtype=np.int64), k.shape).copy()
    k = k.copy()
    big = ok & ((np.abs(k) > _EXACT_FLOAT) | (scale > 22))
    while big.any():  # trailing zeros first: 12.50 at scale 12 is 125 at scale 1
        tens = big & (scale > 0) & (k % 10 == 0)
        if not tens.any():
            break
        k[tens] //= 10
        scale[tens] -= 1
        big = ok & ((np.abs(k) > _EXACT_FLOAT) | (scale > 22))
    with np.errstate(over="ignore"):
        value = k.astype(np.float64) / (10.0 ** np.minimum(scale, 22).astype(np.float64))
    idx = np.flatnonzero(big)
    if len(idx):
        value[idx] = [float(Decimal(int(v)).scaleb(-int(e))) for v, e in zip(k[idx].tolist(), scale[idx].tolist())]
    return value, ok


def _mul(a: np.ndarray, b: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a * b in int64 where the float estimate shows no overflow."""
    ok = ok & (np.abs(a.astype(np.float64)) * np.abs(b.astype(np.float64)) < _LIMIT)
    return np.where(ok, a, 0) * np.where(ok, b, 0), ok


def _rescale(k: np.ndarray, by: int, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """k * 10**by (by >= 0), overflow-checked."""
    if by == 0:
        return k, ok
    if by > 18:
        return np.zeros(len(k), dtype=np.int64), np.zeros(len(k), dtype=bool)
    return _mul(k, np.full(len(k), _pow10(by), dtype=np.int64), ok)


def _add(a: Num | tuple, b: Num | tuple) -> tuple[np.ndarray, int, np.ndarray]:
    """(k, scale, ok) of a + b at their common scale."""
    ka, sa, oa = a
    kb, sb, ob = b
    s = max(sa, sb)
    ka, oa = _rescale(ka, s - sa, oa)
    kb, ob = _rescale(kb, s - sb, ob)
    ok = oa & ob & (np.abs(ka.astype(np.float64)) + np.abs(kb.astype(np.float64)) < _LIMIT)
    return np.where(ok, ka, 0) + np.where(ok, kb, 0), s, ok


def _round_half_up(k: np.ndarray, scale: int, units: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """k * 10**-scale rounded half away from zero to `units` decimals (per row),
    as integers of 10**-units (money.round_money)."""
    out = np.zeros(len(k), dtype=np.int64)
    for u in np.unique(units[ok]).tolist() if ok.any() else []:
        rows = ok & (units == u)
        kk = k[rows]
        if scale <= u:
            r, good = _rescale(kk, u - scale, np.ones(len(kk), dtype=bool))
        elif scale - u > 18:
            r, good = np.zeros(len(kk), dtype=np.int64), np.zeros(len(kk), dtype=bool)
        else:
            d = _pow10(scale - u)
            mag = (np.abs(kk) + d // 2) // d
            r, good = np.where(kk < 0, -mag, mag), np.ones(len(kk), dtype=bool)
        out[rows] = r
        sub = ok.copy()
        sub[rows] = good
        ok = sub
    return out, ok


def _money_out(k, scale, units, ok, negative=None):
    """A rounded amount as Excel's float; a negative amount rounding to zero
    stays -0.0, as float(Decimal('-0.00')) does."""
    r, ok = _round_half_up(k, scale, units, ok)
    value, ok = _to_float(r, units, ok)
    if negative is not None:
        value = np.where(negative & (r == 0), -0.0, value)
    return value, ok


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
        k, ok = _mul(left.k, right.k, left.ok & right.ok)
        term = (k, left.scale + right.scale, ok)
        total = term if total is None else _add(total, term)
    return total


def _endpoint_charge(a: Columns):
    # (servers, workstations, server_rate, workstation_rate, currency)
    s, w, sr, wr = (a.number(i) for i in range(4))
    units, cur_ok = a.currency(4)
    k, scale, ok = _products_sum([(s, sr), (w, wr)])
    return _money_out(k, scale, units, ok & cur_ok)


def _pool(a: Columns, first: int = 0):
    # (server_licenses, workstation_licenses, server_gb, workstation_gb) from `first`
    s, w, sgb, wgb = (a.number(first + i) for i in range(4))
    return _products_sum([(s, sgb), (w, wgb)])


def _pool_allowance_gb(a: Columns):
    k, scale, ok = _pool(a)
    return _to_float(k, scale, ok)


def _storage_overage_gb(a: Columns):
    used = a.number(0)   # (cloud_gb, then the pool's four)
    k, scale, ok = _pool(a, 1)
    dk, ds, dok = _add((used.k, used.scale, used.ok), (-k, scale, ok))
    return _to_float(np.maximum(dk, 0), ds, dok)   # seeds/002: never negative


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
        num, good = _mul(price.k[rows], days[rows] * _pow10(u), np.ones(int(rows.sum()), dtype=bool))
        den = dim[rows] * _pow10(price.scale)
        r = (2 * num + den) // (2 * den)          # half up (all >= 0)
        value, good = _to_float(r, u, good)
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
    one = np.full(a.n, _pow10(disc.scale), dtype=np.int64)
    k, ok = _mul(sell.k, one - disc.k, sell.ok & disc.ok & (disc.x <= 1))
    return sell, disc, k, sell.scale + disc.scale, ok


def _cost_price(a: Columns):
    _, _, k, scale, ok = _cost(a)
    return _to_float(k, scale, ok)


_RULES = ("",) + acronis.PRICE_RULES  # codes: 0 blank, 1 markup, 2 margin, 3 sell


def _reseller_price(a: Columns):
    # (sell_price, distributor_discount, rule, rate)
    rule, rule_ok = a.text(2, lambda r: _RULES.index(acronis.normalise_rule(r)))
    rate = a.number(3)
    sell, disc, cost_k, cost_s, cost_ok = _cost(a)
    # Every cell must also pass udf_support.Arg.read (no blank discount, no error
    # code), even where the rule ignores it: all three must be plain numbers.
    rule_ok = rule_ok & sell.ok & disc.ok & rate.ok
    out = np.zeros(a.n, dtype=np.float64)
    ok = np.zeros(a.n, dtype=bool)
    # blank rule: the sell price stands (the discount is still checked, >= 0).
    rows = rule_ok & (rule == 0) & sell.ok & disc.ok
    out[rows], ok[rows] = sell.x[rows], True
    # sell: sell x rate.
    k, good = _mul(sell.k, rate.k, rule_ok & (rule == 3) & sell.ok & rate.ok)
    value, good = _to_float(k, sell.scale + rate.scale, good)
    out[good], ok[good] = value[good], True
    # markup: cost x (1 + rate).
    one = np.full(a.n, _pow10(rate.scale), dtype=np.int64)
    k, good = _mul(cost_k, one + rate.k, rule_ok & (rule == 1) & cost_ok & rate.ok)
    value, good = _to_float(k, cost_s + rate.scale, good)
    out[good], ok[good] = value[good], True
    # margin: cost / (1 - rate), rate < 1: Decimal divides the exact integers.
    margin = rule_ok & (rule == 2) & cost_ok & rate.ok & (rate.x < 1)
    num, margin = _rescale(cost_k, rate.scale, margin)
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
    k, scale, ok = _add((commitment.k, commitment.scale, commitment.ok), (-usage.k, usage.scale, usage.ok))
    return _money_out(np.maximum(k, 0), scale, units, ok & cur_ok)


def _convert_currency(a: Columns):
    # (amount, rate, to_currency)
    amount = a.number(0, minimum=None)
    rate = a.number(1)
    units, cur_ok = a.currency(2)
    k, ok = _mul(amount.k, rate.k, amount.ok & rate.ok & (rate.x > 0))
    return _money_out(k, amount.scale + rate.scale, units, ok & cur_ok, negative=k < 0)


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


def column_rows(udf: Any, fixed: list, columns: dict[int, list]) -> tuple[list[list], int]:
    """(results as a column, rows that took the Decimal path) for one call over
    ranges: the exact column kernel where it applies, udf._rows elsewhere.

    The garbage collector is paused meanwhile (restored in finally): the call
    makes one small list per row, none in a cycle, and each collection would
    walk the whole argument ranges again - the cost grew faster than the rows."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _column_rows(udf, fixed, columns)
    finally:
        if enabled:
            gc.enable()


def _column_rows(udf: Any, fixed: list, columns: dict[int, list]) -> tuple[list[list], int]:
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
