"""The shape every billing rule returns: the value and the working that shows
how it was reached ("cost 100.00 x (1 + 0.25) = 125.00"), so a workbook can
show the arithmetic beside the figure (STYLE.md, after Lago's breakdowns)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


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
    """Plain decimal text for workings: no exponent, no trailing-zero noise, and
    long fractions shortened to WORKING_DECIMALS with a leading '~'."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    decimals = len(text) - text.index(".") - 1
    if decimals > WORKING_DECIMALS:
        short = value.quantize(Decimal(1).scaleb(-WORKING_DECIMALS), rounding=ROUND_HALF_UP).normalize()
        return "~" + format(short, "f")
    return text
