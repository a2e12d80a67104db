"""Step 1 of pricing a month: map every usage record's account to a price-book
customer, and turn what the readers flagged into problems.  Records whose
account is not mapped are left out (and reported); the rest are handed to the
vendor units grouped by vendor.  Pure (no file access)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from xlbilling.core.records import FORMER_VENDOR_KEYS, UsageRecord
from xlbilling.core.rules.result import fmt
from xlbilling.pricing.charges import MappedRecord, MappedUsage
from xlbilling.pricing.model import PriceBook, Problem
from xlbilling.pricing.rates import find_price_and_rule, find_rate

Progress = Callable[[str, int, int], None]


@dataclass
class Mapped:
    usage: dict[str, MappedUsage]
    problems: list[Problem] = field(default_factory=list)


def map_accounts(reads: Sequence, pricebook: PriceBook, progress: Progress | None = None) -> Mapped:
    """Records grouped by vendor with their customer; unmapped / unreviewed
    accounts, deleted accounts with usage and reader warnings as problems."""
    problems: list[Problem] = []
    by_vendor: dict[str, list[MappedRecord]] = defaultdict(list)
    reads_by_vendor: dict[str, list] = defaultdict(list)
    unmapped: dict[tuple[str, str], list[UsageRecord]] = defaultdict(list)
    unreviewed: set[tuple[str, str, str]] = set()
    for n, read in enumerate(reads, 1):
        if progress:
            progress(f"pricing {read.file}", n, len(reads))
        reads_by_vendor[read.vendor].append(read)
        problems.extend(_reader_problems(read, pricebook))
        for rec in read.records:
            acct = pricebook.account(rec.vendor, rec.account)
            if acct is None or not acct.customer:
                unmapped[(rec.vendor, rec.account)].append(rec)
                continue
            c = pricebook.customer(acct.customer)
            customer = c.name if c else acct.customer
            if not acct.reviewed:
                unreviewed.add((rec.vendor, rec.account, customer))
            by_vendor[rec.vendor].append(MappedRecord(customer, rec, read.report_type, read.file))
    problems.extend(_unmapped_problems(unmapped))
    problems.extend(_unreviewed_problems(unreviewed))
    problems.extend(_former_key_problems(by_vendor, pricebook))
    vendors = set(by_vendor) | set(reads_by_vendor)
    usage = {v: MappedUsage(v, tuple(by_vendor.get(v, ())), tuple(reads_by_vendor.get(v, ()))) for v in vendors}
    return Mapped(usage, problems)


def _reader_problems(read, pricebook: PriceBook) -> list[Problem]:
    """Skipped rows that still carry usage, and the reader's typed problems with
    the price-book customer of the account they concern.  A warning without a
    typed problem (a reader of an older shape) passes on as reader_warning: no
    kind is ever guessed from a message's words."""
    out: list[Problem] = []
    for sk in getattr(read, "skipped", ()) or ():
        qty = {k: v for k, v in (getattr(sk, "quantities", {}) or {}).items() if v}
        if qty:
            out.append(Problem("deleted_with_usage", read.vendor, sk.account, sk.customer,
                               f"account {sk.account!r} ({sk.customer}) is {sk.reason} but still carries usage "
                               f"({', '.join(f'{k} {fmt(v)}' for k, v in sorted(qty.items()))}): not billed"
                               " (Axcient: deleted and expired accounts are not billed); check it should not be billed or reactivated", str(sk.source)))
    typed = list(getattr(read, "problems", ()) or ())
    said = {p.message for p in typed}
    typed += [Problem("reader_warning", read.vendor, "", "", w, read.file)
              for w in getattr(read, "warnings", ()) or () if w not in said]
    return [_with_customer(p, read, pricebook) for p in out + typed]


def _with_customer(p: Problem, read, pricebook: PriceBook) -> Problem:
    """The problem names the price-book customer its account(s) map to, when they
    map to one (a reader problem may concern several accounts, 'a, b'); a problem
    naming no account concerns the whole report: its customer when every account
    of the report maps to one."""
    vendor, source = p.vendor or read.vendor, p.source or read.file
    if p.account:
        customers = {_customer_of(pricebook, vendor, a) for a in p.account.split(", ") if a}
    else:
        customers = {_customer_of(pricebook, vendor, a) for a in {r.account for r in read.records}}
    customer = p.customer
    if len(customers) == 1 and "" not in customers:
        customer = customers.pop()
    return replace(p, vendor=vendor, source=source, customer=customer)


def _customer_of(pricebook: PriceBook, vendor: str, account: str) -> str:
    acct = pricebook.account(vendor, account)
    if acct is None or not acct.customer:
        return ""
    known = pricebook.customer(acct.customer)
    return known.name if known else acct.customer


def _former_key_problems(by_vendor: dict[str, list[MappedRecord]], pricebook: PriceBook) -> list[Problem]:
    """Price-book rows typed under a vendor's former key (Hornetsecurity accounts
    and rates as altaro) still apply; one problem per vendor names the rows to retype."""
    out = []
    for vendor, old in sorted(FORMER_VENDOR_KEYS.items()):
        recs = by_vendor.get(vendor, ())
        accounts, rates = set(), set()
        for m in recs:
            acct = pricebook.account(vendor, m.record.account)
            if acct is not None and acct.vendor == old:
                accounts.add(acct.row)
            for row in (*find_price_and_rule(pricebook, vendor, m.record.item, m.record.tier, m.customer),
                        find_rate(pricebook, vendor, m.record.item, m.record.tier, m.customer)):
                if row is not None and row.vendor == old:
                    rates.add(row.row)
        if not accounts and not rates:
            continue
        where = "; ".join(f"{sheet} row{'s' if len(rows) > 1 else ''} {', '.join(map(str, sorted(rows)))}"
                          for sheet, rows in (("Accounts", accounts), ("Rates", rates)) if rows)
        out.append(Problem("former_vendor_key", vendor, "", "",
                           f"{vendor} usage was priced from price-book rows whose Vendor is {old} ({where}):"
                           f" they still apply; set their Vendor to {vendor}"))
    return out


def _unmapped_problems(unmapped: dict[tuple[str, str], list[UsageRecord]]) -> list[Problem]:
    out = []
    for (vendor, account), recs in sorted(unmapped.items()):
        items = ", ".join(sorted({f"{r.item} {fmt(r.quantity)} {r.unit}" for r in recs}))
        label = recs[0].customer
        out.append(Problem(
            "unmapped_account", vendor, account, label,
            f"{vendor} account {account!r} ({label}) has usage ({items}) but no customer in the price book's"
            f" Accounts sheet: add a row (vendor {vendor}, account {account}) naming the customer; its usage"
            " was not invoiced", "; ".join(sorted({str(r.source) for r in recs}))))
    return out


def _unreviewed_problems(unreviewed: set[tuple[str, str, str]]) -> list[Problem]:
    return [Problem("unreviewed_mapping", vendor, account, customer,
                    f"{vendor} account {account!r} -> {customer!r} is not marked Reviewed in the Accounts sheet"
                    " (pre-filled by `pricebook init` from the vendor's label): check it and set Reviewed to yes")
            for vendor, account, customer in sorted(unreviewed)]


__all__ = ["map_accounts", "Mapped"]
