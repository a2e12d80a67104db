"""Exact money: Decimal amounts with an ISO currency, one rounding rule, one way in
from Excel values and one way out to Excel floats.

Why: BILLING_RULES.md ("Money") - exact decimal arithmetic; a line amount is
rounded once, half away from zero, to the currency's minor unit taken from a
currency table (babel/CLDR: USD 2, JPY 0, BHD 3), and totals are sums of
rounded lines so an invoice always adds up.
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from xlbilling.errors import CurrencyMismatchError, RuleInputError, UnknownCurrencyError, show_value

# Decimal's ROUND_HALF_UP rounds ties *away from zero* (-2.5 -> -3): exactly the
# "half away from zero" of BILLING_RULES.md.  Named here so nobody relies on the
# ambient context's default (ROUND_HALF_EVEN).
ROUNDING = ROUND_HALF_UP

# Excel holds 15 significant decimal digits; a float coming out of a cell is
# read back at that precision so 0.1 stays 0.1 and =0.1+0.2 is 0.3, as Excel
# displays it, instead of 0.3000000000000000444...
EXCEL_SIGNIFICANT_DIGITS = 15


def D(value: object, *, what: str = "value") -> Decimal:
    """The one conversion of a number into Decimal, from whatever Excel or a file gives.

    Accepts Decimal, int, float (read at Excel's 15 significant digits), bool is
    refused (TRUE is not a quantity), numeric strings ("12.5", " 3 ", "1e3").
    Locale-formatted strings ("1.234,5") are the readers' business: they
    normalise first, then call D.  Raises RuleInputError naming `what`.
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise RuleInputError(f"{what}: {show_value(value)} is not a finite number", argument=what, value=value)
        return value
    if isinstance(value, bool):
        raise RuleInputError(f"{what}: expected a number, found {show_value(value)}", argument=what, value=value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RuleInputError(f"{what}: {show_value(value)} is not a finite number", argument=what, value=value)
        return _normalise(Decimal(format(value, f".{EXCEL_SIGNIFICANT_DIGITS}g")))
    if isinstance(value, str):
        text = value.strip()
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise RuleInputError(f"{what}: expected a number, found {show_value(value)}", argument=what, value=value) from None
        if not result.is_finite():
            raise RuleInputError(f"{what}: {show_value(value)} is not a finite number", argument=what, value=value)
        return result
    raise RuleInputError(f"{what}: expected a number, found {show_value(value)}", argument=what, value=value)


def _normalise(d: Decimal) -> Decimal:
    """Drop exponent notation that format(..., 'g') produces (1e+20 -> 100000000000000000000)."""
    if d == d.to_integral_value() and d.as_tuple().exponent > 0:
        try:
            return d.quantize(Decimal(1))
        except InvalidOperation:  # more digits than the context holds (1e30): keep the exponent form
            return d
    return d


def to_excel(value: Decimal) -> float:
    """The one place a Decimal becomes a float: only at the Excel boundary."""
    return float(value)


# --- currency table ---------------------------------------------------------

@lru_cache(maxsize=None)
def minor_units(currency: str) -> int:
    """Digits after the decimal point for an ISO 4217 code (CLDR via babel)."""
    code = normalise_currency(currency)
    from babel.numbers import get_currency_precision  # babel is a table, not IO

    return int(get_currency_precision(code))


@lru_cache(maxsize=None)
def _known_currencies() -> frozenset[str]:
    from babel.core import Locale

    return frozenset(Locale("en").currencies)


def normalise_currency(currency: object) -> str:
    """'usd ' -> 'USD'; anything that is not a known ISO 4217 code is an error."""
    if not isinstance(currency, str) or not currency.strip():
        raise UnknownCurrencyError(f"currency: expected an ISO 4217 code such as USD, found {currency!r}")
    code = currency.strip().upper()
    if code not in _known_currencies():
        raise UnknownCurrencyError(f"currency: {currency!r} is not an ISO 4217 currency code (e.g. USD, EUR, JPY)")
    return code


@lru_cache(maxsize=64)
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round once, half away from zero, to the currency's minor unit (JPY: 0 digits).

    Amounts at or above MAX_AMOUNT are refused ("value out of range"): products
    of 28-significant-digit values could no longer be exact to the cent there,
    and quantize in the ambient context would raise InvalidOperation."""
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise RuleInputError(f"amount {fmt_plain(amount)} {currency}: value out of range (an invoice amount must be"
                             f" below 10^{MAX_AMOUNT.adjusted()}); check the quantities and prices",
                             argument="amount", value=amount)
    return amount.quantize(_quantum(currency), rounding=ROUNDING)


def fmt_plain(value: Decimal) -> str:
    """Exact decimal text without exponent, shortened past 40 characters (for messages)."""
    text = format(value, "f") if value.is_finite() else str(value)
    return text if len(text) <= 40 else f"{text[:12]}...({len(text)} digits)"


# Bounds on numbers read from files (reports, price books): beyond them a
# number is "out of range", an error naming the cell, so every product and sum
# stays exact within Decimal's 28 significant digits (amounts < 10^27 at most
# here, refused above MAX_AMOUNT).
MAX_REPORT_VALUE = Decimal(10) ** 18       # 10^18 bytes = 1 EB; counts and GB far below
MAX_PRICE_VALUE = Decimal(10) ** 9         # a unit price, fee or rate
MAX_AMOUNT = Decimal(10) ** 24             # 28 digits less cents and a safety margin


def out_of_range(value: Decimal, limit: Decimal) -> bool:
    """Is |value| at or above `limit` (or not finite)?"""
    return not value.is_finite() or abs(value) >= limit


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency.  Arithmetic across currencies is an error."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        # D also for Decimals: it refuses NaN/Infinity, which are not amounts.
        object.__setattr__(self, "amount", D(self.amount, what="amount"))
        object.__setattr__(self, "currency", normalise_currency(self.currency))

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(Decimal(0), currency)

    def _check(self, other: object) -> "Money":
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot combine {self.currency} {self.amount} with {other.currency} {other.amount}: "
                "convert one of them first (CONVERT_CURRENCY)"
            )
        return other

    def __add__(self, other: "Money") -> "Money":
        return Money(self.amount + self._check(other).amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        return Money(self.amount - self._check(other).amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> "Money":
        if isinstance(factor, Money):
            raise TypeError("cannot multiply money by money")
        return Money(self.amount * D(factor, what="factor"), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: "Money") -> bool:
        return self.amount < self._check(other).amount

    def __le__(self, other: "Money") -> bool:
        return self.amount <= self._check(other).amount

    def __gt__(self, other: "Money") -> bool:
        return self.amount > self._check(other).amount

    def __ge__(self, other: "Money") -> bool:
        return self.amount >= self._check(other).amount

    def rounded(self) -> "Money":
        return Money(round_money(self.amount, self.currency), self.currency)

    def is_rounded(self) -> bool:
        return self.amount == round_money(self.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.currency} {self.amount}"


def sum_money(items: "list[Money] | tuple[Money, ...]", currency: str) -> Money:
    """Sum amounts of one currency (an empty list is zero in `currency`)."""
    total = Money.zero(currency)
    for item in items:
        total = total + item
    return total


# --- dates from Excel --------------------------------------------------------

_EXCEL_EPOCH = _dt.date(1899, 12, 30)  # serial 61 = 1900-03-01; serials below 61 are adjusted below


def excel_serial_to_date(serial: float | int | Decimal) -> _dt.date:
    """Excel 1900-system serial number -> date (time of day dropped)."""
    days = int(Decimal(str(serial)).to_integral_value(rounding="ROUND_FLOOR"))
    if days < 1 or days > 2958465:  # 9999-12-31
        raise RuleInputError(f"{serial!r} is not an Excel date serial number", value=serial)
    if days == 60:  # Excel's fictitious 1900-02-29 (its 1900 leap-year bug)
        raise RuleInputError(f"{serial!r} is Excel's 1900-02-29, a day that does not exist", value=serial)
    if days < 60:  # serials 1-59 come before the fictitious day: the epoch above is one day early for them
        days += 1
    return _EXCEL_EPOCH + _dt.timedelta(days=days)


def to_date(value: object, *, what: str = "date") -> _dt.date:
    """A date from what Excel sends: datetime/date from formatted cells, a serial
    number from unformatted ones, or an ISO string ('2024-02-29')."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, bool):
        raise RuleInputError(f"{what}: expected a date, found {show_value(value)}", argument=what, value=value)
    if isinstance(value, (int, float, Decimal)):
        try:
            return excel_serial_to_date(value)
        except RuleInputError:
            raise RuleInputError(f"{what}: expected a date, found {show_value(value)}", argument=what, value=value) from None
    if isinstance(value, str):
        text = value.strip()
        try:
            return _dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
        try:
            return excel_serial_to_date(D(text))
        except (RuleInputError, ValueError):
            pass
    raise RuleInputError(f"{what}: expected a date (yyyy-mm-dd or an Excel date), found {show_value(value)}",
                         argument=what, value=value)
