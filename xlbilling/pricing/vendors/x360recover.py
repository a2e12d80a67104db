"""Axcient x360Recover, appliance-based licensing (seeds/002): endpoint licenses
(server / workstation, per tier, never prorated), storage licenses (prorated by
days assigned) and the partner's pooled cloud allowance with its overage.

Sources, used together (BILLING_RULES 2 "Decision (counts and tiers together)"):
the license assignments (a license-assignment report, or the price book's
Licenses sheet) give how many endpoint licenses are billed; the device list
splits them into bundled / self-hosted and adds the cloud-only systems, billed on
top.  Either source alone still prices: licenses alone bill the bundled rate,
the device list alone bills each system at its tier."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Sequence

from xlbilling.core.records import Source
from xlbilling.core.rules import x360recover as x360_rules
from xlbilling.core.rules.result import fmt
from xlbilling.core.words import count, plural
from xlbilling.pricing.charges import (Charge, Group, MappedRecord, MappedUsage, UnitResult, describe, group_records,
                                       price_group, price_groups)
from xlbilling.pricing.model import License, PoolRow, PriceBook, Rate
from xlbilling.pricing.rates import find_price_and_rule, find_rate

VENDOR = "x360recover"
LABEL = "x360Recover"
LABELS = {
    "endpoint_server": "x360Recover server endpoint",
    "endpoint_workstation": "x360Recover workstation endpoint",
    "storage_license": "x360Recover storage license",
    "cloud_gb": "x360Recover cloud storage above the pooled allowance",
    "d2c_server": "x360Recover Direct-to-Cloud server",
    "d2c_workstation": "x360Recover Direct-to-Cloud workstation",
}
DEVICE_REPORT = "device-usage"            # readers/x360recover_devices.py report_type
LICENSE_REPORT = "license-assignments"    # readers/x360recover_licenses.py
KINDS = {"endpoint_server": "server", "endpoint_workstation": "workstation"}
SHEET_KINDS = {"endpoint-server": "endpoint_server", "endpoint-workstation": "endpoint_workstation"}


def storage_rate(pricebook: PriceBook, size: str, customer: str) -> Rate | None:
    """A storage license's monthly price: Rates item 'storage_license:<size>' (e.g.
    storage_license:1TB) when the price book prices sizes apart, else 'storage_license'."""
    if size:
        rate = find_rate(pricebook, VENDOR, f"storage_license:{size}", "", customer)
        if rate is not None and rate.unit_price is not None:
            return rate
    return find_rate(pricebook, VENDOR, "storage_license", "", customer)


# --- storage-license coverage ---------------------------------------------------

def _keys(*names: str) -> frozenset[str]:
    return frozenset(n.strip().casefold() for n in names if n and n.strip())


@dataclass
class _Cover:
    """Days of the month each customer location is under a storage license.

    A location is named by the license's location (or client id); a license
    whose location names none of the customer's x360Recover accounts (or is
    blank) covers the whole customer."""

    month: dt.date
    spans: dict[str, list[tuple[frozenset[str], object, object]]] = field(default_factory=lambda: defaultdict(list))
    locations: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))   # names of systems' accounts

    def add(self, customer: str, keys: frozenset[str], first: object, last: object) -> None:
        self.spans[customer].append((keys, first, last))

    def days(self, customer: str, keys: frozenset[str]) -> set[dt.date]:
        start, end = x360_rules.month_bounds(self.month)
        covered: set[dt.date] = set()
        for lic_keys, first, last in self.spans.get(customer, ()):
            if lic_keys and keys and not lic_keys & keys and self._names_a_location(customer, lic_keys):
                continue
            lo = max(start, x360_rules.to_date(first, what="first_day")) if first not in (None, "") else start
            hi = min(end, x360_rules.to_date(last, what="last_day")) if last not in (None, "") else end
            covered.update(lo + dt.timedelta(days=n) for n in range((hi - lo).days + 1))
        return covered

    def full(self, customer: str, keys: frozenset[str]) -> bool:
        """seeds/002: a location covered on every day, by one license or several in
        turn (a license may be replaced by one of another size at any time)."""
        start, end = x360_rules.month_bounds(self.month)
        return len(self.days(customer, keys)) == (end - start).days + 1

    def any(self, customer: str, keys: frozenset[str]) -> bool:
        return bool(self.days(customer, keys))

    def _names_a_location(self, customer: str, lic_keys: frozenset[str]) -> bool:
        return bool(lic_keys & self.locations.get(customer, set()))


# --- the month's usage, sorted -----------------------------------------------------

@dataclass
class _Endpoints:
    """One customer's endpoints of one kind (server / workstation)."""

    licenses: Decimal = Decimal(0)
    license_parts: list[str] = field(default_factory=list)
    license_sources: list[Source] = field(default_factory=list)
    sheet: list[License] = field(default_factory=list)
    systems: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))   # tier -> devices
    system_sources: dict[str, list[Source]] = field(default_factory=lambda: defaultdict(list))
    accounts: list[str] = field(default_factory=list)


@dataclass
class _Month:
    pricebook: PriceBook
    month: dt.date
    out: UnitResult
    cover: _Cover
    use_licenses: bool = True
    use_devices: bool = True
    has_licenses: bool = False
    has_devices: bool = False
    endpoints: dict[tuple[str, str], _Endpoints] = field(default_factory=lambda: defaultdict(_Endpoints))
    allowance: dict[str, dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: {"server": Decimal(0), "workstation": Decimal(0)}))
    cloud: dict[str, list[tuple[Decimal, Source, str]]] = field(default_factory=lambda: defaultdict(list))
    outside_pool: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    storage_records: list[MappedRecord] = field(default_factory=list)
    billable: list[MappedRecord] = field(default_factory=list)


def price(usage: MappedUsage, pricebook: PriceBook, month: dt.date) -> UnitResult:
    out = UnitResult()
    sheet_licenses = _sheet_licenses(usage, pricebook, out)
    m = _Month(pricebook, month, out, _coverage(usage.records, sheet_licenses, month))
    _choose_sources(m, usage, sheet_licenses)
    for rec in usage.records:
        _sort_record(m, rec)
    _sort_sheet_licenses(m, sheet_licenses)
    for (customer, item), ep in sorted(m.endpoints.items()):
        _endpoint_charges(m, customer, item, ep)
    price_groups(pricebook, group_records(m.billable), out, LABELS)
    for rec in m.storage_records:
        _storage_record_charge(m, rec)
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


def _coverage(records: Sequence[MappedRecord], sheet_licenses: Sequence[License], month: dt.date) -> _Cover:
    cover = _Cover(month)
    for mr in records:
        if mr.record.item != "storage_license":
            cover.locations[mr.customer] |= _keys(mr.record.account, mr.record.customer)
        elif mr.report_type == LICENSE_REPORT:
            d = mr.record.details or {}
            cover.add(mr.customer, _keys(mr.record.account, mr.record.customer), d.get("first_day") or None,
                      d.get("last_day") or None)
    for lic in sheet_licenses:
        if lic.license_type == "storage" and x360_rules.days_assigned(lic.first_day, lic.last_day, month):
            cover.add(lic.customer, _keys(lic.location), lic.first_day, lic.last_day)
    return cover


def _choose_sources(m: _Month, usage: MappedUsage, sheet_licenses: Sequence[License]) -> None:
    """Settings "x360Recover endpoints billed from": auto uses every source given;
    devices / licenses bills endpoints from that source alone."""
    m.has_devices = any(r.report_type == DEVICE_REPORT for r in usage.reads)
    m.has_licenses = (any(r.report_type == LICENSE_REPORT for r in usage.reads)
                      or any(lic.license_type in SHEET_KINDS for lic in sheet_licenses))
    chosen = m.pricebook.settings.x360_endpoints_from
    m.use_devices = chosen in ("auto", "devices")
    m.use_licenses = chosen in ("auto", "licenses")


def _cloud_gb(rec, bytes_per_gb: Decimal):
    """cloud_gb in the price book's GB (Settings 'x360Recover bytes per GB';
    Axcient states no unit): re-divided from the bytes the reader kept."""
    raw = rec.details.get("cloud_usage_bytes")
    if raw is None or Decimal(rec.details.get("bytes_per_gb", bytes_per_gb)) == bytes_per_gb:
        return rec
    return replace(rec, quantity=Decimal(raw) / bytes_per_gb,
                   details={**rec.details, "bytes_per_gb": str(bytes_per_gb)})


def _sort_record(m: _Month, mr: MappedRecord) -> None:
    rec, customer = mr.record, mr.customer
    keys = _keys(rec.account, rec.customer)
    if rec.item == "cloud_gb":
        rec = _cloud_gb(rec, m.pricebook.settings.x360_bytes_per_gb)
        # seeds/002: storage-licensed systems have unlimited cloud storage: no pool allowance, no overage
        if m.cover.any(customer, keys):
            m.outside_pool[customer] += rec.quantity
            m.out.pool.append(f"{customer}: {rec.account} cloud {fmt(rec.quantity)} GB under a"
                              " storage license: outside the pool")
        else:
            m.cloud[customer].append((rec.quantity, rec.source, rec.account))
    elif rec.item == "storage_license":
        m.storage_records.append(mr)
    elif rec.item in KINDS:
        _sort_endpoint(m, mr, keys)
    else:
        m.billable.append(mr)


def _sort_endpoint(m: _Month, mr: MappedRecord, keys: frozenset[str]) -> None:
    rec, customer = mr.record, mr.customer
    from_devices = mr.report_type == DEVICE_REPORT
    if not (m.use_devices if from_devices else m.use_licenses):
        m.out.pool.append(f"{customer}: {rec.item} x {fmt(rec.quantity)} from {mr.file} not billed: endpoints"
                          f" are billed from {m.pricebook.settings.x360_endpoints_from} (Settings)")
        return
    if m.cover.full(customer, keys):
        m.out.pool.append(f"{customer}: {rec.account} {rec.item} x {fmt(rec.quantity)} under a storage license"
                          " all month: no endpoint charge")
        return
    ep = m.endpoints[(customer, rec.item)]
    if rec.account not in ep.accounts:
        ep.accounts.append(rec.account)
    if from_devices:
        tier = rec.tier or "bundled"
        ep.systems[tier] += rec.quantity
        ep.system_sources[tier].append(rec.source)
    else:
        ep.licenses += rec.quantity
        ep.license_parts.append(f"{rec.account}: {fmt(rec.quantity)}")
        ep.license_sources.append(rec.source)


def _sort_sheet_licenses(m: _Month, sheet_licenses: Sequence[License]) -> None:
    """The price book's Licenses sheet (the partner's license-assignment table, FORMATS.md)."""
    for lic in sheet_licenses:
        if lic.license_type == "storage":
            _sheet_storage_charge(m, lic)
            continue
        item = SHEET_KINDS.get(lic.license_type)
        if item is None or not m.use_licenses:
            continue
        if m.cover.full(lic.customer, _keys(lic.location)):
            m.out.pool.append(f"{lic.customer}: Licenses row {lic.row} {item} under a storage license all month:"
                              " no endpoint charge")
            continue
        m.endpoints[(lic.customer, item)].sheet.append(lic)


# --- endpoint charges ------------------------------------------------------------------

def _sheet_counts(m: _Month, ep: _Endpoints) -> None:
    """Licenses-sheet assignments overlapping the month (seeds/002: never prorated;
    Decision: count assignments overlapping the month)."""
    if not ep.sheet:
        return
    count = x360_rules.monthly_license_count([(x.first_day, x.last_day) for x in ep.sheet], m.month)
    ep.licenses += count.value
    ep.license_parts.append(f"Licenses sheet: {count.working}")
    ep.license_sources.extend(_sheet_source(m, x) for x in ep.sheet)
    ep.accounts.extend(x.location for x in ep.sheet if x.location and x.location not in ep.accounts)


def _endpoint_charges(m: _Month, customer: str, item: str, ep: _Endpoints) -> None:
    """The endpoint lines of one customer and kind, by the sources in use: licenses
    and device list together (split), licenses alone (bundled, or the Licenses
    sheet's own tier and price), or the device list alone (each system's tier)."""
    if ep.sheet and not ep.license_sources and not ep.systems:
        _sheet_priced(m, customer, item, ep)
        return
    _sheet_counts(m, ep)
    if m.has_licenses and m.use_licenses:
        split = _split(m, customer, item, ep) if ep.systems else {
            "bundled": (ep.licenses, "licenses " + " + ".join(ep.license_parts), ep.license_sources)}
    else:
        split = {t: (q, f"device list: {fmt(q)} {t}", ep.system_sources[t]) for t, q in ep.systems.items()
                 if t != "cloud-only"}
    kind = KINDS[item]
    for tier, (qty, working, sources) in sorted(split.items()):
        if qty:
            m.allowance[customer][kind] += qty
            _endpoint_group(m, customer, item, tier, qty, working, sources, ep.accounts)
    cloud_only = ep.systems.get("cloud-only", Decimal(0))
    if cloud_only:
        # seeds/002: a cloud-only system is billed on top, at the cloud-only rate, else the bundled rate
        _cloud_only_charge(m, customer, item, cloud_only, ep)


def _split(m: _Month, customer: str, item: str, ep: _Endpoints) -> dict:
    """Licenses counted from the assignments, split into tiers by the device list.

    More licenses than protected systems: the spare licenses bill the bundled rate
    (Axcient bills every assigned license); fewer: the bundled systems take the
    licenses first.  Either is a problem to review."""
    bundled, selfhosted = ep.systems.get("bundled", Decimal(0)), ep.systems.get("self-hosted", Decimal(0))
    systems, licenses = bundled + selfhosted, ep.licenses
    kind = KINDS[item]
    lic_text = "licenses " + " + ".join(ep.license_parts) + (f" = {fmt(licenses)}" if len(ep.license_parts) > 1
                                                              else "")
    if licenses >= systems:
        b, s = bundled + (licenses - systems), selfhosted
    else:
        b = min(bundled, licenses)
        s = licenses - b
    dev_text = f"device list {fmt(bundled)} bundled + {fmt(selfhosted)} self-hosted"
    if licenses > systems:
        m.out.problem("license_without_system",
                      f"{customer!r} has {count(licenses, f'x360Recover {kind} endpoint license')} this month but the"
                      f" device list shows {count(systems, f'protected {kind}')} on an appliance: the"
                      f" {count(licenses - systems, 'spare license')} {plural('is', licenses - systems, 'are')} billed"
                      f" at the bundled rate; check whether {plural('it', licenses - systems, 'they')} can be removed", vendor=VENDOR, account=", ".join(ep.accounts), customer=customer,
                      source="; ".join(str(s) for s in ep.license_sources))
    elif licenses < systems:
        m.out.problem("system_without_license",
                      f"{customer!r} has {count(systems, f'protected {kind}')} on an appliance but only"
                      f" {count(licenses, f'x360Recover {kind} endpoint license')} this month: {fmt(licenses)}"
                      f" {plural('is', licenses, 'are')} billed; check the license assignments", vendor=VENDOR, account=", ".join(ep.accounts), customer=customer,
                      source="; ".join(str(s) for s in ep.license_sources))
    working = f"{lic_text}; {dev_text}"
    sources = ep.license_sources + [s for t in ("bundled", "self-hosted") for s in ep.system_sources.get(t, [])]
    return {"bundled": (b, f"{working} -> {fmt(b)} bundled", sources),
            "self-hosted": (s, f"{working} -> {fmt(s)} self-hosted", sources)}


def _endpoint_group(m: _Month, customer: str, item: str, tier: str, qty: Decimal, working: str,
                    sources: Sequence[Source], accounts: Sequence[str]) -> None:
    g = Group(customer, VENDOR, item, tier, "license", None, None, qty, [working], list(sources), list(accounts))
    price_group(m.pricebook, g, m.out, LABELS)


def _cloud_only_charge(m: _Month, customer: str, item: str, qty: Decimal, ep: _Endpoints) -> None:
    price_row, _ = find_price_and_rule(m.pricebook, VENDOR, item, "cloud-only", customer)
    own_rate = price_row is not None and price_row.tier == "cloud-only"
    tier = "cloud-only" if own_rate else "bundled"
    working = f"device list: {fmt(qty)} cloud-only (no copy on an appliance), billed on top of the licenses"
    if not own_rate:
        working += "; no cloud-only rate in the price book: the bundled rate"
    before = len(m.out.charges)
    _endpoint_group(m, customer, item, tier, qty, working, ep.system_sources["cloud-only"], ep.accounts)
    if len(m.out.charges) > before and not own_rate:
        ch = m.out.charges[-1]
        m.out.charges[-1] = replace(ch, description=describe(item, "cloud-only", price_row, LABELS))


def _sheet_priced(m: _Month, customer: str, item: str, ep: _Endpoints) -> None:
    """Licenses sheet endpoint rows, per tier: their own Monthly price when the rows
    share one, else the Rates sheet."""
    by_tier: dict[str, list[License]] = defaultdict(list)
    for lic in ep.sheet:
        by_tier[lic.tier or "bundled"].append(lic)
    for tier, lics in sorted(by_tier.items()):
        count = x360_rules.monthly_license_count([(x.first_day, x.last_day) for x in lics], m.month)
        if count.value == 0:
            continue
        m.allowance[customer][KINDS[item]] += count.value
        working, sources = f"Licenses: {count.working}", [_sheet_source(m, x) for x in lics]
        prices = {x.monthly_price for x in lics if x.monthly_price is not None}
        if len(prices) == 1 and all(x.monthly_price is not None for x in lics):
            m.out.charges.append(Charge(
                customer=customer, vendor=VENDOR, item=item, description=describe(item, tier, None, LABELS),
                quantity=count.value, unit="license", unit_price=prices.pop(),
                currency=lics[0].currency or m.pricebook.settings.home_currency, working=working,
                sources=tuple(sources)))
        else:
            _endpoint_group(m, customer, item, tier, count.value, working, sources, [x.location for x in lics])


# --- storage licenses ------------------------------------------------------------------

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


# --- the pool ---------------------------------------------------------------------------

def _price_pool(m: _Month) -> None:
    """seeds/002: cloud usage of endpoint-licensed systems beyond the pooled allowance
    (2 TB per server license, 200 GB per workstation license: Settings) is billed
    per GB; the price book allocates the partner-level overage pro rata or not at all.
    Every figure is kept as a PoolRow, so an overage that vanished can be seen."""
    s = m.pricebook.settings
    total_s = sum((e["server"] for e in m.allowance.values()), Decimal(0))
    total_w = sum((e["workstation"] for e in m.allowance.values()), Decimal(0))
    used = {c: sum((q for q, _, _ in v), Decimal(0)) for c, v in m.cloud.items()}
    over = x360_rules.storage_overage_gb(sum(used.values(), Decimal(0)), total_s, total_w, pool=s.pool)
    m.out.pool.append(f"pool: {over.working}")
    allocate = over.value != 0 and s.pool_overage_allocation != "none"
    if over.value != 0 and not allocate:
        m.out.problem("pool_overage_unallocated",
                      f"x360Recover cloud usage is {fmt(over.value)} GB above the pooled allowance; Settings 'Pool"
                      " overage allocation' is none, so no customer is billed for it (partner cost)", vendor=VENDOR)
    own, excess = {}, {}
    for c in sorted(set(used) | set(m.allowance)):
        own[c] = x360_rules.pool_allowance_gb(m.allowance[c]["server"], m.allowance[c]["workstation"], pool=s.pool)
        excess[c] = used.get(c, Decimal(0)) - own[c].value
    shares = x360_rules.allocate_overage(excess, over.value) if allocate else {}
    for c in sorted(set(own) | set(m.outside_pool)):
        share = shares.get(c)
        _pool_row(m, c, own.get(c), used.get(c, Decimal(0)), excess.get(c), share)
        if share is not None and share.value != 0:
            _overage_charge(m, c, share, over.working)
    total = x360_rules.pool_allowance_gb(total_s, total_w, pool=s.pool).value
    m.out.pool_rows.append(PoolRow("", total_s, total_w, total, sum(used.values(), Decimal(0)), over.value,
                                   over.value if allocate else Decimal(0), over.working,
                                   sum(m.outside_pool.values(), Decimal(0))))


def _pool_row(m: _Month, customer: str, own, used_gb: Decimal, excess_gb: Decimal | None, share) -> None:
    a = m.allowance.get(customer, {"server": Decimal(0), "workstation": Decimal(0)})
    outside = m.outside_pool.get(customer, Decimal(0))
    note = share.working if share is not None else ""
    if outside:
        note = (note + "; " if note else "") + f"{fmt(outside)} GB under a storage license: outside the pool"
    m.out.pool_rows.append(PoolRow(customer, a["server"], a["workstation"], own.value if own else Decimal(0),
                                   used_gb, excess_gb if excess_gb is not None else Decimal(0),
                                   share.value if share is not None else Decimal(0), note, outside))


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
