"""Axcient x360Recover appliance-based licensing (seeds/002, BILLING_RULES.md section 2)."""
from __future__ import annotations

import calendar
import re
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal
from typing import Iterable, Mapping

from xlbilling.core.money import D, normalise_currency, round_money, to_date
from xlbilling.core.rules.axcient_bff import parse_flag
from xlbilling.core.rules.common import non_negative
from xlbilling.core.rules.result import Result, fmt
from xlbilling.core.words import count
from xlbilling.errors import RuleInputError

TIERS = ("bundled", "self-hosted", "cloud-only")


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """The cloud storage pool (seeds/002): each server endpoint license adds 2 TB,
    each workstation license 200 GB.  Decision (BILLING_RULES.md 2): 1 TB =
    1000 GB by default; all three figures are price-book settings."""

    server_tb: Decimal = Decimal(2)
    workstation_gb: Decimal = Decimal(200)
    gb_per_tb: Decimal = Decimal(1000)

    @property
    def server_gb(self) -> Decimal:
        return self.server_tb * self.gb_per_tb


DEFAULT_POOL = PoolSettings()


def endpoint_tier(on_appliance: object, on_axcient_cloud: object) -> str:
    """seeds/002: the tier of one endpoint-licensed protected system.

    - on an Axcient cloud vault and on a customer appliance -> bundled (also
      when it is on a self-hosted vault as well);
    - on an Axcient cloud vault, no appliance copy -> cloud-only;
    - not on any Axcient cloud vault (none, or self-hosted/private only) -> self-hosted.
    """
    cloud = parse_flag(on_axcient_cloud, "on_axcient_cloud")
    appliance = parse_flag(on_appliance, "on_appliance")
    if cloud:
        return "bundled" if appliance else "cloud-only"
    return "self-hosted"


def client_state(active: object, health_status: object) -> str | None:
    """'inactive', 'parked' or None for an x360Recover client.  The API's
    OpenAPI document gives `active` (boolean) and `health_status` (text whose
    values it does not list): `active` false (or 0) is inactive; a health
    status naming PARK is parked.  Such clients are listed for review, not
    silently billed (or silently dropped)."""
    if active is False or str(active).strip().lower() in ("0", "false"):
        return "inactive"
    if "PARK" in str(health_status or "").upper():
        return "parked"
    return None


def _endpoints(servers: object, workstations: object, server_rate: object, workstation_rate: object,
               currency: str) -> tuple:
    s = non_negative(servers, "servers")
    w = non_negative(workstations, "workstations")
    sr = non_negative(server_rate, "server_rate")
    wr = non_negative(workstation_rate, "workstation_rate")
    code = normalise_currency(currency)
    exact = s * sr + w * wr
    return s, w, sr, wr, code, exact, round_money(exact, code)


def endpoint_charge_value(servers: object, workstations: object, server_rate: object, workstation_rate: object,
                          currency: str = "USD") -> Decimal:
    """endpoint_charge without its working text (the ENDPOINT_CHARGE UDF's per-row path)."""
    return _endpoints(servers, workstations, server_rate, workstation_rate, currency)[-1]


def endpoint_charge(servers: object, workstations: object, server_rate: object,
                    workstation_rate: object, currency: str = "USD") -> Result:
    """servers x server_rate + workstations x workstation_rate, rounded once.
    seeds/002: server vs workstation is by operating system; each its own price."""
    s, w, sr, wr, code, exact, amount = _endpoints(servers, workstations, server_rate, workstation_rate, currency)
    return Result(amount, f"{count(s, 'server')} x {fmt(sr)} + {count(w, 'workstation')} x {fmt(wr)}"
                          f" = {fmt(exact)} -> {code} {amount}")


def month_bounds(month: object) -> tuple[dt.date, dt.date]:
    """First and last day of the month containing `month` (any date in it)."""
    day = to_date(month, what="month")
    return _bounds(day.year, day.month)


@lru_cache(maxsize=256)
def _bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


# Billing months and invoice dates xlbilling accepts: a sane window, so a typo
# such as 26-10 (year 26) or 9999-12 (no room for a due date) is an error, not
# a bill for the wrong century or an OverflowError.
MIN_BILLING_YEAR, MAX_BILLING_YEAR = 2000, 2099
_MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")
_DAY_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_month(text: str, *, what: str = "month") -> dt.date:
    """'2026-10' -> 2026-10-01; the CLI's --month.  Strictly YYYY-MM with a year
    in MIN_BILLING_YEAR..MAX_BILLING_YEAR."""
    m = _MONTH_TEXT.fullmatch(text.strip()) if isinstance(text, str) else None
    if m and MIN_BILLING_YEAR <= int(m[1]) <= MAX_BILLING_YEAR and 1 <= int(m[2]) <= 12:
        return dt.date(int(m[1]), int(m[2]), 1)
    raise RuleInputError(f"{what}: expected YYYY-MM with a year from {MIN_BILLING_YEAR} to {MAX_BILLING_YEAR}"
                         f" (e.g. 2026-10), found {text!r}", argument=what, value=text)


def parse_day(text: str, *, what: str = "date") -> dt.date:
    """'2026-10-31' -> date; strictly YYYY-MM-DD in the same year window as parse_month."""
    m = _DAY_TEXT.fullmatch(text.strip()) if isinstance(text, str) else None
    if m and MIN_BILLING_YEAR <= int(m[1]) <= MAX_BILLING_YEAR:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise RuleInputError(f"{what}: expected a date YYYY-MM-DD with a year from {MIN_BILLING_YEAR} to"
                         f" {MAX_BILLING_YEAR} (e.g. 2026-10-31), found {text!r}", argument=what, value=text)


def _interval(first_day: object, last_day: object, month: object) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    start, end = month_bounds(month)
    # Blank = open-ended (before any month / still assigned), not the month's own
    # bounds: otherwise a license from March, or removed in January, would be
    # "last_day before first_day" instead of 0 days in February.
    first = dt.date.min if first_day in (None, "") else to_date(first_day, what="first_day")
    last = dt.date.max if last_day in (None, "") else to_date(last_day, what="last_day")
    if last < first:
        raise RuleInputError(f"last_day {last} is before first_day {first}", argument="last_day", value=last_day)
    return first, last, start, end


def days_assigned(first_day: object, last_day: object, month: object) -> int:
    """Days of `month` within [first_day, last_day], both ends counted.  A blank
    first_day means assigned before the month; a blank last_day, still assigned."""
    first, last, start, end = _interval(first_day, last_day, month)
    lo, hi = max(first, start), min(last, end)
    return max(0, (hi - lo).days + 1)


def _prorate(monthly_price: object, first_day: object, last_day: object, month: object, currency: str):
    price = non_negative(monthly_price, "monthly_price")
    code = normalise_currency(currency)
    first, last, start, end = _interval(first_day, last_day, month)
    lo, hi = max(first, start), min(last, end)
    days = max(0, (hi - lo).days + 1)
    days_in_month = (end - start).days + 1
    exact = price * days / days_in_month
    return price, code, lo, hi, start, days, days_in_month, exact, round_money(exact, code)


def prorated_storage_amount(monthly_price: object, first_day: object, last_day: object, month: object,
                            currency: str = "USD") -> Decimal:
    """The amount of `prorated_storage` without building its working text: the
    PRORATED_STORAGE UDF calls this once per row of a spilled column."""
    return _prorate(monthly_price, first_day, last_day, month, currency)[-1]


def prorated_storage(monthly_price: object, first_day: object, last_day: object, month: object,
                     currency: str = "USD") -> Result:
    """seeds/002: storage licenses are prorated by the days assigned in the month:
    price x days_assigned / days_in_month, first and last day both counted,
    rounded once to the currency."""
    price, code, lo, hi, start, days, days_in_month, exact, amount = _prorate(
        monthly_price, first_day, last_day, month, currency)
    if not days:
        return Result(amount, f"not assigned in {start:%Y-%m}: 0")
    return Result(amount, f"{fmt(price)} x {count(days, 'day')} assigned ({lo} to {hi})"
                          f" / {days_in_month} days = {fmt(exact)} -> {code} {amount}")


def monthly_license_count(intervals: Iterable[tuple[object, object]], month: object) -> Result:
    """seeds/002: endpoint licenses are NOT prorated - one assigned at any point in
    a calendar month bills the whole month.  Decision (BILLING_RULES.md 2): the
    count is the number of assignments whose interval overlaps the month
    (blank first = before the month, blank last = still assigned)."""
    start, end = month_bounds(month)
    count = 0
    total = 0
    for first_day, last_day in intervals:
        total += 1
        if days_assigned(first_day, last_day, month) > 0:
            count += 1
    return Result(Decimal(count), f"{count} of {total} assignments overlap {start:%Y-%m} (not prorated)")


def _pool(server_licenses: object, workstation_licenses: object, server_gb: object, workstation_gb: object,
          pool: PoolSettings) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    s = non_negative(server_licenses, "server_licenses")
    w = non_negative(workstation_licenses, "workstation_licenses")
    sgb = pool.server_gb if server_gb in (None, "") else non_negative(server_gb, "server_gb")
    wgb = pool.workstation_gb if workstation_gb in (None, "") else non_negative(workstation_gb, "workstation_gb")
    return s, w, sgb, wgb, s * sgb + w * wgb


def pool_allowance_gb_value(server_licenses: object, workstation_licenses: object, server_gb: object = None,
                            workstation_gb: object = None, pool: PoolSettings = DEFAULT_POOL) -> Decimal:
    """pool_allowance_gb without its working text (the POOL_ALLOWANCE_GB UDF's per-row path)."""
    return _pool(server_licenses, workstation_licenses, server_gb, workstation_gb, pool)[-1]


def storage_overage_gb_value(cloud_gb: object, server_licenses: object, workstation_licenses: object,
                             server_gb: object = None, workstation_gb: object = None,
                             pool: PoolSettings = DEFAULT_POOL) -> Decimal:
    """storage_overage_gb without its working text (the STORAGE_OVERAGE_GB UDF's per-row path)."""
    used = non_negative(cloud_gb, "cloud_gb")
    allowance = _pool(server_licenses, workstation_licenses, server_gb, workstation_gb, pool)[-1]
    return max(Decimal(0), used - allowance)


def pool_allowance_gb(server_licenses: object, workstation_licenses: object,
                      server_gb: object = None, workstation_gb: object = None,
                      pool: PoolSettings = DEFAULT_POOL) -> Result:
    """seeds/002: each server endpoint license adds 2 TB, each workstation license
    200 GB of cloud allowance, pooled across all the partner's customers."""
    s, w, sgb, wgb, total = _pool(server_licenses, workstation_licenses, server_gb, workstation_gb, pool)
    return Result(total, f"{fmt(s)} server licenses x {fmt(sgb)} GB + {fmt(w)} workstation licenses x"
                         f" {fmt(wgb)} GB = {fmt(total)} GB pooled")


def storage_overage_gb(cloud_gb: object, server_licenses: object, workstation_licenses: object,
                       server_gb: object = None, workstation_gb: object = None,
                       pool: PoolSettings = DEFAULT_POOL) -> Result:
    """seeds/002: cloud usage of endpoint-licensed systems beyond the pool is billed
    per GB; never negative.  Storage-licensed systems are unlimited: leave their
    usage out of `cloud_gb`."""
    used = non_negative(cloud_gb, "cloud_gb")
    allowance = pool_allowance_gb(server_licenses, workstation_licenses, server_gb, workstation_gb, pool)
    over = max(Decimal(0), used - allowance.value)
    return Result(over, f"max(0, {fmt(used)} GB used - {fmt(allowance.value)} GB pool) = {fmt(over)} GB"
                        f" [{allowance.working}]")


def allocate_overage(excess_gb_by_customer: Mapping[str, object], overage_gb: object) -> dict[str, Result]:
    """Decision (BILLING_RULES.md 2): the overage is partner-level; the price book
    may allocate it pro rata to each customer's usage above their own allowance.
    Shares are unrounded GB; the last customer takes the remainder so the
    shares add up to the overage exactly."""
    total_over = non_negative(overage_gb, "overage_gb")
    excess = {c: max(Decimal(0), D(v, what="excess_gb")) for c, v in excess_gb_by_customer.items()}
    basis = sum(excess.values(), Decimal(0))
    out: dict[str, Result] = {}
    if total_over == 0 or basis == 0:
        return {c: Result(Decimal(0), "no pool overage to allocate") for c in excess}
    names = [c for c in excess if excess[c] > 0]
    allocated = Decimal(0)
    for customer, e in excess.items():
        if e == 0:
            out[customer] = Result(Decimal(0), "no usage above own allowance: no share of the overage")
            continue
        share = total_over - allocated if customer == names[-1] else total_over * e / basis
        allocated += share
        out[customer] = Result(share, f"{fmt(total_over)} GB pool overage x {fmt(e)} / {fmt(basis)} GB"
                                      f" above own allowance = {fmt(share)} GB")
    return out
