"""Hypothesis properties of the pricing engine: money invariants."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_pricing_fixtures import NOV, book, rate, read, rec
from xlbilling.core.money import round_money
from xlbilling.pricing.engine import price_month

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("500"), places=5)
currencies = st.sampled_from(["USD", "EUR", "JPY"])


def _price(usages, commitment, currency):
    items = [f"item{i}" for i in range(len(usages))]
    pb = book(customers=[("C", currency)], accounts=[("acronis", "t", "C")],
              rates=[rate("acronis", it, str(p)) for it, (_, p) in zip(items, usages)],
              fx=[("USD", "EUR", "0.92345"), ("USD", "JPY", "151.23456")],
              commitments=[("C", "acronis", str(commitment), currency)] if commitment is not None else [])
    records = [rec("acronis", "t", it, str(q)) for it, (q, _) in zip(items, usages)]
    return price_month([read(records)], pb, NOV)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(quantities, prices), min_size=1, max_size=5),
       st.decimals(min_value=Decimal(0), max_value=Decimal(100000), places=2), currencies)
def test_commitment_never_lowers_a_total(usages, commitment, currency):
    without = _price(usages, None, currency)
    with_c = _price(usages, commitment, currency)
    t0 = without.invoices[0].total if without.invoices else Decimal(0)
    t1 = with_c.invoices[0].total
    assert t1 >= t0
    assert t1 >= round_money(commitment, currency)   # commitment in the invoice currency: never below it
    assert t1 == max(t0, round_money(commitment, currency))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(quantities, prices), min_size=1, max_size=6), currencies)
def test_totals_are_sums_of_rounded_lines(usages, currency):
    res = _price(usages, None, currency)
    for inv in res.invoices:
        assert inv.total == sum(ln.amount for ln in inv.lines)
        for ln in inv.lines:
            assert ln.amount == round_money(ln.amount, inv.currency)   # rounded once, idempotent
            assert ln.currency == inv.currency
            assert ln.sources
    assert sum(len(i.lines) for i in res.invoices) == len(res.lines)
