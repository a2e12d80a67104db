"""Altaro / Hornetsecurity 365 Total Backup billed users (seeds/003, BILLING_RULES.md 5)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from xlbilling.core.rules.result import Result
from xlbilling.core.words import count
from xlbilling.errors import RuleInputError

# seeds/003: filter "Object Type Backed Up" on exactly these entries.
BILLED_OBJECT_TYPES = ("mailbox", "n/a", "onedrive", "user teams chats")

_SPACES = re.compile(r"\s+")


def name_key(name: object) -> str:
    """Decision (BILLING_RULES.md 5): names compare trimmed and case-insensitively
    (Excel's Remove Duplicates ignores case).  Inner runs of spaces fold to one
    so 'Ann  Lee' and 'Ann Lee' are the same user - and are reported.
    str.split() splits on exactly the characters str.strip() and the regex \\s
    treat as whitespace (str.isspace), so this equals the regex fold, faster."""
    return " ".join(str(name or "").split()).casefold()


def is_billed_type(object_type: object) -> bool:
    return _SPACES.sub(" ", str(object_type or "").strip()).casefold() in BILLED_OBJECT_TYPES


@dataclass(frozen=True, slots=True)
class BilledUsers:
    """The billed-user count with its evidence: the distinct names, and the
    groups of spellings that were merged (a possible same-name pair of people)."""

    count: int
    names: tuple[str, ...]
    merged_spellings: tuple[tuple[str, ...], ...]

    @property
    def result(self) -> Result:
        merged = f"; {len(self.merged_spellings)} name(s) seen in several spellings" if self.merged_spellings else ""
        return Result(Decimal(self.count), f"{self.count} distinct Object Name among Mailbox, N/A, OneDrive,"
                                           f" User Teams Chats rows{merged}")


def billed_users(object_types: Iterable[object], object_names: Iterable[object]) -> BilledUsers:
    """seeds/003: billed users = distinct Object Name among rows whose Object Type
    Backed Up is Mailbox, N/A, OneDrive or User Teams Chats.  Blank names are not
    users.  The document warns that two people with one display name count once:
    merged spellings are returned so the caller can report them."""
    spellings: dict[str, set[str]] = {}
    first_seen: dict[str, str] = {}
    object_types, object_names = list(object_types), list(object_names)
    if len(object_types) != len(object_names):
        raise RuleInputError(f"object_types has {count(len(object_types), 'row')} but object_names has"
                             f" {len(object_names)}: expected the same rows", argument="object_names",
                             value=len(object_names))
    for object_type, object_name in zip(object_types, object_names):
        if not is_billed_type(object_type):
            continue
        key = name_key(object_name)
        if not key:
            continue
        raw = str(object_name).strip()
        spellings.setdefault(key, set()).add(str(object_name))
        first_seen.setdefault(key, raw)
    merged = tuple(tuple(sorted(v)) for k, v in sorted(spellings.items()) if len(v) > 1)
    return BilledUsers(len(first_seen), tuple(first_seen[k] for k in sorted(first_seen)), merged)
