"""Which UDF, if any, an invoice line's Amount cell is written with.

A money cell a user would compute with a UDF is written as
`=IFERROR(UDF(...), value)+0`: live in Excel with the add-in, the Python value
in any program without it, and #VALUE! (never a silently skipped text) when
the UDF fails.  A formula is used only when the UDF's
Python implementation, called on the values as Excel would pass them
(floats read back at 15 digits), gives exactly the line's amount, so the
UDF branch and the fallback can never disagree.  Other lines are plain
values with the working beside them (docs/workbook.md: why not ROUND(q*p,2)).

Used by the openpyxl writer and the live xlwings writer alike.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from xlbilling.core.money import D, to_excel
from xlbilling.core.records import InvoiceLine
from xlbilling.core.rules.acronis import commitment_fee
from xlbilling.core.rules.x360recover import endpoint_charge, prorated_storage
from xlbilling.errors import XlbillingError

# prorated_storage's working: "200 x 22 days assigned (2026-10-10 to 2026-10-31) / 31 days = ..."
_DAYS = re.compile(r"(\d+(?:\.\d+)?) x \d+ days assigned \((\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})\)")
_WORKSTATION = re.compile(r"workstation|non[-_ ]?server", re.IGNORECASE)
_SERVER = re.compile(r"server", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AmountCell:
    """How to write one line's Amount: `formula` (without the leading '=' and
    the IFERROR wrapper) or '' for a plain value; the From/To dates it needs."""

    udf: str = ""
    formula: str = ""
    first_day: dt.date | None = None
    last_day: dt.date | None = None


PLAIN = AmountCell()


def _as_excel(value: Decimal) -> Decimal:
    """What a UDF receives for a number written with to_excel: a float read back at 15 digits."""
    return D(to_excel(value))


def _currency_ref(ref: dict[str, str]) -> str:
    return ref["currency"]


def amount_cell(line: InvoiceLine, ref: dict[str, str], month: dt.date, *, month_cell: str,
                usage_total: Decimal | None = None, usage_sumifs: str = "") -> AmountCell:
    """Choose the UDF for `line` (ref maps column key -> this row's cell address).

    - commitment fee lines: COMMITMENT_FEE(SUMIFS(the customer's usage lines), commitment, currency)
    - storage licenses (working shows the days assigned): PRORATED_STORAGE(monthly price, From, To, month, currency)
    - server / workstation endpoint lines: ENDPOINT_CHARGE
    - anything else: a plain value.
    """
    try:
        if line.kind == "commitment_fee" and usage_total is not None and usage_sumifs:
            commitment = usage_total + line.amount
            if commitment_fee(_as_excel(usage_total), _as_excel(commitment), line.currency).value == line.amount:
                return AmountCell("COMMITMENT_FEE",
                                  f"COMMITMENT_FEE({usage_sumifs},{_num(commitment)},{_currency_ref(ref)})")
            return PLAIN
        m = _DAYS.search(line.working or "")
        if m:
            # The line's unit price is the prorated price (as in the CSV exports); the
            # monthly price goes into the formula, the days into From / To.
            monthly = Decimal(m.group(1))
            first, last = dt.date.fromisoformat(m.group(2)), dt.date.fromisoformat(m.group(3))
            got = prorated_storage(_as_excel(monthly), first, last, month, line.currency).value
            if got == line.amount:
                return AmountCell("PRORATED_STORAGE",
                                  f"PRORATED_STORAGE({_num(monthly)},{ref['first_day']},{ref['last_day']},"
                                  f"{month_cell},{_currency_ref(ref)})", first, last)
            return PLAIN
        label = f"{line.item} {line.unit}"
        qty, price = _as_excel(line.quantity), _as_excel(line.unit_price)
        if _WORKSTATION.search(label):
            if endpoint_charge(0, qty, 0, price, line.currency).value == line.amount:
                return AmountCell("ENDPOINT_CHARGE", f"ENDPOINT_CHARGE(0,{ref['quantity']},0,{ref['unit_price']},"
                                                     f"{_currency_ref(ref)})")
        elif _SERVER.search(label):
            if endpoint_charge(qty, 0, price, 0, line.currency).value == line.amount:
                return AmountCell("ENDPOINT_CHARGE", f"ENDPOINT_CHARGE({ref['quantity']},0,{ref['unit_price']},0,"
                                                     f"{_currency_ref(ref)})")
    except (XlbillingError, ValueError, ArithmeticError):
        return PLAIN
    return PLAIN


def _num(value: Decimal) -> str:
    """A Decimal as a formula literal (plain digits, no exponent)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def iferror(formula: str, fallback: Decimal) -> str:
    """=IFERROR(formula, fallback)+0: the UDF live with the add-in, the Python value without.

    Why the +0 (issue 9 item 7): a UDF that fails returns a text ("#VALUE! ...");
    IFERROR does not catch text and SUM/SUMIFS skip it, so the amount would
    silently leave every total.  Text + 0 is Excel's #VALUE!, which every total
    over the cell shows too: a failure can never pass for a number.  Without the
    add-in the function is unknown (#NAME?), IFERROR catches that, and +0 keeps
    the Python value.  (A UDF cannot return a real Excel error through xlwings
    0.37.8's VBA wrapper - xlwings #776 - so the formula has to make one.)"""
    return f"=IFERROR({formula},{_num(fallback)})+0"
