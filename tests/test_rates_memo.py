"""The Rates lookups are memoised per price book (pricing/rates.py): the memo
must give exactly the row a full scan gives, for customers with rows of their
own (any case), customers without, tiers, "*" and former vendor keys."""
from decimal import Decimal
import itertools

from xlbilling.pricing import rates as R
from xlbilling.pricing.model import PriceBook, Rate, Settings


def _book() -> PriceBook:
    rows = [
        Rate("acronis", "*", unit_price=Decimal("1"), row=2),
        Rate("acronis", "storage", unit_price=Decimal("2"), cost_per_unit=Decimal("1.5"), row=3),
        Rate("acronis", "storage", tier="gold", unit_price=Decimal("3"), row=4),
        Rate("acronis", "storage", customer="Contoso", unit_price=Decimal("4"), row=5),
        Rate("acronis", "*", customer="contoso", rule="margin", rule_rate=Decimal("0.3"), row=6),
        Rate("acronis", "storage:azure", customer="Fabrikam", cost_per_unit=Decimal("0.9"), row=7),
        Rate("altaro", "365tb", unit_price=Decimal("5"), row=8),   # a former key of hornetsecurity
        Rate("hornetsecurity", "365tb", customer="Tailspin", unit_price=Decimal("6"), row=9),
        Rate("acronis", "servers", distributor_discount=Decimal("0.2"), row=10),
    ]
    return PriceBook(path="book.xlsx", settings=Settings(), rates=tuple(rows))


def test_memoised_lookups_equal_a_full_scan():
    book = _book()
    vendors = ("acronis", "hornetsecurity", "altaro")
    items = ("storage", "storage:azure", "servers", "365tb", "other")
    customers = ("", "Contoso", "CONTOSO", "contoso", "Fabrikam", "Tailspin", "Northwind")
    asked = 0
    for _ in range(2):   # the second round answers from the memo
        for vendor, item, tier, customer in itertools.product(vendors, items, ("", "gold"), customers):
            for wanted in (R._filled, R._has_price, R._has_rule, R._has_cost):
                assert R._best_rate(book, vendor, item, tier, customer, wanted) == \
                    R._scan(book, vendor, item, tier, customer, wanted), (vendor, item, tier, customer, wanted)
                asked += 1
    assert asked > 1000 and len(book._index["best_rate"]) < asked / 2
    assert R.find_rate(book, "acronis", "storage", "", "CONTOSO").row == 5
    assert R.find_rate(book, "acronis", "storage", "", "Northwind").row == 3
    assert R.find_cost_row(book, "acronis", "storage:azure", "", "fabrikam").row == 7
    assert R.find_cost_row(book, "acronis", "storage:azure", "", "Northwind").row == 3
