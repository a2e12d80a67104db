"""Header matching: which header cell is which column a reader knows, by name
with aliases (case, spaces and punctuation ignored), and what is missing.

Why a module of its own: the registry in readers/__init__.py tries every reader
on every candidate header row, so this runs before any cell is parsed and
needs nothing but the header texts.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

# How many leading rows may precede the header (portal titles, blank lines).
HEADER_SEARCH_ROWS = 20


def norm_header(text: object) -> str:
    """Header key: case, spaces, `_`, `-`, `.` and a BOM ignored, so `Account No`,
    `account_no` and `ACCOUNTNO` are one column."""
    return re.sub(r"[\s_\-.\ufeff\"']+", "", str(text or "")).casefold()


@dataclass(frozen=True, slots=True)
class Col:
    """A column a reader knows: canonical name, accepted spellings, required?"""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    # Last resort for columns vendors name freely (the Altaro customer column):
    # a header containing this text, when no spelling matched exactly.
    contains: str = ""

    def keys(self) -> set[str]:
        return {norm_header(self.name), *(norm_header(a) for a in self.aliases)}


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    positions: dict[str, int]          # canonical name -> column position
    missing: tuple[str, ...]           # required columns (or one-of groups) absent
    unknown: tuple[str, ...]           # header cells matching no column
    duplicates: tuple[str, ...]        # headers matching a column already found
    score: float                       # share of required columns present


def match_header(headers: Sequence[object], cols: Sequence[Col],
                 one_of: Sequence[tuple[str, ...]] = ()) -> HeaderMatch:
    by_key: dict[str, str] = {}
    for col in cols:
        for k in col.keys():
            by_key.setdefault(k, col.name)
    positions: dict[str, int] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for pos, h in enumerate(headers):
        text = "" if h is None else str(h).strip()
        if not text:
            continue
        name = by_key.get(norm_header(text))
        if name is None:
            unknown.append(text)
        elif name in positions:
            duplicates.append(text)
        else:
            positions[name] = pos
    for col in cols:
        if col.contains and col.name not in positions:
            for pos, h in enumerate(headers):
                text = "" if h is None else str(h).strip()
                if text in unknown and norm_header(col.contains) in norm_header(text):
                    positions[col.name] = pos
                    unknown.remove(text)
                    break
    required = [c.name for c in cols if c.required]
    missing = [n for n in required if n not in positions]
    for group in one_of:
        if not any(n in positions for n in group):
            missing.append(" or ".join(group))
    total = len(required) + len(one_of)
    present = total - len(missing)
    return HeaderMatch(positions, tuple(missing), tuple(unknown), tuple(duplicates),
                       present / total if total else 0.0)


def close_matches(missing: str, headers: Iterable[object]) -> list[str]:
    """difflib suggestions for a missing column among the header cells found."""
    found = [str(h).strip() for h in headers if h not in (None, "") and str(h).strip()]
    keyed = {norm_header(h): h for h in found}
    out: list[str] = []
    for name in missing.split(" or "):
        for k in difflib.get_close_matches(norm_header(name), list(keyed), n=3, cutoff=0.75):
            if keyed[k] not in out:
                out.append(keyed[k])
    return out
