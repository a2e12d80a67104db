"""Counts in words a person reads: '1 license', '2 licenses', '1 is billed'.

One helper for every message, working text and description that puts a
number before a noun (or a verb that agrees with it), so none says
'1 licenses' or '1 are billed'."""
from __future__ import annotations

from decimal import Decimal

from xlbilling.core.rules.result import fmt


def plural(word: str, quantity: int | Decimal, many: str = "") -> str:
    """`word` for a quantity of exactly 1, else its plural: `many` when given
    (irregular words, verbs: plural("is", n, "are")), else 'license' ->
    'licenses', 'box' -> 'boxes'; a unit in capitals (GB) and a word already
    ending in s stay as they are (never '18 unit', never 'GBs')."""
    if quantity == 1 or not word:
        return word
    if many:
        return many
    if word.isupper() or word.endswith("s"):
        return word
    return word + ("es" if word.endswith(("x", "ch", "sh")) else "s")


def count(quantity: int | Decimal, word: str, many: str = "") -> str:
    """'1 license', '3 licenses', '1,200 rows', '2.5 GB': the quantity (whole
    numbers with thousands separators, Decimals as working text) and its noun."""
    if isinstance(quantity, int):
        text = f"{quantity:,}"
    else:
        text = fmt(quantity)
    return f"{text} {plural(word, quantity, many)}"


__all__ = ["plural", "count"]
