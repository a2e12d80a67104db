"""Fixed-point columns for the Excel functions' exact column path (excel/columns.py).

Why a separate module: the kernels in excel/columns.py say only the billing
arithmetic; how a column of cells becomes exact integers, and why every step
on them gives the Decimal path's value, lives here once.  Each scalar argument
is read once per call and broadcast; the common cells - floats, 0/1 flags,
dates, blanks, a few distinct texts - become numpy int64 fixed point; the rest
are marked not ok and take the Decimal path.

Exactness (the Decimal path, calls.Udf._rows, stays the reference):

* A float x is taken only when it provably equals its 15-significant-digit
  decimal (money.D reads Excel floats at 15 digits): k = rint(x * 10**s) with
  |k| <= 10**15 and k / 10**s == x in IEEE division (correctly rounded, both
  operands exact).  Then x is the double nearest k * 10**-s, a decimal of at
  most 15 significant digits, and by DBL_DIG = 15 its 15-digit text is that
  decimal again: D(x) == k * 10**-s exactly.
* -0.0, NaN/inf, ints beyond 2**53, Decimal and text cells, error codes,
  blanks where a value is required, and any row whose products could pass
  2**61 go to the Decimal path (calls.Udf._rows) unchanged.
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

tests/test_udf_columns.py compares every function built on these with the
Decimal path bit for bit on hundreds of thousands of random rows (blanks,
errors, text, -0.0, huge values, floats of more than 15 digits included).
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any, Callable

import numpy as np

from xlbilling.core.money import minor_units
from xlbilling.excel.cells import EXCEL_ERRORS, checked_currency, scode_error

_LIMIT = float(2 ** 61)     # int64 products, sums and 2 x values stay below 2**63
_EXACT_FLOAT = 2 ** 53      # integers a float64 holds exactly
_SCALES = tuple(range(13))  # tried in order: the smallest exact scale keeps products small
_EPOCH_ORDINAL = _dt.date(1899, 12, 30).toordinal()  # money.excel_serial_to_date
_MAX_SERIAL = 2958465                                # 9999-12-31


def pow10(s: int) -> int:
    return 10 ** s


class Num:
    """A number column in fixed point: value = k * 10**-scale where ok."""

    __slots__ = ("k", "scale", "ok", "x")

    def __init__(self, k: np.ndarray, scale: int, ok: np.ndarray, x: np.ndarray):
        self.k, self.scale, self.ok, self.x = k, scale, ok, x


def fixed(x: np.ndarray, ok: np.ndarray) -> Num:
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
    by cells.Arg.read: blank -> default, errors refused) are converted
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
            # an int may be an Excel error scode (cells.error_code): Decimal path
            ok = np.array([c.__class__ is float or (c.__class__ is int and -_EXACT_FLOAT <= c <= _EXACT_FLOAT
                                                    and scode_error(c) is None) for c in cells], dtype=bool)
            x = np.array([float(c) if good else 0.0 for c, good in zip(cells, ok.tolist())], dtype=np.float64)
        if minimum is not None:
            ok &= x >= minimum
        num = fixed(x, ok)
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
        """Minor units of the currency (cells.checked_currency: unknown -> Decimal path)."""
        name = self.udf.args[i].name
        return self.text(i, lambda c: minor_units(checked_currency(c, name)))

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

def to_float(k: np.ndarray, scale: np.ndarray | int, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def mul(a: np.ndarray, b: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a * b in int64 where the float estimate shows no overflow."""
    ok = ok & (np.abs(a.astype(np.float64)) * np.abs(b.astype(np.float64)) < _LIMIT)
    return np.where(ok, a, 0) * np.where(ok, b, 0), ok


def rescale(k: np.ndarray, by: int, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """k * 10**by (by >= 0), overflow-checked."""
    if by == 0:
        return k, ok
    if by > 18:
        return np.zeros(len(k), dtype=np.int64), np.zeros(len(k), dtype=bool)
    return mul(k, np.full(len(k), pow10(by), dtype=np.int64), ok)


def add(a: Num | tuple, b: Num | tuple) -> tuple[np.ndarray, int, np.ndarray]:
    """(k, scale, ok) of a + b at their common scale."""
    ka, sa, oa = a
    kb, sb, ob = b
    s = max(sa, sb)
    ka, oa = rescale(ka, s - sa, oa)
    kb, ob = rescale(kb, s - sb, ob)
    ok = oa & ob & (np.abs(ka.astype(np.float64)) + np.abs(kb.astype(np.float64)) < _LIMIT)
    return np.where(ok, ka, 0) + np.where(ok, kb, 0), s, ok


def round_half_up(k: np.ndarray, scale: int, units: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """k * 10**-scale rounded half away from zero to `units` decimals (per row),
    as integers of 10**-units (money.round_money)."""
    out = np.zeros(len(k), dtype=np.int64)
    for u in np.unique(units[ok]).tolist() if ok.any() else []:
        rows = ok & (units == u)
        kk = k[rows]
        if scale <= u:
            r, good = rescale(kk, u - scale, np.ones(len(kk), dtype=bool))
        elif scale - u > 18:
            r, good = np.zeros(len(kk), dtype=np.int64), np.zeros(len(kk), dtype=bool)
        else:
            d = pow10(scale - u)
            mag = (np.abs(kk) + d // 2) // d
            r, good = np.where(kk < 0, -mag, mag), np.ones(len(kk), dtype=bool)
        out[rows] = r
        sub = ok.copy()
        sub[rows] = good
        ok = sub
    return out, ok


def money_out(k, scale, units, ok, negative=None):
    """A rounded amount as Excel's float; a negative amount rounding to zero
    stays -0.0, as float(Decimal('-0.00')) does."""
    r, ok = round_half_up(k, scale, units, ok)
    value, ok = to_float(r, units, ok)
    if negative is not None:
        value = np.where(negative & (r == 0), -0.0, value)
    return value, ok
