"""Price a month: usage records (ReadResult) + price book -> invoice lines,
invoices, reconciliation and the problems finance staff must look at.

Pure: no file, workbook or pandas access (tests/test_pricing_purity.py).  Every
billing figure comes from xlbilling.core.rules; this module only decides which
rule applies to which record, using the price book's settings.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Iterable, Sequence

from xlbilling.core.money import minor_units, round_money
from xlbilling.core.records import InvoiceLine, Source, UsageRecord
from xlbilling.core.rules import acronis as acronis_rules
from xlbilling.core.rules import axcient_bff as bff_rules
from xlbilling.core.rules import x360recover as x360_rules
from xlbilling.core.rules.common import convert_currency
from xlbilling.core.rules.result import fmt
from xlbilling.pricing.model import (ANY, Invoice, License, PriceBook, PricingResult, Problem, Rate,
                                     ReconRow)

Progress = Callable[[str, int, int], None]

# Default invoice descriptions (a Rates row's Description wins).
ITEM_LABELS = {
    "online_gb": "Online backup storage",
    "local_gb": "Local backup storage",
    "local_servers": "Local backup, servers",
    "local_workstations": "Local backup, workstations",
    "archive_mailboxes": "Email archiving mailboxes",
    "endpoint_server": "x360Recover server endpoint",
    "endpoint_workstation": "x360Recover workstation endpoint",
    "storage_license": "x360Recover storage license",
    "cloud_gb": "x360Recover cloud storage above the pooled allowance",
    "m365_users": "Microsoft 365 backup users",
}
VENDOR_LABELS = {"axcient-bff": "Axcient BFF", "x360recover": "x360Recover", "acronis": "Acronis",
                 "altaro": "Altaro 365"}
X360_DEVICE_REPORT = "device-usage"   # readers/x360recover_devices.py report_type
X360_LICENSE_REPORT = "license-assignments"  # readers/x360recover_licenses.py
ENDPOINT_ITEMS = {"endpoint_server": "endpoint-server", "endpoint_workstation": "endpoint-workstation"}


def _best_rate(pricebook: PriceBook, vendor: str, item: str, tier: str, customer: str,
               wanted: Callable[[Rate], bool]) -> tuple[tuple[int, int, int], Rate] | None:
    best: tuple[tuple[int, int, int], Rate] | None = None
    cust = customer.casefold()
    for rate in pricebook.rates:
        if rate.vendor != vendor or rate.item not in (item, ANY):
            continue
        if rate.tier and rate.tier != tier:
            continue
        if rate.customer and rate.customer.casefold() != cust:
            continue
        if not wanted(rate):
            continue
        score = (1 if rate.customer else 0, 1 if rate.item == item else 0, 1 if rate.tier else 0)
        if best is None or score > best[0]:
            best = (score, rate)
    return best


def _filled(rate: Rate) -> bool:
    return rate.unit_price is not None or bool(rate.rule) or rate.distributor_discount is not None


def _has_price(rate: Rate) -> bool:
    return rate.unit_price is not None


def _has_rule(rate: Rate) -> bool:
    return bool(rate.rule) or rate.distributor_discount is not None


def find_rate(pricebook: PriceBook, vendor: str, item: str, tier: str = "", customer: str = "") -> Rate | None:
    """The Rates row for a vendor item: a customer-specific row wins over an
    all-customers row, then an exact item over "*", then an exact tier over a
    blank tier.  Rows with nothing filled in (price, rule, discount) are ignored,
    so a row left blank by `pricebook init` reads as "no rate"."""
    best = _best_rate(pricebook, vendor, item, tier, customer, _filled)
    return best[1] if best else None


def find_price_and_rule(pricebook: PriceBook, vendor: str, item: str, tier: str = "",
                        customer: str = "") -> tuple[Rate | None, Rate | None]:
    """(row giving the unit price, row giving the pricing rule / discount).

    A row with a Pricing rule but no Unit price (e.g. vendor acronis, item *,
    customer X, margin 0.3) reprices the item's sell price: the report's own
    (Acronis distributor export) or the list price of the best row that has a
    Unit price.  It applies unless the price row is more specific and has no rule."""
    price = _best_rate(pricebook, vendor, item, tier, customer, _has_price)
    rule = _best_rate(pricebook, vendor, item, tier, customer, _has_rule)
    if price is not None and _has_rule(price[1]):
        return price[1], price[1]
    if rule is not None and (price is None or rule[0] >= price[0]):
        return (price[1] if price else None), rule[1]
    return (price[1] if price else None), None


def item_code(pricebook: PriceBook, line: InvoiceLine) -> str:
    """The accounting item code for a line (exports): the matching Rates row's
    code, the commitment-fee code from Settings, else ''."""
    if line.kind == "commitment_fee":
        return pricebook.settings.commitment_item_code
    coded = [r for r in pricebook.rates if r.vendor == line.vendor and r.item_code
             and (r.item in (line.item, ANY) or (line.item == "storage_license" and r.item.startswith("storage_license")))
             and (not r.customer or r.customer.casefold() == line.customer.casefold())]
    # the row whose description the line carries (tiers, storage sizes), else the best match
    for r in sorted(coded, key=lambda r: (not r.customer, r.item == ANY)):
        if r.description and line.description.startswith(r.description):
            return r.item_code
    tier = _tier_of(line)
    best = _best_rate(pricebook, line.vendor, line.item, tier, line.customer, lambda r: bool(r.item_code))
    return best[1].item_code if best else ""


def storage_rate(pricebook: PriceBook, size: str, customer: str) -> Rate | None:
    """A storage license's monthly price: Rates item 'storage_license:<size>' (e.g.
    storage_license:1TB) when the price book prices sizes apart, else 'storage_license'."""
    if size:
        rate = find_rate(pricebook, "x360recover", f"storage_license:{size}", "", customer)
        if rate is not None and rate.unit_price is not None:
            return rate
    return find_rate(pricebook, "x360recover", "storage_license", "", customer)


def _tier_of(line: InvoiceLine) -> str:
    for tier in x360_rules.TIERS:
        if line.description.endswith(f"({tier})"):
            return tier
    return ""


@dataclass
class _Group:
    customer: str
    vendor: str
    item: str
    tier: str
    unit: str
    sell_unit: Decimal | None          # per-unit sell price the report states (Acronis Estimated Cost / qty)
    sell_currency: str | None
    quantity: Decimal = Decimal(0)
    parts: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)


class _Pricer:
    def __init__(self, pricebook: PriceBook, month: dt.date):
        self.pb = pricebook
        self.s = pricebook.settings
        self.month = month
        self.problems: list[Problem] = []
        self.lines: list[InvoiceLine] = []
        self.pool_working: list[str] = []

    # -- helpers ---------------------------------------------------------------
    def invoice_currency(self, customer: str) -> str:
        c = self.pb.customer(customer)
        return c.currency if c and c.currency else self.s.home_currency

    def problem(self, kind: str, message: str, *, vendor: str = "", account: str = "", customer: str = "",
                source: str = "") -> None:
        self.problems.append(Problem(kind, vendor, account, customer, message, source))

    def make_line(self, *, customer: str, vendor: str, item: str, description: str, quantity: Decimal,
                  unit: str, unit_price: Decimal, currency: str, cost_per_unit: Decimal | None, working: str,
                  sources: Sequence[Source], exact: Decimal | None = None, account: str = "") -> InvoiceLine | None:
        """One invoice line, rounded once in the invoice currency (BILLING_RULES "Money").
        A price in another currency converts through ExchangeRates (seeds/001:
        amount_in_target = amount_in_primary x rate) and the line records the rate."""
        inv_ccy = self.invoice_currency(customer)
        exact = quantity * unit_price if exact is None else exact
        if currency == inv_ccy:
            fx = None
            amount = round_money(exact, inv_ccy)
            price_text = (f"{fmt(quantity)} {unit} x {currency} {fmt(unit_price)} = {fmt(exact)}"
                          f" -> {inv_ccy} {amount} (rounded to {minor_units(inv_ccy)} decimals)")
            unit_price_inv = unit_price
        else:
            fx = self.pb.fx_rate(currency, inv_ccy)
            if fx is None:
                self.problem("no_exchange_rate",
                             f"{customer!r} is invoiced in {inv_ccy} but the {vendor} {item} price is in"
                             f" {currency}, and the price book's ExchangeRates sheet has no {currency} -> {inv_ccy}"
                             f" rate: add one (up to 5 decimals); this line was not invoiced",
                             vendor=vendor, account=account, customer=customer,
                             source="; ".join(str(s) for s in sources))
                return None
            # seeds/001: convert with the recorded rate, rounding once in the target currency
            conv = convert_currency(exact, fx, inv_ccy, from_currency=currency)
            amount = conv.value
            unit_price_inv = unit_price * fx
            price_text = f"{fmt(quantity)} {unit} x {currency} {fmt(unit_price)} = {fmt(exact)}; {conv.working}"
        cost = None
        if cost_per_unit is not None:
            cost = round_money(quantity * cost_per_unit * (fx if fx is not None else 1), inv_ccy)
        return InvoiceLine(customer=customer, vendor=vendor, item=item, description=description,
                           quantity=quantity, unit=unit, unit_price=unit_price_inv, amount=amount,
                           currency=inv_ccy, sources=tuple(sources),
                           working=f"{working}; {price_text}" if working else price_text,
                           cost_amount=cost, fx_rate=fx)

    def describe(self, vendor: str, item: str, tier: str, rate: Rate | None) -> str:
        if rate and rate.description:
            return rate.description
        text = ITEM_LABELS.get(item, item)
        return f"{text} ({tier})" if tier else text

    # -- quantities --------------------------------------------------------------
    def record_quantity(self, rec: UsageRecord, customer: str) -> tuple[Decimal, str]:
        """The billable quantity of one record, re-applying the customer's Axcient
        BFF basis (seeds/000) from the record's details when the reader kept them."""
        if rec.vendor == "axcient-bff" and rec.item in ("online_gb", "local_gb"):
            d = rec.details or {}
            prefix = "" if rec.item == "online_gb" else "local_"
            unc, comp = d.get(f"{prefix}uncompressed_gb"), d.get(f"{prefix}compressed_gb")
            if unc not in (None, "") and comp not in (None, ""):
                c = self.pb.customer(customer)
                basis = (c.basis if c and c.basis else "") or self.s.default_basis
                # seeds/000: uncompressed / compressed / per account; Basic plans always uncompressed
                r = bff_rules.billable_gb(unc, comp, d.get("can_view_compressed", 0), basis, d.get("plan", ""))
                return r.value, f"{rec.account}: {r.working}"
        return rec.quantity, f"{rec.account}: {fmt(rec.quantity)} {rec.unit}"

    # -- pricing of grouped usage --------------------------------------------------
    def _discount(self, vendor: str, rule_row: Rate | None) -> Decimal | None:
        if rule_row is not None and rule_row.distributor_discount is not None:
            return rule_row.distributor_discount
        # Settings "Acronis distributor discount" (seeds/001) is Acronis-only
        return self.s.acronis_distributor_discount if vendor == "acronis" else None

    def price_group(self, g: _Group) -> None:
        price_row, rule_row = find_price_and_rule(self.pb, g.vendor, g.item, g.tier, g.customer)
        any_row = find_rate(self.pb, g.vendor, g.item, g.tier, g.customer)
        desc = self.describe(g.vendor, g.item, g.tier, price_row or any_row)
        working = " + ".join(g.parts)
        if len(g.parts) > 1:
            working += f" = {fmt(g.quantity)} {g.unit}"
        rule = rule_row.rule if rule_row else ""
        rule_rate = rule_row.rule_rate if rule_row and rule_row.rule_rate is not None else Decimal(0)
        discount = self._discount(g.vendor, rule_row)
        stated_cost = next((r.cost_per_unit for r in (price_row, rule_row, any_row)
                            if r is not None and r.cost_per_unit is not None), None)
        if g.sell_unit is not None:
            # seeds/001 + seeds/004: the report states the sell price (Estimated Cost =
            # sell x quantity, unrounded); a Rates rule may reprice it by markup /
            # margin / percent of sell; without one the sell price stands.
            sell, sell_text = g.sell_unit, f"sell per {g.unit} from the report {fmt(g.sell_unit)}"
            currency = g.sell_currency or (any_row.currency if any_row else self.s.home_currency)
        else:
            if price_row is None:
                self.problem("no_rate",
                             f"{g.customer!r} has {fmt(g.quantity)} {g.unit} of {g.vendor} item {g.item!r}"
                             f"{' tier ' + repr(g.tier) if g.tier else ''} but the price book's Rates sheet has"
                             f" no unit price for it: add a Rates row (vendor {g.vendor}, item {g.item}"
                             f"{', tier ' + g.tier if g.tier else ''}) with a unit price; not invoiced",
                             vendor=g.vendor, account=", ".join(g.accounts), customer=g.customer,
                             source="; ".join(str(s) for s in g.sources))
                return
            sell, sell_text = price_row.unit_price, ""
            currency = price_row.currency
        if rule:
            # seeds/001: markup on cost / margin on cost / percent of sell, cost = sell x (1 - discount)
            priced = acronis_rules.reseller_price(sell, discount or 0, rule, rule_rate)
            unit_price = priced.value
            rule_text = f"{sell_text}; {priced.working}" if sell_text else priced.working
        else:
            unit_price = sell
            rule_text = f"{sell_text} stands (no pricing rule)" if sell_text else ""
        if stated_cost is not None:
            cost_unit = stated_cost
        elif discount is not None and (rule or g.sell_unit is not None):
            cost_unit = acronis_rules.cost_price(sell, discount).value   # seeds/001
        else:
            cost_unit = None
        line = self.make_line(customer=g.customer, vendor=g.vendor, item=g.item, description=desc,
                              quantity=g.quantity, unit=g.unit, unit_price=unit_price, currency=currency,
                              cost_per_unit=cost_unit, working="; ".join(x for x in (working, rule_text) if x),
                              sources=g.sources, account=", ".join(g.accounts))
        if line is not None:
            self.lines.append(line)

    # -- x360Recover storage licenses (seeds/002: prorated) -----------------------------
    def storage_line(self, *, customer: str, price: Decimal, currency: str, first: object, last: object,
                     label: str, sources: Sequence[Source], cost: Decimal | None, rate: Rate | None,
                     tier: str) -> None:
        days = x360_rules.days_assigned(first, last, self.month)
        if days == 0:
            return
        start, end = x360_rules.month_bounds(self.month)
        days_in_month = (end - start).days + 1
        # seeds/002: price x days_assigned / days_in_month, first and last day counted
        prorated = x360_rules.prorated_storage(price, first, last, self.month, currency)
        exact = price * days / days_in_month
        cost_unit = None if cost is None else cost * days / days_in_month
        line = self.make_line(customer=customer, vendor="x360recover", item="storage_license",
                              description=self.describe("x360recover", "storage_license", tier, rate)
                              + (f" - {label}" if label else ""),
                              quantity=Decimal(1), unit="license", unit_price=exact, currency=currency,
                              cost_per_unit=cost_unit, working=f"prorated: {prorated.working}", sources=sources,
                              exact=exact)
        if line is not None:
            self.lines.append(line)


def _find_duplicates(reads: Sequence) -> tuple[list, list[Problem]]:
    """The same report given twice (same SHA-256), or two reports of one vendor
    and report type covering the same accounts: the later one is left out and
    reported, so nothing is billed twice."""
    kept: list = []
    problems: list[Problem] = []
    for read in reads:
        dup = None
        for other in kept:
            if read.sha256 and read.sha256 == other.sha256:
                dup = f"{read.file} is the same file as {other.file} (SHA-256 {read.sha256[:12]}...)"
                break
            if (read.vendor, read.report_type) == (other.vendor, other.report_type):
                mine = {r.account for r in read.records}
                theirs = {r.account for r in other.records}
                common = mine & theirs
                if common:
                    dup = (f"{read.file} and {other.file} are both {read.vendor} {read.report_type} reports"
                           f" covering the same account(s) {', '.join(sorted(common)[:5])}")
                    break
        if dup:
            problems.append(Problem("duplicate_report", read.vendor, "", "",
                                    f"{dup}: {read.file} was left out so nothing is billed twice;"
                                    " give each report once", read.file))
        else:
            kept.append(read)
    return kept, problems


def find_duplicate_reports(reads: Sequence) -> list[Problem]:
    return _find_duplicates(reads)[1]


def price_month(reads: Sequence, pricebook: PriceBook, month: dt.date,
                progress: Progress | None = None) -> PricingResult:
    """Price every record of `reads` (ReadResult-shaped: file, sha256, vendor,
    report_type, records, skipped, warnings) with `pricebook` for `month`.

    `progress(step, done, total)` is called as work advances (optional)."""
    month = x360_rules.month_bounds(month)[0]
    p = _Pricer(pricebook, month)
    s = pricebook.settings
    reads, dup_problems = _find_duplicates(reads)
    p.problems.extend(dup_problems)
    total_reads = len(reads)

    groups: dict[tuple, _Group] = {}
    unmapped: dict[tuple[str, str], list[UsageRecord]] = defaultdict(list)
    unreviewed: set[tuple[str, str, str]] = set()
    report_types: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    storage_records: list[tuple[str, UsageRecord]] = []
    x360_cloud: dict[str, list[tuple[Decimal, Source, str]]] = defaultdict(list)
    x360_endpoints: dict[str, dict[str, Decimal]] = defaultdict(lambda: {"server": Decimal(0),
                                                                          "workstation": Decimal(0)})
    license_reports = [r for r in reads if r.vendor == "x360recover" and r.report_type == X360_LICENSE_REPORT]
    sheet_licenses = pricebook.licenses
    if license_reports and sheet_licenses:
        # one home for the license-assignment table, so nothing is billed twice
        sheet_licenses = ()
        p.problem("licenses_sheet_ignored",
                  f"license assignments come from {', '.join(r.file for r in license_reports)}, so the price book's"
                  " Licenses sheet was not used: keep the table in one place", vendor="x360recover",
                  source=f"{pricebook.path}!Licenses")
    days_in_month = (x360_rules.month_bounds(month)[1] - month).days + 1
    storage_days: dict[str, int] = defaultdict(int)   # customer -> most days under a storage license
    for lic in sheet_licenses:
        if lic.license_type == "storage":
            d = x360_rules.days_assigned(lic.first_day, lic.last_day, month)
            storage_days[lic.customer] = max(storage_days[lic.customer], d)
    for read in license_reports:
        for rec in read.records:
            acct = pricebook.account(rec.vendor, rec.account)
            if rec.item == "storage_license" and acct is not None and acct.customer:
                c = pricebook.customer(acct.customer)
                name = c.name if c else acct.customer
                storage_days[name] = max(storage_days[name], int(rec.quantity))
    storage_customers = {c for c, d in storage_days.items() if d > 0}
    full_month_storage = {c for c, d in storage_days.items() if d >= days_in_month}
    seen_x360 = bool(sheet_licenses)
    # Settings "x360Recover endpoints billed from": one source only, so endpoints never bill twice
    endpoint_source = s.x360_endpoints_from
    if endpoint_source == "auto":
        endpoint_source = ("devices" if any(r.vendor == "x360recover" and r.report_type == X360_DEVICE_REPORT
                                            for r in reads) else "licenses")

    for n, read in enumerate(reads, 1):
        if progress:
            progress(f"pricing {read.file}", n, total_reads)
        for sk in getattr(read, "skipped", ()) or ():
            qty = {k: v for k, v in (getattr(sk, "quantities", {}) or {}).items() if v}
            if qty:
                p.problem("deleted_with_usage",
                          f"account {sk.account!r} ({sk.customer}) is {sk.reason} but still carries usage "
                          f"({', '.join(f'{k} {fmt(v)}' for k, v in sorted(qty.items()))}): not billed"
                          " (seeds/000); check it should not be billed or reactivated",
                          vendor=read.vendor, account=sk.account, customer=sk.customer, source=str(sk.source))
        for w in getattr(read, "warnings", ()) or ():
            low = w.lower()
            kind = ("same_name_users" if ("same name" in low or "spelling" in low or "differ only" in low)
                    else "cancel_window" if "cancel" in low else "reader_warning")
            p.problem(kind, w, vendor=read.vendor, source=read.file)
        for rec in read.records:
            acct = pricebook.account(rec.vendor, rec.account)
            if acct is None or not acct.customer:
                unmapped[(rec.vendor, rec.account)].append(rec)
                continue
            customer = acct.customer
            c = pricebook.customer(customer)
            customer = c.name if c else customer
            if rec.vendor != "x360recover":   # x360Recover device + license reports complement each other
                report_types[(customer, rec.vendor)].setdefault(read.report_type, read.file)
            if not acct.reviewed:
                unreviewed.add((rec.vendor, rec.account, customer))
            if rec.vendor == "x360recover":
                seen_x360 = True
                if rec.item == "cloud_gb":
                    # seeds/002: storage-licensed systems have unlimited cloud storage:
                    # no pool allowance, no overage
                    if customer in storage_customers:
                        p.pool_working.append(f"{customer}: {rec.account} cloud {fmt(rec.quantity)} GB under a"
                                              " storage license: outside the pool (seeds/002)")
                    else:
                        x360_cloud[customer].append((rec.quantity, rec.source, rec.account))
                    continue
                if rec.item == "storage_license":
                    storage_records.append((customer, rec))
                    continue
                if rec.item in ENDPOINT_ITEMS:
                    from_devices = read.report_type == X360_DEVICE_REPORT
                    if from_devices != (endpoint_source == "devices"):
                        p.pool_working.append(f"{customer}: {rec.item} x {fmt(rec.quantity)} from {read.file} not"
                                              f" billed: endpoints are billed from {endpoint_source} (Settings)")
                        continue
                    if not rec.tier:
                        # license-assignment records carry no tier: the bundled rate (seeds/002)
                        rec = replace(rec, tier="bundled")
                    if customer in full_month_storage:
                        p.pool_working.append(f"{customer}: {rec.account} {rec.item} x {fmt(rec.quantity)} under a"
                                              " storage license all month: no endpoint charge (seeds/002)")
                        continue
                    kind = "server" if rec.item == "endpoint_server" else "workstation"
                    x360_endpoints[customer][kind] += rec.quantity
            qty, part = p.record_quantity(rec, customer)
            if qty == 0:
                continue
            sell_unit = None
            if rec.vendor_amount is not None and rec.quantity:
                sell_unit = rec.vendor_amount / rec.quantity
            key = (customer, rec.vendor, rec.item, rec.tier or "", rec.unit, sell_unit, rec.vendor_currency)
            g = groups.get(key)
            if g is None:
                g = groups[key] = _Group(customer, rec.vendor, rec.item, rec.tier or "", rec.unit, sell_unit,
                                         rec.vendor_currency)
            g.quantity += qty
            g.parts.append(part)
            g.sources.append(rec.source)
            if rec.account not in g.accounts:
                g.accounts.append(rec.account)

    for acct in pricebook.accounts:
        if acct.vendor == "acronis" and acct.cancelled_on and _in_cancel_window(acct.cancelled_on, month):
            p.problem("cancel_window",
                      f"account {acct.account!r} was cancelled on {acct.cancelled_on}, inside Acronis' invoice"
                      " window (last day of a month to the 2nd of the next): the vendor's figures may not"
                      " match; check the Acronis invoice (seeds/004)",
                      vendor=acct.vendor, account=acct.account, customer=acct.customer,
                      source=f"{pricebook.path}!Accounts row {acct.row}")
    for (customer, vendor), types in sorted(report_types.items()):
        if len(types) > 1:
            p.problem("overlapping_usage",
                      f"{customer!r} has {vendor} usage from {len(types)} kinds of report"
                      f" ({', '.join(f'{t}: {f}' for t, f in sorted(types.items()))}): if they describe the same"
                      " services the usage is billed twice; give one of them, or map the accounts apart",
                      vendor=vendor, customer=customer, source="; ".join(sorted(types.values())))
    for (vendor, account), recs in sorted(unmapped.items()):
        items = ", ".join(sorted({f"{r.item} {fmt(r.quantity)} {r.unit}" for r in recs}))
        label = recs[0].customer
        p.problem("unmapped_account",
                  f"{vendor} account {account!r} ({label}) has usage ({items}) but no customer in the price book's"
                  f" Accounts sheet: add a row (vendor {vendor}, account {account}) naming the customer; its usage"
                  " was not invoiced", vendor=vendor, account=account, customer=label,
                  source="; ".join(sorted({str(r.source) for r in recs})))
    for vendor, account, customer in sorted(unreviewed):
        p.problem("unreviewed_mapping",
                  f"{vendor} account {account!r} -> {customer!r} is not marked Reviewed in the Accounts sheet"
                  " (pre-filled by `pricebook init` from the vendor's label): check it and set Reviewed to yes",
                  vendor=vendor, account=account, customer=customer)

    for g in groups.values():
        p.price_group(g)

    # x360Recover storage licenses from a license-assignment report (seeds/002: prorated
    # by days assigned; the record's quantity is the days, its details the interval)
    for customer, rec in storage_records:
        d = rec.details or {}
        size = d.get("size", "")
        rate = storage_rate(pricebook, size, customer)
        if rate is None or rate.unit_price is None:
            p.problem("no_rate", f"{customer!r} has an x360Recover storage license ({rec.account}"
                                 f"{', size ' + size if size else ''}) but the Rates sheet has no monthly price for"
                                 f" item storage_license{':' + size if size else ''} or storage_license: add one;"
                                 " not invoiced",
                      vendor="x360recover", account=rec.account, customer=customer, source=str(rec.source))
            continue
        label = " ".join(x for x in (rec.customer, size, f"{d['retention']} retention" if d.get("retention")
                                     else "") if x)
        p.storage_line(customer=customer, price=rate.unit_price, currency=rate.currency,
                       first=d.get("first_day") or None, last=d.get("last_day") or None, label=label,
                       sources=[rec.source], cost=rate.cost_per_unit, rate=rate, tier="")

    # Licenses sheet (the partner's license-assignment table, FORMATS.md)
    lic_src = lambda lic: Source(pricebook.path, "Licenses", (lic.row,))  # noqa: E731
    endpoint_lics: dict[tuple[str, str, str], list[License]] = defaultdict(list)
    for lic in sheet_licenses:
        if lic.license_type == "storage":
            rate = storage_rate(pricebook, lic.size, lic.customer)
            price = lic.monthly_price if lic.monthly_price is not None else (rate.unit_price if rate else None)
            if price is None:
                p.problem("no_rate", f"Licenses row {lic.row}: storage license for {lic.customer!r} has no Monthly"
                                     " price and the Rates sheet has no storage_license price: fill one; not"
                                     " invoiced", vendor="x360recover", customer=lic.customer,
                          source=str(lic_src(lic)))
                continue
            currency = lic.currency or (rate.currency if rate and lic.monthly_price is None else s.home_currency)
            label = " ".join(x for x in (lic.location, lic.size, f"{lic.retention} retention" if lic.retention
                                         else "") if x)
            p.storage_line(customer=lic.customer, price=price, currency=currency, first=lic.first_day,
                           last=lic.last_day, label=label, sources=[lic_src(lic)],
                           cost=rate.cost_per_unit if rate else None, rate=rate, tier="")
        elif endpoint_source == "licenses":
            endpoint_lics[(lic.customer, lic.license_type, lic.tier or "bundled")].append(lic)
    for (customer, ltype, tier), lics in sorted(endpoint_lics.items()):
        # seeds/002: endpoint licenses are not prorated; Decision: count assignments overlapping the month
        count = x360_rules.monthly_license_count([(x.first_day, x.last_day) for x in lics], month)
        if count.value == 0:
            continue
        item = "endpoint_server" if ltype == "endpoint-server" else "endpoint_workstation"
        x360_endpoints[customer]["server" if ltype == "endpoint-server" else "workstation"] += count.value
        g = _Group(customer, "x360recover", item, tier, "license", None, None, count.value,
                   [f"Licenses: {count.working}"], [lic_src(x) for x in lics], [x.location for x in lics])
        priced_with = [x.monthly_price for x in lics if x.monthly_price is not None]
        if priced_with and len(set(priced_with)) == 1:
            line = p.make_line(customer=customer, vendor="x360recover", item=item,
                               description=p.describe("x360recover", item, tier, None), quantity=count.value,
                               unit="license", unit_price=priced_with[0], currency=lics[0].currency or s.home_currency,
                               cost_per_unit=None, working=g.parts[0], sources=g.sources)
            if line is not None:
                p.lines.append(line)
        else:
            p.price_group(g)

    if seen_x360:
        _price_pool(p, x360_cloud, x360_endpoints)

    # seeds/001: minimum commitments per customer + vendor, in the invoice currency
    by_key: dict[tuple[str, str], list[InvoiceLine]] = defaultdict(list)
    for ln in p.lines:
        by_key[(ln.customer.casefold(), ln.vendor)].append(ln)
    for com in pricebook.commitments:
        inv_ccy = p.invoice_currency(com.customer)
        amount = com.amount
        note = ""
        if com.currency != inv_ccy:
            fx = pricebook.fx_rate(com.currency, inv_ccy)
            if fx is None:
                p.problem("no_exchange_rate", f"minimum commitment of {com.customer!r} for {com.vendor} is in"
                                              f" {com.currency}, the invoice in {inv_ccy}, and ExchangeRates has no"
                                              f" {com.currency} -> {inv_ccy} rate: add one; commitment not applied",
                          vendor=com.vendor, customer=com.customer)
                continue
            conv = convert_currency(com.amount, fx, inv_ccy, from_currency=com.currency)
            amount, note = conv.value, f" (commitment {conv.working})"
        mine = by_key.get((com.customer.casefold(), com.vendor), [])
        customer = pricebook.customer(com.customer).name if pricebook.customer(com.customer) else com.customer
        applied = acronis_rules.apply_commitment(mine, amount, customer=customer, currency=inv_ccy,
                                                 vendor=com.vendor)
        if note and len(applied) > len(mine):
            fee = applied[-1]
            applied[-1] = replace(fee, working=fee.working + note,
                                  sources=fee.sources or (Source(pricebook.path, "Commitments", (com.row,)),))
        elif len(applied) > len(mine) and not applied[-1].sources:
            applied[-1] = replace(applied[-1], sources=(Source(pricebook.path, "Commitments", (com.row,)),))
        by_key[(com.customer.casefold(), com.vendor)] = applied
    p.lines = [ln for lines in by_key.values() for ln in lines]

    lines = sorted(p.lines, key=lambda ln: (ln.customer.casefold(), ln.customer, ln.vendor,
                                            ln.kind == "commitment_fee", ln.item, ln.description))
    invoices = _invoices(lines, pricebook, month)
    billed = {inv.customer.casefold() for inv in invoices if any(ln.amount for ln in inv.lines)}
    for c in pricebook.customers:
        if c.name.casefold() not in billed:
            p.problem("billed_nothing", f"customer {c.name!r} is in the price book but is billed nothing for"
                                        f" {month:%Y-%m}: check its accounts are mapped and its reports given",
                      customer=c.name)
    recon = _reconcile(lines)
    return PricingResult(month=month, lines=tuple(ln for inv in invoices for ln in inv.lines), invoices=tuple(invoices),
                         problems=tuple(p.problems), reconciliation=tuple(recon), pool=tuple(p.pool_working))


def _in_cancel_window(day: dt.date, month: dt.date) -> bool:
    """seeds/004: cancelled from the last day of the billing month to the 2nd of the next."""
    if not acronis_rules.cancel_window(day):
        return False
    start, end = x360_rules.month_bounds(month)
    return end <= day <= end + dt.timedelta(days=2) or start <= day <= start + dt.timedelta(days=1)


def _price_pool(p: _Pricer, cloud: dict, endpoints: dict) -> None:
    """seeds/002: cloud usage of endpoint-licensed systems beyond the pooled allowance
    (2 TB per server license, 200 GB per workstation license: Settings) is billed
    per GB; the price book allocates the partner-level overage pro rata or not at all."""
    s = p.s
    pool = s.pool
    total_s = sum((e["server"] for e in endpoints.values()), Decimal(0))
    total_w = sum((e["workstation"] for e in endpoints.values()), Decimal(0))
    used = {c: sum((q for q, _, _ in v), Decimal(0)) for c, v in cloud.items()}
    total_used = sum(used.values(), Decimal(0))
    over = x360_rules.storage_overage_gb(total_used, total_s, total_w, pool=pool)
    p.pool_working.append(f"pool: {over.working}")
    if over.value == 0:
        return
    if s.pool_overage_allocation == "none":
        p.problem("pool_overage_unallocated",
                  f"x360Recover cloud usage is {fmt(over.value)} GB above the pooled allowance; Settings 'Pool"
                  " overage allocation' is none, so no customer is billed for it (partner cost)",
                  vendor="x360recover")
        return
    excess: dict[str, Decimal] = {}
    for c in sorted(set(used) | set(endpoints)):
        own = x360_rules.pool_allowance_gb(endpoints.get(c, {}).get("server", 0),
                                           endpoints.get(c, {}).get("workstation", 0), pool=pool)
        excess[c] = used.get(c, Decimal(0)) - own.value
    shares = x360_rules.allocate_overage(excess, over.value)
    for c, share in shares.items():
        if share.value == 0:
            continue
        rate = find_rate(p.pb, "x360recover", "cloud_gb", "", c)
        if rate is not None and rate.unit_price is not None:
            price, currency, cost = rate.unit_price, rate.currency, rate.cost_per_unit
        elif s.pool_overage_price_per_gb is not None:
            price, currency, cost = s.pool_overage_price_per_gb, s.home_currency, s.pool_overage_cost_per_gb
        else:
            p.problem("no_rate", f"{c!r} is allocated {fmt(share.value)} GB of x360Recover pool overage but neither"
                                 " the Rates sheet (x360recover, cloud_gb) nor Settings 'Pool overage price per GB'"
                                 " gives a price: fill one; not invoiced", vendor="x360recover", customer=c)
            continue
        line = p.make_line(customer=c, vendor="x360recover", item="cloud_gb",
                           description=p.describe("x360recover", "cloud_gb", "", rate), quantity=share.value,
                           unit="GB", unit_price=price, currency=currency, cost_per_unit=cost,
                           working=f"{share.working} [{over.working}]",
                           sources=[src for _, src, _ in cloud.get(c, [])])
        if line is not None:
            p.lines.append(line)


def _invoices(lines: Sequence[InvoiceLine], pricebook: PriceBook, month: dt.date) -> list[Invoice]:
    """One invoice per customer; numbers {prefix}{YYYYMM}-{nnn} in customer-name order."""
    by_customer: dict[str, list[InvoiceLine]] = defaultdict(list)
    for ln in lines:
        by_customer[ln.customer].append(ln)
    out: list[Invoice] = []
    for n, customer in enumerate(sorted(by_customer, key=lambda c: (c.casefold(), c)), 1):
        mine = by_customer[customer]
        currency = mine[0].currency
        total = sum((ln.amount for ln in mine), Decimal(0))  # totals are sums of rounded lines
        rates = {ln.fx_rate for ln in mine if ln.fx_rate is not None}
        fx = next(iter(rates)) if len(rates) == 1 else None
        primary = None
        if fx is not None:
            primaries = {f for f, t, r in pricebook.exchange_rates if t == currency and r == fx}
            primary = next(iter(primaries)) if len(primaries) == 1 else None
        out.append(Invoice(customer=customer, currency=currency, lines=tuple(mine), total=total,
                           invoice_number=f"{pricebook.settings.invoice_prefix}{month:%Y%m}-{n:03d}",
                           fx_rate=fx, primary_currency=primary))
    return out


def _reconcile(lines: Iterable[InvoiceLine]) -> list[ReconRow]:
    acc: dict[tuple[str, str, str], list[InvoiceLine]] = defaultdict(list)
    for ln in lines:
        acc[(ln.customer, ln.vendor, ln.currency)].append(ln)
    out = []
    for (customer, vendor, currency), lns in acc.items():
        billed = sum((ln.amount for ln in lns), Decimal(0))
        # a commitment fee has no vendor cost of its own: it is pure margin
        cost = sum((ln.cost_amount for ln in lns if ln.cost_amount is not None), Decimal(0))
        missing = sum(1 for ln in lns if ln.cost_amount is None and ln.kind != "commitment_fee")
        margin = billed - cost
        pct = (margin / billed).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if billed else None
        out.append(ReconRow(customer, vendor, currency, cost, billed, margin, pct, missing))
    return out


__all__ = ["price_month", "find_rate", "item_code", "find_duplicate_reports", "ITEM_LABELS", "VENDOR_LABELS",
           "find_price_and_rule", "storage_rate"]
