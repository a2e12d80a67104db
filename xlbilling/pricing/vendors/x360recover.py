"""Axcient x360Recover, appliance-based licensing (seeds/002): endpoint licenses
(server / workstation, per tier, never prorated), storage licenses (prorated by
days assigned) and the partner's pooled cloud allowance with its overage.

Usage comes from the device list and/or the license-assignment report, and the
price book's Licenses sheet (the partner's own license table)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Sequence

from xlbilling.core.records import Source
from xlbilling.core.rules import x360recover as x360_rules
from xlbilling.core.rules.result import fmt
from xlbilling.pricing.charges import (Charge, Group, MappedRecord, MappedUsage, UnitResult, describe, group_records,
                                       price_group, price_groups)
from xlbilling.pricing.model import License, PriceBook, Rate
from xlbilling.pricing.rates import find_rate

VENDOR = "x360recover"
LABEL = "x360Recover"
LABELS = {
    "endpoint_server": "x360Recover server endpoint",
    "endpoint_workstation": "x360Recover workstation endpoint",
    "storage_license": "x360Recover storage license",
    "cloud_gb": "x360Recover cloud storage above the pooled allowance",
}
DEVICE_REPORT = "device-usage"            # readers/x360recover_devices.py report_type
LICENSE_REPORT = "license-assignments"    # readers/x360recover_licenses.py
ENDPOINT_ITEMS = {"endpoint_server": "endpoint-server", "endpoint_workstation": "endpoint-workstation"}


def storage_rate(pricebook: PriceBook, size: str, customer: str) -> Rate | None:
    """A storage license's monthly price: Rates item 'storage_license:<size>' (e.g.
    storage_license:1TB) when the price book prices sizes apart, else 'storage_license'."""
    if size:
        rate = find_rate(pricebook, VENDOR, f"storage_license:{size}", "", customer)
        if rate is not None and rate.unit_price is not None:
            return rate
    return find_rate(pricebook, VENDOR, "storage_license", "", customer)


@dataclass
class _Month:
    """What the month's x360Recover usage sorts into before pricing."""

    pricebook: PriceBook
    month: dt.date
    out: UnitResult
    storage_customers: set[str] = field(default_factory=set)
    full_month_storage: set[str] = field(default_factory=set)
    endpoint_source: str = "devices"
    cloud: dict[str, list[tuple[Decimal, Source, str]]] = field(default_factory=lambda: defaultdict(list))
    endpoints: dict[str, dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: {"server": Decimal(0), "workstation": Decimal(0)}))
    storage_records: list[MappedRecord] = field(default_factory=list)
    billable: list[MappedRecord] = field(default_factory=list)


def price(usage: MappedUsage, pricebook: PriceBook, month: dt.date) -> UnitResult:
    out = UnitResult()
    sheet_licenses = _sheet_licenses(usage, pricebook, out)
    m = _Month(pricebook, month, out)
    _storage_licensed(m, sheet_licenses, usage.records)
    m.endpoint_source = _endpoint_source(pricebook, usage.reads)
    for rec in usage.records:
        _sort_record(m, rec)
    price_groups(pricebook, group_records(m.billable), out, LABELS)
    for rec in m.storage_records:
        _storage_record_charge(m, rec)
    _licenses_sheet_charges(m, sheet_licenses)
    if usage.records or sheet_licenses:
        _price_pool(m)
    return out


def _sheet_licenses(usage: MappedUsage, pricebook: PriceBook, out: UnitResult) -> tuple[License, ...]:
    """The Licenses sheet, unless a license-assignment report is given: one home
    for the license table, so nothing is billed twice."""
    license_reports = [r for r in usage.reads if r.report_type == LICENSE_REPORT]
    if license_reports and pricebook.licenses:
        out.problem("licenses_sheet_ignored",
                    f"license assignments come from {', '.join(r.file for r in license_reports)}, so the price"
                    " book's Licenses sheet was not used: keep the table in one place", vendor=VENDOR,
                    source=f"{pricebook.path}!Licenses")
        return ()
    return pricebook.licenses


def _storage_licensed(m: _Month, sheet_licenses: Sequence[License], records: Sequence[MappedRecord]) -> None:
    """Customers under a storage license this month, and those under one all month."""
    days_in_month = (x360_rules.month_bounds(m.month)[1] - m.month).days + 1
    storage_days: dict[str, int] = defaultdict(int)   # customer -> most days under a storage license
    for lic in sheet_licenses:
        if lic.license_type == "storage":
            d = x360_rules.days_assigned(lic.first_day, lic.last_day, m.month)
            storage_days[lic.customer] = max(storage_days[lic.customer], d)
    for mr in records:
        if mr.report_type == LICENSE_REPORT and mr.record.item == "storage_license":
            storage_days[mr.customer] = max(storage_days[mr.customer], int(mr.record.quantity))
    m.storage_customers = {c for c, d in storage_days.items() if d > 0}
    m.full_month_storage = {c for c, d in storage_days.items() if d >= days_in_month}


def _endpoint_source(pricebook: PriceBook, reads: Sequence) -> str:
    """Settings "x360Recover endpoints billed from": one source only, so endpoints never bill twice."""
    source = pricebook.settings.x360_endpoints_from
    if source == "auto":
        source = "devices" if any(r.report_type == DEVICE_REPORT for r in reads) else "licenses"
    return source


def _sort_record(m: _Month, mr: MappedRecord) -> None:
    rec, customer = mr.record, mr.customer
    if rec.item == "cloud_gb":
        # seeds/002: storage-licensed systems have unlimited cloud storage: no pool allowance, no overage
        if customer in m.storage_customers:
            m.out.pool.append(f"{customer}: {rec.account} cloud {fmt(rec.quantity)} GB under a"
                              " storage license: outside the pool (seeds/002)")
        else:
            m.cloud[customer].append((rec.quantity, rec.source, rec.account))
        return
    if rec.item == "storage_license":
        m.storage_records.append(mr)
        return
    if rec.item in ENDPOINT_ITEMS:
        from_devices = mr.report_type == DEVICE_REPORT
        if from_devices != (m.endpoint_source == "devices"):
            m.out.pool.append(f"{customer}: {rec.item} x {fmt(rec.quantity)} from {mr.file} not"
                              f" billed: endpoints are billed from {m.endpoint_source} (Settings)")
            return
        if not rec.tier:
            # license-assignment records carry no tier: the bundled rate (seeds/002)
            mr = replace(mr, record=replace(rec, tier="bundled"))
        if customer in m.full_month_storage:
            m.out.pool.append(f"{customer}: {rec.account} {rec.item} x {fmt(rec.quantity)} under a"
                              " storage license all month: no endpoint charge (seeds/002)")
            return
        kind = "server" if rec.item == "endpoint_server" else "workstation"
        m.endpoints[customer][kind] += rec.quantity
    m.billable.append(mr)


def _storage_charge(m: _Month, *, customer: str, price: Decimal, currency: str, first: object, last: object,
                    label: str, sources: Sequence[Source], cost: Decimal | None, rate: Rate | None) -> None:
    """seeds/002: a storage license is prorated, price x days_assigned / days_in_month,
    first and last day counted."""
    days = x360_rules.days_assigned(first, last, m.month)
    if days == 0:
        return
    start, end = x360_rules.month_bounds(m.month)
    days_in_month = (end - start).days + 1
    prorated = x360_rules.prorated_storage(price, first, last, m.month, currency)
    exact = price * days / days_in_month
    cost_unit = None if cost is None else cost * days / days_in_month
    m.out.charges.append(Charge(
        customer=customer, vendor=VENDOR, item="storage_license",
        description=describe("storage_license", "", rate, LABELS) + (f" - {label}" if label else ""),
        quantity=Decimal(1), unit="license", unit_price=exact, currency=currency, cost_per_unit=cost_unit,
        working=f"prorated: {prorated.working}", sources=tuple(sources), exact_amount=exact))


def _storage_record_charge(m: _Month, mr: MappedRecord) -> None:
    """A storage license from a license-assignment report (the record's quantity is
    the days, its details the interval)."""
    rec, customer = mr.record, mr.customer
    d = rec.details or {}
    size = d.get("size", "")
    rate = storage_rate(m.pricebook, size, customer)
    if rate is None or rate.unit_price is None:
        m.out.problem("no_rate", f"{customer!r} has an x360Recover storage license ({rec.account}"
                                 f"{', size ' + size if size else ''}) but the Rates sheet has no monthly price for"
                                 f" item storage_license{':' + size if size else ''} or storage_license: add one;"
                                 " not invoiced",
                      vendor=VENDOR, account=rec.account, customer=customer, source=str(rec.source))
        return
    label = " ".join(x for x in (rec.customer, size, f"{d['retention']} retention" if d.get("retention")
                                 else "") if x)
    _storage_charge(m, customer=customer, price=rate.unit_price, currency=rate.currency,
                    first=d.get("first_day") or None, last=d.get("last_day") or None, label=label,
                    sources=[rec.source], cost=rate.cost_per_unit, rate=rate)


def _licenses_sheet_charges(m: _Month, sheet_licenses: Sequence[License]) -> None:
    """The price book's Licenses sheet (the partner's license-assignment table, FORMATS.md)."""
    endpoint_lics: dict[tuple[str, str, str], list[License]] = defaultdict(list)
    for lic in sheet_licenses:
        if lic.license_type == "storage":
            _sheet_storage_charge(m, lic)
        elif m.endpoint_source == "licenses":
            endpoint_lics[(lic.customer, lic.license_type, lic.tier or "bundled")].append(lic)
    for (customer, ltype, tier), lics in sorted(endpoint_lics.items()):
        _sheet_endpoint_charge(m, customer, ltype, tier, lics)


def _sheet_source(m: _Month, lic: License) -> Source:
    return Source(m.pricebook.path, "Licenses", (lic.row,))


def _sheet_storage_charge(m: _Month, lic: License) -> None:
    s = m.pricebook.settings
    rate = storage_rate(m.pricebook, lic.size, lic.customer)
    price = lic.monthly_price if lic.monthly_price is not None else (rate.unit_price if rate else None)
    if price is None:
        m.out.problem("no_rate", f"Licenses row {lic.row}: storage license for {lic.customer!r} has no Monthly"
                                 " price and the Rates sheet has no storage_license price: fill one; not"
                                 " invoiced", vendor=VENDOR, customer=lic.customer, source=str(_sheet_source(m, lic)))
        return
    currency = lic.currency or (rate.currency if rate and lic.monthly_price is None else s.home_currency)
    label = " ".join(x for x in (lic.location, lic.size, f"{lic.retention} retention" if lic.retention
                                 else "") if x)
    _storage_charge(m, customer=lic.customer, price=price, currency=currency, first=lic.first_day,
                    last=lic.last_day, label=label, sources=[_sheet_source(m, lic)],
                    cost=rate.cost_per_unit if rate else None, rate=rate)


def _sheet_endpoint_charge(m: _Month, customer: str, ltype: str, tier: str, lics: Sequence[License]) -> None:
    # seeds/002: endpoint licenses are not prorated; Decision: count assignments overlapping the month
    count = x360_rules.monthly_license_count([(x.first_day, x.last_day) for x in lics], m.month)
    if count.value == 0:
        return
    item = "endpoint_server" if ltype == "endpoint-server" else "endpoint_workstation"
    m.endpoints[customer]["server" if ltype == "endpoint-server" else "workstation"] += count.value
    g = Group(customer, VENDOR, item, tier, "license", None, None, count.value,
              [f"Licenses: {count.working}"], [_sheet_source(m, x) for x in lics], [x.location for x in lics])
    priced_with = [x.monthly_price for x in lics if x.monthly_price is not None]
    if priced_with and len(set(priced_with)) == 1:
        m.out.charges.append(Charge(
            customer=customer, vendor=VENDOR, item=item, description=describe(item, tier, None, LABELS),
            quantity=count.value, unit="license", unit_price=priced_with[0],
            currency=lics[0].currency or m.pricebook.settings.home_currency, cost_per_unit=None,
            working=g.parts[0], sources=tuple(g.sources)))
    else:
        price_group(m.pricebook, g, m.out, LABELS)


def _price_pool(m: _Month) -> None:
    """seeds/002: cloud usage of endpoint-licensed systems beyond the pooled allowance
    (2 TB per server license, 200 GB per workstation license: Settings) is billed
    per GB; the price book allocates the partner-level overage pro rata or not at all."""
    s = m.pricebook.settings
    total_s = sum((e["server"] for e in m.endpoints.values()), Decimal(0))
    total_w = sum((e["workstation"] for e in m.endpoints.values()), Decimal(0))
    used = {c: sum((q for q, _, _ in v), Decimal(0)) for c, v in m.cloud.items()}
    over = x360_rules.storage_overage_gb(sum(used.values(), Decimal(0)), total_s, total_w, pool=s.pool)
    m.out.pool.append(f"pool: {over.working}")
    if over.value == 0:
        return
    if s.pool_overage_allocation == "none":
        m.out.problem("pool_overage_unallocated",
                      f"x360Recover cloud usage is {fmt(over.value)} GB above the pooled allowance; Settings 'Pool"
                      " overage allocation' is none, so no customer is billed for it (partner cost)", vendor=VENDOR)
        return
    excess: dict[str, Decimal] = {}
    for c in sorted(set(used) | set(m.endpoints)):
        own = x360_rules.pool_allowance_gb(m.endpoints.get(c, {}).get("server", 0),
                                           m.endpoints.get(c, {}).get("workstation", 0), pool=s.pool)
        excess[c] = used.get(c, Decimal(0)) - own.value
    for c, share in x360_rules.allocate_overage(excess, over.value).items():
        if share.value != 0:
            _overage_charge(m, c, share, over.working)


def _overage_charge(m: _Month, customer: str, share, over_working: str) -> None:
    s = m.pricebook.settings
    rate = find_rate(m.pricebook, VENDOR, "cloud_gb", "", customer)
    if rate is not None and rate.unit_price is not None:
        price, currency, cost = rate.unit_price, rate.currency, rate.cost_per_unit
    elif s.pool_overage_price_per_gb is not None:
        price, currency, cost = s.pool_overage_price_per_gb, s.home_currency, s.pool_overage_cost_per_gb
    else:
        m.out.problem("no_rate", f"{customer!r} is allocated {fmt(share.value)} GB of x360Recover pool overage but"
                                 " neither the Rates sheet (x360recover, cloud_gb) nor Settings 'Pool overage price"
                                 " per GB' gives a price: fill one; not invoiced", vendor=VENDOR, customer=customer)
        return
    m.out.charges.append(Charge(
        customer=customer, vendor=VENDOR, item="cloud_gb", description=describe("cloud_gb", "", rate, LABELS),
        quantity=share.value, unit="GB", unit_price=price, currency=currency, cost_per_unit=cost,
        working=f"{share.working} [{over_working}]", sources=tuple(src for _, src, _ in m.cloud.get(customer, []))))
