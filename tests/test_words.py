"""core/words.py: a count and its noun (or verb) in the singular for exactly 1,
else the plural, so no message says '1 licenses' or '1 are billed'."""
from __future__ import annotations

from decimal import Decimal

import pytest

from xlbilling.core.words import count, plural

D = Decimal


@pytest.mark.parametrize("quantity, word, many, expected", [
    (1, "license", "", "license"), (D(1), "license", "", "license"), (D("1.00"), "row", "", "row"),
    (0, "license", "", "licenses"), (2, "license", "", "licenses"), (D("0.5"), "point", "", "points"),
    (2, "box", "", "boxes"), (3, "match", "", "matches"), (4, "GB", "", "GB"), (5, "days", "", "days"),
    (1, "is", "are", "is"), (2, "is", "are", "are"), (1, "was", "were", "was"), (0, "was", "were", "were"),
    (2, "", "", ""),
])
def test_plural(quantity, word, many, expected):
    assert plural(word, quantity, many) == expected


def test_count_writes_the_number_as_the_messages_do():
    assert [count(1, "row"), count(1200, "row"), count(0, "record"), count(D(1), "spare license"),
            count(D("2.50"), "GB"), count(D(3), "protected server")] == \
        ["1 row", "1,200 rows", "0 records", "1 spare license", "2.5 GB", "3 protected servers"]


def test_exports_keeps_its_plural():
    from xlbilling.writers import exports

    assert exports.plural is plural
