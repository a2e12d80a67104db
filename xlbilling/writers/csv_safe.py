"""CSV cells a spreadsheet program can never run as a formula (OWASP "CSV
injection"): the one check every CSV xlbilling writes goes through.

A cell is formula-like when, after any leading spaces, tabs, carriage returns
or line feeds (which spreadsheet programs and our own readers trim), it starts
with = + - or @, or when it starts with a TAB or CR itself - unless it is a
plain number (-5.00 and +7 stay numbers).  Per file, docs/exports.md:

- free text (descriptions, memos, vendor names in `read --format csv` and
  `lines`): escaped with a leading apostrophe, the marker spreadsheets use for
  "this is text" (`'=cmd|...` shows as text);
- codes and names an accounting import matches exactly (Xero ContactName,
  InvoiceNumber, item, account and tax codes; QuickBooks Customer, InvoiceNo,
  Item): never altered - the export is refused, naming the price-book cell to
  change, because an escaped name would create a wrong contact or item.

The test for formula-like text is core/formula_text.py (readers need it too).
"""
from __future__ import annotations

from xlbilling.core.formula_text import formula_like


def escape_text(value: object) -> object:
    """A free-text cell made inert: a leading apostrophe before formula-like text."""
    return "'" + value if formula_like(value) else value


def escape_row(row, text_columns: set[int] | None = None) -> list:
    """Escape the text cells of a row (all str cells when text_columns is None)."""
    return [escape_text(v) if isinstance(v, str) and (text_columns is None or i in text_columns) else v
            for i, v in enumerate(row)]


class Writer:
    """csv.writer for "\n"-terminated files that also quotes a field holding a
    bare CR (csv's QUOTE_MINIMAL only quotes the characters of its own line
    terminator, and a spreadsheet splits the row at an unquoted CR, which
    turns "\r=1+2" into a new row starting with =1+2)."""

    def __init__(self, out, lineterminator: str = "\n"):
        import csv

        self._plain = csv.writer(out, lineterminator=lineterminator)
        self._quoted = csv.writer(out, lineterminator=lineterminator, quoting=csv.QUOTE_ALL)

    def writerow(self, row) -> None:
        cr = any(isinstance(v, str) and "\r" in v for v in row)
        (self._quoted if cr else self._plain).writerow(row)


__all__ = ["Writer", "escape_text", "escape_row"]
