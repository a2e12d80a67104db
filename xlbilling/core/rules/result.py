"""The shape every billing rule returns: the value and the working that shows
how it was reached ("cost 100.00 x (1 + 0.25) = 125.00"), so a workbook can
show the arithmetic beside the figure (STYLE.md, after Lago's breakdowns)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from decimal import ROUND_HALF_UP, Decimal, localcontext


@dataclass(frozen=True, slots=True)
class Result:
    value: Decimal
    working: str

    def __str__(self) -> str:
        return self.working


# Workings are for reading: a 28-digit quotient (159.35483870967741935483870967)
# wraps across a printed page and helps nobody check the sum.  Past this many
# decimals the text shows "~" and the value to that many places; the exact
# value stays in the cell and on the record.
WORKING_DECIMALS = 10


def fmt(value: Decimal) -> str:
    """Working text of `value` (see _fmt).  Memoised: a month formats the same
    quantities and prices ~1.7 million times.  Equal Decimals (1.5, 1.50) give
    the same text, so a cache keyed by value is exact; non-finite values are
    not cached (NaN is not equal to itself)."""
    if value.is_finite():
        return _fmt_cached(value)
    return _fmt(value)


def _fmt(value: Decimal) -> str:
    """Plain decimal text for workings: no exponent, no trailing-zero noise, and
    long fractions shortened to WORKING_DECIMALS with a leading '~'.

    Never quantizes in the ambient 28-digit context: 1E+400 or 10^20 with a
    long fraction would raise InvalidOperation there; format(.., 'f') is exact
    at any size and the shortening gets a context as wide as the number."""
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." not in text:
        return text
    whole, frac = text.split(".")
    frac = frac.rstrip("0")
    if len(frac) > WORKING_DECIMALS:
        with localcontext() as ctx:
            ctx.prec = max(ctx.prec, value.adjusted() + WORKING_DECIMALS + 3)
            short = value.quantize(Decimal(1).scaleb(-WORKING_DECIMALS), rounding=ROUND_HALF_UP)
        return "~" + _fmt(short)
    text = f"{whole}.{frac}" if frac else whole
    return "0" if text == "-0" else text


_fmt_cached = lru_cache(maxsize=65536)(_fmt)
