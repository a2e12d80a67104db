"""Price-book cells checked one by one: numbers, currencies, choices, dates and
text, each bad cell added to one CellProblems list so a price book's problems
are all reported at once in a single PriceBookError (file, sheet, row, column,
value found, what was expected, likely fix).  Pure: no file is opened here;
pricing/pricebook_sheets.py reads the workbook, pricing/pricebook.py turns the
rows into the model."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xlbilling.core.money import MAX_PRICE_VALUE, D, normalise_currency, out_of_range, to_date
from xlbilling.errors import PriceBookError, XlbillingError, show_value

MAX_LISTED = 60


class CellProblems:
    """Every bad cell of one price book, raised together: a finance user fixes
    them all in one pass instead of one error per run."""

    def __init__(self, path: str):
        self.path = path
        self.items: list[str] = []

    def add(self, sheet: str, row: int | None, column: str | None, value: object, expected: str, fix: str = "") -> None:
        where = f"sheet {sheet!r}" + (f", row {row}" if row else "") + (f", column {column!r}" if column else "")
        found = "a blank cell" if value in (None, "") else show_value(value)
        self.items.append(f"{where}: found {found}, expected {expected}" + (f"; {fix}" if fix else ""))

    def raise_if_any(self) -> None:
        if self.items:
            shown = "\n  ".join(self.items[:MAX_LISTED])
            more = f"\n  ... and {len(self.items) - MAX_LISTED} more" if len(self.items) > MAX_LISTED else ""
            raise PriceBookError(f"price book {self.path}: {len(self.items)} problem(s), nothing was priced:\n"
                                 f"  {shown}{more}")


def cell_text(value: object) -> str:
    """Vendor strings stay text; an account number typed as a number reads back as '1234', not '1234.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value).strip()


def header_key(header: object) -> str:
    return " ".join(str(header or "").replace("*", "").split()).casefold()



def cell_number(problems: CellProblems, sheet: str, row: int, column: str, value: object, *, required: bool = False,
            minimum: Decimal | None = Decimal(0), maximum: Decimal | None = None, example: str = "0.25") -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(sheet, row, column, value, f"a number such as {example}", "fill the cell")
        return None
    try:
        d = D(value.replace(",", "") if isinstance(value, str) and "," in value and "." in value else value,
              what=column)
    except XlbillingError:
        problems.add(sheet, row, column, value, f"a number such as {example}",
                     "type the number without a currency sign or text")
        return None
    if out_of_range(d, MAX_PRICE_VALUE):
        problems.add(sheet, row, column, value, f"a number below 10^{MAX_PRICE_VALUE.adjusted()} (value out of range)")
        return None
    if minimum is not None and d < minimum:
        problems.add(sheet, row, column, value, f"a number >= {minimum}")
        return None
    if maximum is not None and d > maximum:
        hint = " (fractions: 20% = 0.2)" if maximum <= 1 else ""
        problems.add(sheet, row, column, value, f"a number <= {maximum}{hint}")
        return None
    return d


def cell_currency(problems: CellProblems, sheet: str, row: int, column: str, value: object, default: str) -> str:
    text = cell_text(value)
    if not text:
        return default
    try:
        return normalise_currency(text)
    except XlbillingError:
        problems.add(sheet, row, column, value, "an ISO 4217 currency code such as USD, EUR, JPY")
        return default


def cell_choice(problems: CellProblems, sheet: str, row: int, column: str, value: object, allowed: tuple[str, ...],
            default: str = "") -> str:
    text = cell_text(value).lower()
    if not text:
        return default
    if text not in allowed:
        problems.add(sheet, row, column, value, "one of " + ", ".join(allowed), "pick a value from the cell's list")
        return default
    return text


def cell_date(problems: CellProblems, sheet: str, row: int, column: str, value: object) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return to_date(value, what=column)
    except XlbillingError:
        problems.add(sheet, row, column, value, "a date (yyyy-mm-dd or an Excel date)")
        return None


X360_GB_SIZES = (Decimal(10) ** 9, Decimal(2) ** 30)


def cell_bytes_per_gb(problems: CellProblems, row: int, value: object) -> Decimal:
    """x360Recover's GB: 10^9 (default) or 2^30 bytes - Axcient states neither
    (docs/readers.md), so only these two readings are accepted."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return X360_GB_SIZES[0]
    try:
        d = D(value, what="x360Recover bytes per GB")
    except XlbillingError:
        d = None
    if d not in X360_GB_SIZES:
        problems.add("Settings", row, "Value", value, "1000000000 (10^9) or 1073741824 (2^30)")
        return X360_GB_SIZES[0]
    return d


