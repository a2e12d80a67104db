"""Month-over-month review: one month's figures (what the ledger keeps at close,
what a billing workbook shows) and what changed against another month.

`MonthFigures` is the one shape compared: built from a pricing result
(`figures_from_result`), loaded from the ledger (xlbilling/ledger) or read
back from last month's billing workbook (writers/previous.py).  Customers are
matched by their stable key (numbering.customer_key: the price book's
Customer id, else the name), so a renamed customer is the same customer.

Pure: Decimals in, dataclasses out; no file or database access.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Sequence

from xlbilling.core.numbering import customer_key

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class LineFig:
    vendor: str
    item: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    currency: str
    kind: str = "usage"
    sources: str = ""


@dataclass(frozen=True, slots=True)
class InvoiceFig:
    key: str
    customer: str
    currency: str
    number: str
    total: Decimal
    lines: tuple[LineFig, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountFig:
    vendor: str
    account: str
    customer: str        # the price book's customer ('' = unmapped)
    label: str = ""      # the vendor's own customer label


@dataclass(frozen=True, slots=True)
class MonthFigures:
    month: dt.date
    invoices: tuple[InvoiceFig, ...]
    accounts: tuple[AccountFig, ...] = ()
    source: str = ""     # "ledger (closed 2026-11-03 by ann)", "workbook billing-2026-09.xlsx"
    has_accounts: bool = True
    _by_key: dict | None = field(default=None, init=False, compare=False, repr=False)

    def invoice(self, key: str) -> InvoiceFig | None:
        """The invoice of customer `key` (an index built once: months hold thousands of invoices)."""
        if self._by_key is None:
            object.__setattr__(self, "_by_key", {i.key: i for i in self.invoices})
        return self._by_key.get(key)


def figures_from_result(result, pricebook, reads: Sequence = ()) -> MonthFigures:
    """This run's figures: invoices with their lines, and every vendor account with usage."""
    invoices = []
    for inv in result.invoices:
        c = pricebook.customer(inv.customer) if pricebook is not None else None
        key = customer_key(inv.customer, getattr(c, "customer_id", "") if c else "")
        lines = tuple(LineFig(ln.vendor, ln.item, ln.description, ln.quantity, ln.unit, ln.unit_price, ln.amount,
                              ln.currency, ln.kind, ln.source_text) for ln in inv.lines)
        invoices.append(InvoiceFig(key, inv.customer, inv.currency, inv.invoice_number, inv.total, lines))
    seen: dict[tuple[str, str], AccountFig] = {}
    for read in reads:
        for rec in read.records:
            if (rec.vendor, rec.account) in seen:
                continue
            acct = pricebook.account(rec.vendor, rec.account) if pricebook is not None else None
            seen[(rec.vendor, rec.account)] = AccountFig(rec.vendor, rec.account,
                                                         acct.customer if acct else "", rec.customer)
    return MonthFigures(result.month, tuple(invoices), tuple(seen.values()), "this run")


# --- what changed ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Change:
    """One row of the Changes sheet."""

    change: str              # new customer, vanished customer, new item, vanished item, changed, invoice total,
                             # new account, vanished account, new unmapped account, renamed customer
    customer: str = ""
    vendor: str = ""
    item: str = ""
    account: str = ""
    currency: str = ""
    quantity_then: Decimal | None = None
    quantity_now: Decimal | None = None
    price_then: Decimal | None = None
    price_now: Decimal | None = None
    amount_then: Decimal | None = None
    amount_now: Decimal | None = None
    over_threshold: bool = False
    note: str = ""

    @property
    def difference(self) -> Decimal | None:
        if self.amount_then is None and self.amount_now is None:
            return None
        return (self.amount_now or ZERO) - (self.amount_then or ZERO)

    @property
    def percent(self) -> Decimal | None:
        """difference / then (a fraction, 4 decimals); None when then is 0 or absent."""
        if not self.amount_then or self.difference is None:
            return None
        return (self.difference / abs(self.amount_then)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _items(inv: InvoiceFig | None) -> dict[tuple[str, str, str], list]:
    """(vendor, item, unit) -> [quantity, amount, {unit prices}] summed over the invoice's lines."""
    out: dict[tuple[str, str, str], list] = {}
    for ln in (inv.lines if inv else ()):
        k = (ln.vendor, ln.item if ln.kind == "usage" else f"{ln.item} ({ln.kind})", ln.unit)
        e = out.setdefault(k, [ZERO, ZERO, set()])
        e[0] += ln.quantity
        e[1] += ln.amount
        e[2].add(ln.unit_price)
    return out


def _price(entry) -> Decimal | None:
    """The unit price when every line had one; else the average (amount / quantity)."""
    if entry is None:
        return None
    prices = entry[2]
    if len(prices) == 1:
        return next(iter(prices))
    return (entry[1] / entry[0]) if entry[0] else None


def over_threshold(then: Decimal | None, now: Decimal | None, pct: Decimal, minimum: Decimal) -> bool:
    """More than `pct` (a fraction) AND more than `minimum` (an amount) of change."""
    diff = abs((now or ZERO) - (then or ZERO))
    if diff <= minimum:
        return False
    if not then:
        return True
    return diff / abs(then) > pct


def match_renames(then: MonthFigures, now: MonthFigures) -> MonthFigures:
    """`then` with the keys of customers renamed since (no Customer id) replaced
    by this run's: an old customer gone now whose vendor accounts are those of
    exactly one new customer is the same customer."""
    old_keys = {i.key for i in then.invoices}
    new_keys = {i.key for i in now.invoices}

    def accounts(figs: MonthFigures) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for a in figs.accounts:
            if a.customer:
                out.setdefault(a.customer.casefold(), set()).add(f"{a.vendor}:{a.account}")
        return out

    acc_then, acc_now = accounts(then), accounts(now)
    gone = [i for i in then.invoices if i.key not in new_keys]
    came = [i for i in now.invoices if i.key not in old_keys]
    renames: dict[str, str] = {}
    for g in gone:
        mine = acc_then.get(g.customer.casefold(), set())
        same = [c for c in came if mine and mine & acc_now.get(c.customer.casefold(), set())]
        if len(same) == 1 and same[0].key not in renames:
            renames[same[0].key] = g.key
    return renamed_keys(then, now, renames)


def compare(then: MonthFigures, now: MonthFigures, *, pct: Decimal = Decimal("0.25"),
            minimum: Decimal = Decimal("50")) -> list[Change]:
    """Every change from `then` to `now`: customers, items (quantity, unit price,
    amount), invoice totals, and vendor accounts appearing or vanishing."""
    then = match_renames(then, now)
    out: list[Change] = []
    keys = list(dict.fromkeys([i.key for i in now.invoices] + [i.key for i in then.invoices]))
    for key in keys:
        a, b = then.invoice(key), now.invoice(key)
        name = (b or a).customer
        if a is None:
            out.append(Change("new customer", name, currency=b.currency, amount_now=b.total,
                              over_threshold=over_threshold(None, b.total, pct, minimum)))
        elif b is None:
            out.append(Change("vanished customer", name, currency=a.currency, amount_then=a.total,
                              over_threshold=True, note=f"invoiced {a.total} {a.currency} last time, nothing now"))
        elif a.customer != b.customer:
            out.append(Change("renamed customer", b.customer, note=f"was {a.customer!r}"))
        ia, ib = _items(a), _items(b)
        for k in list(dict.fromkeys([*ib, *ia])):
            ea, eb = ia.get(k), ib.get(k)
            vendor, item, _ = k
            kind = "new item" if ea is None else "vanished item" if eb is None else "changed"
            row = Change(kind, name, vendor, item, currency=(b or a).currency,
                         quantity_then=ea[0] if ea else None, quantity_now=eb[0] if eb else None,
                         price_then=_price(ea), price_now=_price(eb),
                         amount_then=ea[1] if ea else None, amount_now=eb[1] if eb else None)
            if kind == "changed" and (row.quantity_then, row.price_then, row.amount_then) == \
                    (row.quantity_now, row.price_now, row.amount_now):
                continue
            if a is None or b is None:   # the whole customer is already one row; its items are detail
                row = Change(kind, name, vendor, item, currency=row.currency, quantity_then=row.quantity_then,
                             quantity_now=row.quantity_now, price_then=row.price_then, price_now=row.price_now,
                             amount_then=row.amount_then, amount_now=row.amount_now)
            else:
                flag = over_threshold(row.amount_then, row.amount_now, pct, minimum)
                row = Change(kind, name, vendor, item, currency=row.currency, quantity_then=row.quantity_then,
                             quantity_now=row.quantity_now, price_then=row.price_then, price_now=row.price_now,
                             amount_then=row.amount_then, amount_now=row.amount_now, over_threshold=flag)
            out.append(row)
        if a is not None and b is not None:
            out.append(Change("invoice total", name, currency=b.currency, amount_then=a.total, amount_now=b.total,
                              over_threshold=over_threshold(a.total, b.total, pct, minimum)))
    out.extend(_account_changes(then, now))
    return out


def _account_changes(then: MonthFigures, now: MonthFigures) -> list[Change]:
    if not then.has_accounts:
        return []
    old = {(a.vendor, a.account): a for a in then.accounts}
    new = {(a.vendor, a.account): a for a in now.accounts}
    out = []
    for k, a in new.items():
        if k not in old:
            kind = "new account" if a.customer else "new unmapped account"
            out.append(Change(kind, a.customer or a.label, a.vendor, account=a.account,
                              over_threshold=not a.customer,
                              note="" if a.customer else "not in the price book's Accounts: its usage is not invoiced"))
    for k, a in old.items():
        if k not in new:
            out.append(Change("vanished account", a.customer or a.label, a.vendor, account=a.account,
                              over_threshold=True, note="had usage last time; none in this month's reports"))
    return out


# --- a closed month against this run ----------------------------------------------

def differences(closed: MonthFigures, now: MonthFigures, limit: int = 12) -> list[str]:
    """What differs between the figures closed and this run's (empty = the same).
    Names are not figures: a renamed customer with the same lines is the same."""
    out: list[str] = []

    def lines_of(inv: InvoiceFig) -> list[tuple]:
        return sorted((ln.vendor, ln.item, ln.description, ln.quantity, ln.unit_price, ln.amount, ln.currency,
                       ln.kind) for ln in inv.lines)

    # Matched by invoice number: once given it is the invoice's identity (a renamed
    # customer keeps it), whatever its key or name.
    old = {i.number: i for i in closed.invoices}
    new = {i.number: i for i in now.invoices}
    for number in dict.fromkeys([*old, *new]):
        a, b = old.get(number), new.get(number)
        if a is None:
            out.append(f"{b.customer}: a new invoice of {b.total} {b.currency} (not in the closed month)")
        elif b is None:
            out.append(f"{a.customer}: invoiced {a.total} {a.currency} when closed, no invoice now")
        elif (a.total, a.currency) != (b.total, b.currency):
            out.append(f"{b.customer}: total {a.total} {a.currency} when closed, {b.total} {b.currency} now")
        elif lines_of(a) != lines_of(b):
            out.append(f"{b.customer}: same total {b.total} {b.currency} but different lines")
    if len(out) > limit:
        out = out[:limit] + [f"... and {len(out) - limit} more"]
    return out


def renamed_keys(then: MonthFigures, now: MonthFigures, renames: dict[str, str]) -> MonthFigures:
    """`then` with its keys replaced by this run's where a customer was renamed
    (renames: new key -> old key), so the comparison follows the customer."""
    if not renames:
        return then
    back = {old: new for new, old in renames.items()}
    invoices = tuple(InvoiceFig(back.get(i.key, i.key), i.customer, i.currency, i.number, i.total, i.lines)
                     for i in then.invoices)
    return MonthFigures(then.month, invoices, then.accounts, then.source, then.has_accounts)


def totals_by_currency(figs: MonthFigures) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for inv in figs.invoices:
        out[inv.currency] += inv.total
    return dict(sorted(out.items()))


def summary_of(changes: Iterable[Change]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for c in changes:
        counts[c.change] += 1
    return dict(counts)


__all__ = ["LineFig", "InvoiceFig", "AccountFig", "MonthFigures", "Change", "figures_from_result", "compare",
           "differences", "over_threshold", "renamed_keys", "totals_by_currency", "summary_of"]
