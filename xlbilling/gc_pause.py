"""The garbage collector paused while a build phase runs.

A build allocates millions of small objects that live to the end (records,
Decimals, rows) and makes almost no reference cycles; each automatic
collection rescans everything still alive, so at 20,000 customers the
collector cost a fifth to a third of reading and loading (issue 13's
profile).  Pausing it is exact (no result depends on it); it is resumed in
`finally`, and a nested pause leaves the outer one in charge."""
from __future__ import annotations

import functools
import gc
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)


def gc_paused(func: F) -> F:
    """Run `func` with automatic garbage collection off, restored afterwards
    (also when it raises); a no-op when the collector is already off."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if not gc.isenabled():
            return func(*args, **kwargs)
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            gc.enable()
    return wrapper  # type: ignore[return-value]
