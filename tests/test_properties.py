"""Money invariants as Hypothesis properties (STYLE.md): a whole-month proration
is the price, prorated pieces add up, margin and markup agree, a commitment
never lowers a total, rounding is idempotent, currencies never mix."""
from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from xlbilling.core.money import Money, minor_units, round_money
from xlbilling.core.records import InvoiceLine
from xlbilling.core.rules import acronis, x360recover
from xlbilling.errors import CurrencyMismatchError

# Modest: the whole file runs in a few seconds on the shared 2-core machine.
FAST = settings(max_examples=60, deadline=None)

CURRENCIES = st.sampled_from(["USD", "EUR", "GBP", "AUD", "CAD", "JPY", "BHD"])
MONTHS = st.builds(dt.date, st.integers(1901, 2199), st.integers(1, 12), st.just(1))


def prices(places: int = 2, max_value: int = 1_000_000) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=max_value, places=places, allow_nan=False, allow_infinity=False)


def unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


@FAST
@given(price=prices(), month=MONTHS, currency=CURRENCIES, day=st.integers(1, 31))
def test_whole_month_proration_is_the_price(price, month, currency, day):
    last_day = calendar.monthrange(month.year, month.month)[1]
    any_day = month.replace(day=min(day, last_day))          # month may be any date in it
    expected = round_money(price, currency)
    assert x360recover.prorated_storage(price, None, None, any_day, currency).value == expected
    assert x360recover.prorated_storage(price, month, month.replace(day=last_day), any_day,
                                        currency).value == expected


@FAST
@given(price=prices(), month=MONTHS, currency=CURRENCIES, data=st.data())
def test_prorated_pieces_add_up_to_the_price(price, month, currency, data):
    last_day = calendar.monthrange(month.year, month.month)[1]
    cuts = sorted(data.draw(st.sets(st.integers(2, last_day), max_size=6)))
    starts = [1] + cuts
    ends = [c - 1 for c in cuts] + [last_day]
    pieces = [x360recover.prorated_storage(price, month.replace(day=s), month.replace(day=e), month, currency).value
              for s, e in zip(starts, ends)]
    # each piece is rounded once (<= half a minor unit off), so n pieces are within n units of the price
    assert abs(sum(pieces) - round_money(price, currency)) <= len(pieces) * unit(currency)
    assert all(0 <= p <= round_money(price, currency) for p in pieces)


@FAST
@given(cost=prices(places=4, max_value=100_000),
       margin=st.decimals(min_value=0, max_value=Decimal("0.99"), places=4))
def test_margin_m_equals_markup_m_over_1_minus_m(cost, margin):
    by_margin = acronis.margin_on_cost(cost, margin).value
    by_markup = acronis.markup_on_cost(cost, margin / (1 - margin)).value
    # the same price: equal to 20 decimals (they differ only by the 28-digit context's last digit)
    assert abs(by_margin - by_markup) <= Decimal("1e-18")
    # and the margin really is (price - cost) / price
    if by_margin:
        assert abs((by_margin - cost) / by_margin - margin) <= Decimal("1e-20")


@FAST
@given(amounts=st.lists(prices(max_value=10_000), max_size=8), commitment=prices(max_value=50_000),
       currency=st.sampled_from(["USD", "EUR", "JPY"]))
def test_a_commitment_never_lowers_an_invoice_total(amounts, commitment, currency):
    lines = [InvoiceLine(customer="C", vendor="acronis", item="i", description="d", quantity=Decimal(1),
                         unit="GB", unit_price=a, amount=round_money(a, currency), currency=currency)
             for a in amounts]
    usage_total = sum((line.amount for line in lines), Decimal(0))
    invoiced = acronis.apply_commitment(lines, commitment, customer="C", currency=currency)
    total = sum((line.amount for line in invoiced), Decimal(0))
    assert total >= usage_total
    assert total >= round_money(commitment, currency)
    assert total == max(usage_total, round_money(commitment, currency))   # exactly the larger of the two
    assert invoiced[: len(lines)] == lines                                 # every usage line kept


@FAST
@given(amount=st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False),
       currency=CURRENCIES)
def test_rounding_is_idempotent(amount, currency):
    once = round_money(amount, currency)
    assert round_money(once, currency) == once
    assert abs(once - amount) <= unit(currency) / 2      # half a minor unit at most


@FAST
@given(a=CURRENCIES, b=CURRENCIES, x=prices(), y=prices())
def test_currency_mixing_always_fails(a, b, x, y):
    if a == b:
        assert (Money(x, a) + Money(y, b)).amount == x + y
        return
    for combine in (lambda p, q: p + q, lambda p, q: p - q, lambda p, q: p < q):
        try:
            combine(Money(x, a), Money(y, b))
        except CurrencyMismatchError:
            pass
        else:
            raise AssertionError(f"{a} and {b} were combined")
    line = InvoiceLine(customer="C", vendor="acronis", item="i", description="d", quantity=Decimal(1),
                       unit="GB", unit_price=x, amount=round_money(x, a), currency=a)
    try:
        acronis.apply_commitment([line], y, customer="C", currency=b)
    except CurrencyMismatchError:
        pass
    else:
        raise AssertionError(f"a {a} line was summed into a {b} commitment")
