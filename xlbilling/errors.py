"""Every error xlbilling raises, in one tree, so each boundary maps them once.

    XlbillingError                      base: a message a finance user can act on
    ├── MoneyError
    │   ├── CurrencyMismatchError       adding EUR to USD, comparing across currencies
    │   └── UnknownCurrencyError        not an ISO 4217 code in the currency table
    ├── RuleInputError (ValueError)     a billing rule got a value it cannot use
    │                                   (margin >= 1, negative GB, unknown basis, ...)
    ├── ReportError                     a vendor report cannot be imported
    │   ├── UnrecognisedReportError     no reader matches the file (lists what was tried)
    │   ├── MissingColumnsError         required columns absent (with close matches)
    │   └── BadCellsError               every bad cell of the file, in one list
    ├── PriceBookError                  the price book is incomplete or inconsistent
    ├── OutputError                     an output would overwrite an input/template, or exists
    ├── LimitError                      an input exceeds a size/shape bound (zip bomb, nesting, ...)
    └── FetchError                      a vendor API call failed
        ├── AuthError                   wrong/missing key (never includes the key)
        ├── RateLimitedError            the vendor's once-per-N-minutes limit
        └── NotAllowedError             IP allow-list refusal

Messages say where (file, sheet, row, column), what was found, what was expected
and, where one is likely, a fix.  UDFs turn these into short cell texts at one
boundary (`xlbilling.excel.udfs`); the CLI prints them and exits non-zero.
"""
from __future__ import annotations

from dataclasses import dataclass


class XlbillingError(Exception):
    """Base class: str(err) is the user-facing message."""


class MoneyError(XlbillingError):
    pass


class CurrencyMismatchError(MoneyError):
    pass


class UnknownCurrencyError(MoneyError, ValueError):
    pass


class RuleInputError(XlbillingError, ValueError):
    """A billing rule was given a value it cannot use.

    `argument` names the parameter so UDFs can say which argument was wrong.
    """

    def __init__(self, message: str, *, argument: str | None = None, value: object = None):
        super().__init__(message)
        self.argument = argument
        self.value = value


class ReportError(XlbillingError):
    pass


class UnrecognisedReportError(ReportError):
    pass


class MissingColumnsError(ReportError):
    pass


def show_value(value: object) -> str:
    """A cell value as a message shows it: text quoted (control characters
    escaped by repr), numbers plain - 1.5, never Decimal('1.5')."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text if len(text) <= 40 else f"{value:.6e}"
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 40 else f"{value:.6e}"
    if isinstance(value, str):
        return repr(value if len(value) <= 200 else value[:200] + "...")
    return repr(value)


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One bad cell: where it is, what it held, what was expected."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f", sheet {self.sheet!r}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: found {show_value(self.value)}, expected {self.expected}"


class BadCellsError(ReportError):
    """All bad cells of one import, reported together (nothing is imported)."""

    MAX_LISTED = 50

    def __init__(self, problems: list[CellProblem], *, file: str | None = None):
        self.problems = list(problems)
        head = f"{len(self.problems)} bad cell(s)" + (f" in {file}" if file else "")
        shown = "\n  ".join(str(p) for p in self.problems[: self.MAX_LISTED])
        more = len(self.problems) - self.MAX_LISTED
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{head}; nothing was imported:\n  {shown}{tail}")


class PriceBookError(XlbillingError):
    pass


class OutputError(XlbillingError):
    pass


class LimitError(XlbillingError):
    """An input is bigger (inflated bytes, rows, columns, cells, nesting,
    HTTP body) than xlbilling reads: refused while streaming, before the
    memory is spent."""


class FetchError(XlbillingError):
    pass


class AuthError(FetchError):
    pass


class RateLimitedError(FetchError):
    def __init__(self, message: str, *, retry_after_s: float | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class NotAllowedError(FetchError):
    pass


# -- which file failed, for messages from the CLI's last-resort boundary -------

import contextlib as _contextlib


@_contextlib.contextmanager
def working_on(name: object):
    """Tag any exception escaping the block with `name` (the file being read or
    written), so an unexpected failure (MemoryError, RecursionError, an
    OSError on a temporary file) can still be reported against the file."""
    try:
        yield
    except BaseException as err:
        if getattr(err, "xlbilling_file", None) is None:
            try:
                err.xlbilling_file = str(name)
            except (AttributeError, TypeError):
                pass
        raise


class PeriodMismatchError(ReportError):
    """A report states a period that is not the billing month (nothing priced or written)."""


class LedgerError(XlbillingError):
    """The ledger of closed months refused or could not do something (locked month, concurrent close ...)."""


class MonthClosedError(LedgerError):
    """The month is closed and these reports give different figures (needs --reopen --reason)."""
