"""Invoice numbers that never move.

One sequence continues across months (`n`), formatted by the price book's
Settings 'Invoice number format' (e.g. ``INV-{n:05d}``) from 'Invoice number
start' (e.g. 1042, to continue an accounting system's numbering).  Once a
customer's invoice for a month has a number (reserved in the ledger at the
first build/lines/export of the month, kept at close) it keeps it, whatever
is renamed or added.

Which invoice is "the same" across runs: the customer's stable key
(`customer_key`): the price book's Customers 'Customer id' when filled, else
the name (case-insensitive).  A customer renamed without an id is still
recognised when its vendor accounts are those of a numbered invoice whose
customer is gone from this run (`resolve_numbers`).

Pure: no database here; xlbilling/ledger stores what this decides.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from xlbilling.errors import PriceBookError

# The only fields a format may use, all plain values (no attribute or index access).
FIELDS = ("n", "prefix", "year", "month")
DEFAULT_FORMAT = "{prefix}{n:05d}"
MAX_NUMBER_LENGTH = 50   # Xero InvoiceNumber / QBO InvoiceNo limits are around here


def validate_format(fmt: str) -> str:
    """Check an invoice number format before it is used.

    str.format with a user's string can read attributes (``{n.__class__}``)
    and indexes; only the plain fields n, prefix, year, month are allowed, with
    simple format specs and no conversions, and `{n}` must appear (else every
    invoice would get the same number)."""
    if not isinstance(fmt, str) or not fmt.strip():
        raise PriceBookError("Settings 'Invoice number format': expected a format such as INV-{n:05d}, found"
                             f" {fmt!r}")
    used = set()
    try:
        parts = list(string.Formatter().parse(fmt))
    except ValueError as exc:
        raise PriceBookError(f"Settings 'Invoice number format' {fmt!r}: {exc} (write braces as {{{{ and }}}})"
                             ) from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in FIELDS:
            raise PriceBookError(f"Settings 'Invoice number format' {fmt!r}: {{{name}}} is not allowed; use only"
                                 " {n} (the sequence number), {prefix}, {year}, {month}")
        if conversion is not None:
            raise PriceBookError(f"Settings 'Invoice number format' {fmt!r}: !{conversion} is not allowed")
        if spec and ("{" in spec or "}" in spec):
            raise PriceBookError(f"Settings 'Invoice number format' {fmt!r}: nested fields are not allowed")
        if spec and any(int(w) > MAX_NUMBER_LENGTH for w in re.findall(r"\d+", spec)):
            raise PriceBookError(f"Settings 'Invoice number format' {fmt!r}: width {spec!r} is too wide")
        used.add(name)
    if "n" not in used:
        raise PriceBookError(f"Settings 'Invoice number format' {fmt!r}: must contain {{n}} (e.g. INV-{{n:05d}}),"
                             " else every invoice would get the same number")
    try:
        sample = format_number(fmt, 1, prefix="INV-", month=dt.date(2026, 10, 1), checked=True)
    except (ValueError, TypeError) as exc:
        raise PriceBookError(f"Settings 'Invoice number format' {fmt!r}: {exc}") from None
    if len(sample) > MAX_NUMBER_LENGTH:
        raise PriceBookError(f"Settings 'Invoice number format' {fmt!r}: numbers would be longer than"
                             f" {MAX_NUMBER_LENGTH} characters")
    return fmt


def format_number(fmt: str, n: int, *, prefix: str = "", month: dt.date | None = None,
                  checked: bool = False) -> str:
    """The invoice number for sequence number `n` (the format validated first)."""
    if not checked:
        validate_format(fmt)
    month = month or dt.date.today()
    return fmt.format(n=int(n), prefix=str(prefix), year=month.year, month=month.month)


def customer_key(name: str, customer_id: str = "") -> str:
    """The stable key of a customer: its id when the price book gives one, else its name."""
    return f"id:{customer_id.strip()}" if customer_id and customer_id.strip() else f"name:{name.strip().casefold()}"


@dataclass(frozen=True, slots=True)
class Numbered:
    """A number already given for the month: to whom, and which accounts it covered."""

    key: str
    customer: str
    number: str
    n: int
    accounts: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Wanted:
    """An invoice of this run that needs a number."""

    key: str
    customer: str
    accounts: frozenset[str] = frozenset()


def resolve_numbers(wanted: Sequence[Wanted], existing: Iterable[Numbered]
                    ) -> tuple[dict[str, Numbered], list[Wanted], dict[str, str]]:
    """Match this run's invoices to the numbers already given for the month.

    Returns (key -> existing number kept, invoices needing a new number in
    order, renames {new key: old key}).  Same key: same number.  A key not
    numbered yet whose vendor accounts overlap those of exactly one numbered
    invoice whose key is absent from this run: the same customer, renamed."""
    by_key = {e.key: e for e in existing}
    present = {w.key for w in wanted}
    kept: dict[str, Numbered] = {}
    fresh: list[Wanted] = []
    renames: dict[str, str] = {}
    orphans = [e for k, e in by_key.items() if k not in present]
    for w in wanted:
        if w.key in by_key:
            kept[w.key] = by_key[w.key]
            continue
        same = [e for e in orphans if e.accounts and w.accounts & e.accounts]
        if len(same) == 1:
            kept[w.key] = same[0]
            renames[w.key] = same[0].key
            orphans.remove(same[0])
            continue
        fresh.append(w)
    return kept, fresh, renames


def numbers_for(wanted: Sequence[Wanted], existing: Iterable[Numbered], next_n: int, fmt: str, *, prefix: str,
                month: dt.date, taken: Iterable[str] = ()) -> tuple[dict[str, Numbered], list[Numbered], int,
                                                                    dict[str, str]]:
    """Every wanted invoice's number: (key -> Numbered for all, the new ones,
    the next sequence number after them, renames).  `taken`: every number
    ever given (any month), never given again."""
    validate_format(fmt)
    existing = list(existing)
    kept, fresh, renames = resolve_numbers(wanted, existing)
    out = dict(kept)
    new: list[Numbered] = []
    n = next_n
    taken = {e.number for e in existing} | set(taken)
    for w in fresh:
        number = format_number(fmt, n, prefix=prefix, month=month, checked=True)
        while number in taken:   # a format change must never reuse a number already given
            n += 1
            number = format_number(fmt, n, prefix=prefix, month=month, checked=True)
        item = Numbered(w.key, w.customer, number, n, w.accounts)
        out[w.key] = item
        new.append(item)
        taken.add(number)
        n += 1
    return out, new, n, renames


def provisional(wanted: Sequence[Wanted], fmt: str, start: int, *, prefix: str, month: dt.date
                ) -> dict[str, Numbered]:
    """Numbers without a ledger (none kept yet): the sequence from `start` in
    this run's order.  The first close gives the same numbers for the same invoices."""
    out, _, _, _ = numbers_for(wanted, (), start, fmt, prefix=prefix, month=month)
    return out


def account_ids(accounts: Iterable[tuple[str, str]]) -> frozenset[str]:
    return frozenset(f"{v}:{a}" for v, a in accounts)


def customer_accounts(pricebook, reads: Sequence) -> Mapping[str, frozenset[str]]:
    """customer name (casefold) -> the vendor accounts of this run mapped to it."""
    out: dict[str, set[str]] = {}
    seen: set[tuple[str, str]] = set()   # an account has many records (devices, users): looked up once
    for read in reads:
        for rec in read.records:
            pair = (rec.vendor, rec.account)
            if pair in seen:
                continue
            seen.add(pair)
            acct = pricebook.account(rec.vendor, rec.account)
            if acct is not None and acct.customer:
                out.setdefault(acct.customer.casefold(), set()).add(f"{rec.vendor}:{rec.account}")
    return {k: frozenset(v) for k, v in out.items()}


__all__ = ["validate_format", "format_number", "customer_key", "resolve_numbers", "numbers_for", "provisional",
           "Numbered", "Wanted", "DEFAULT_FORMAT", "customer_accounts"]
