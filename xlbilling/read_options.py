"""Reading options the CLI sets once for every report a command reads.

Why a context variable: build, lines and export read through pricing.run,
which need not carry every reader option; the CLI sets them around the
command and `readers.read_report` picks them up.  Kept outside
xlbilling.readers so the CLI can set them without importing the readers.
"""
from __future__ import annotations

import contextlib
import contextvars

_ACCEPT_SHORT_LAST_ROW = contextvars.ContextVar("xlbilling_accept_short_last_row", default=False)


@contextlib.contextmanager
def reading_options(*, accept_short_last_row: bool = False):
    """`--accept-short-last-row` for every read in the block (build, lines and
    export read through pricing.run, which need not carry the option)."""
    token = _ACCEPT_SHORT_LAST_ROW.set(bool(accept_short_last_row))
    try:
        yield
    finally:
        _ACCEPT_SHORT_LAST_ROW.reset(token)


def accept_short_last_row_default() -> bool:
    return _ACCEPT_SHORT_LAST_ROW.get()


