"""Text a spreadsheet program would run as a formula (OWASP "CSV injection"):
the one test for it, and the undoing of the apostrophe xlbilling's CSV
writers put before such text (xlbilling/writers/csv_safe.py says which cells
are escaped and which refused, per file: docs/exports.md).

Why in the core: the test is pure text, and both sides need it - the writers
escape with it, the readers take the apostrophe off again when they read a
file xlbilling wrote itself (a fetched x360Recover table).
"""
from __future__ import annotations

import re

FORMULA_CHARS = "=+-@"
_LEADING_SPACE = " \t\r\n\x0b\x0c\u00a0\u3000\ufeff"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|\d*[.,]\d+)(?:[eE][+-]?\d+)?%?")


def formula_like(value: object) -> bool:
    """Would a spreadsheet (or a reader that trims first) see a formula here?"""
    if not isinstance(value, str) or not value:
        return False
    if value[0] in "\t\r":
        return True
    text = value.lstrip(_LEADING_SPACE)
    return bool(text) and text[0] in FORMULA_CHARS and not _PLAIN_NUMBER.fullmatch(text)


def unescape_text(value: str) -> str:
    """The reverse of writers/csv_safe.escape_text, for files xlbilling wrote
    itself and reads back (a fetched x360Recover table): "'=x" -> "=x"; any
    other text unchanged."""
    if value.startswith("'") and formula_like(value[1:]):
        return value[1:]
    return value


__all__ = ["FORMULA_CHARS", "formula_like", "unescape_text"]
