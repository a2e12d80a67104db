"""Hand-built ReadResult / PriceBook fixtures for the pricing and export tests
(no tests here; no files either: the engine is pure)."""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from xlbilling.core.records import Source, UsageRecord
from xlbilling.pricing.model import Account, Commitment, Customer, License, PriceBook, Rate, Settings
from xlbilling.readers.reader import ReadResult, SkippedRow

NOV = dt.date(2026, 11, 1)  # 30 days


def rec(vendor, account, item, qty, unit="GB", *, customer="", tier="", amount=None, currency=None, details=None,
        row=2, file="report.csv"):
    return UsageRecord(vendor, account, customer or account, item, Decimal(str(qty)), unit, Source(file, None, (row,)),
                       tier=tier, vendor_amount=None if amount is None else Decimal(str(amount)),
                       vendor_currency=currency, details=details or {})


def read(records, *, vendor=None, report_type="test", file="report.csv", skipped=(), warnings=(), sha=None,
         problems=()):
    vendor = vendor or records[0].vendor
    return ReadResult(file=file, sha256=sha or hashlib.sha256(file.encode()).hexdigest(), vendor=vendor,
                      report_type=report_type, records=tuple(records), rows_read=len(records),
                      skipped=tuple(skipped), warnings=tuple(warnings) + tuple(p.message for p in problems),
                      problems=tuple(problems))


def skipped(account, reason, **qty):
    return SkippedRow(Source("report.csv", None, (9,)), account, account, reason,
                      {k: Decimal(str(v)) for k, v in qty.items()})


def rate(vendor, item, price=None, **kw):
    for k in ("cost_per_unit", "rule_rate", "distributor_discount"):
        if kw.get(k) is not None:
            kw[k] = Decimal(str(kw[k]))
    kw.setdefault("currency", "USD")
    return Rate(vendor=vendor, item=item, unit_price=None if price is None else Decimal(str(price)), **kw)


def book(*, customers=(), accounts=(), rates=(), fx=(), commitments=(), licenses=(), **settings):
    cust = tuple(c if isinstance(c, Customer) else Customer(c[0], c[1], *(c[2:] if len(c) > 2 else ())) for c in customers)
    accts = tuple(a if isinstance(a, Account) else Account(a[0], a[1], a[1], a[2]) for a in accounts)
    return PriceBook(path="pb.xlsx", settings=Settings(**settings), customers=cust, accounts=accts, rates=tuple(rates),
                     exchange_rates=tuple((f, t, Decimal(str(r))) for f, t, r in fx),
                     commitments=tuple(Commitment(c, v, Decimal(str(a)), cur) for c, v, a, cur in commitments),
                     licenses=tuple(licenses))


def lic(customer, ltype, first=None, last=None, price=None, **kw):
    return License(customer, kw.pop("location", customer), ltype, first_day=first, last_day=last,
                   monthly_price=None if price is None else Decimal(str(price)), **kw)
