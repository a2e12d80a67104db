"""The shape every billing rule returns: the value and the working that shows
how it was reached ("cost 100.00 x (1 + 0.25) = 125.00"), so a workbook can
show the arithmetic beside the figure (STYLE.md, after Lago's breakdowns)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Result:
    value: Decimal
    working: str

    def __str__(self) -> str:
        return self.working


def fmt(value: Decimal) -> str:
    """Plain decimal text for workings: no exponent, no trailing-zero noise."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    return text
