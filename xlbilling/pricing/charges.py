"""What a vendor pricing unit returns, and the pricing of grouped usage every
unit shares (Lago's charge models: an amount and its breakdown).

A `Charge` is an invoice line before the invoice currency: quantity x unit price
in the price's own currency, exact, with its working.  pricing/currency.py turns
it into an InvoiceLine, rounded once.  Pure (no file access)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Mapping, Sequence

from xlbilling.core.records import Source, UsageRecord
from xlbilling.core.rules import acronis as acronis_rules
from xlbilling.core.rules.result import fmt
from xlbilling.pricing.model import PoolRow, PriceBook, Problem, Rate
from xlbilling.pricing.rates import find_cost_row, find_price_and_rule, find_rate


@dataclass(frozen=True, slots=True)
class Charge:
    """One priced quantity, exact, in `currency` (the price's currency)."""

    customer: str
    vendor: str
    item: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    currency: str
    working: str
    sources: tuple[Source, ...] = ()
    cost_per_unit: Decimal | None = None
    exact_amount: Decimal | None = None     # None: quantity x unit_price
    account: str = ""

    @property
    def exact(self) -> Decimal:
        return self.quantity * self.unit_price if self.exact_amount is None else self.exact_amount


@dataclass(frozen=True, slots=True)
class MappedRecord:
    """A usage record whose account the price book maps to `customer`."""

    customer: str
    record: UsageRecord
    report_type: str
    file: str


@dataclass(frozen=True, slots=True)
class MappedUsage:
    """One vendor's usage of one month, accounts mapped to customers."""

    vendor: str
    records: tuple[MappedRecord, ...] = ()
    reads: tuple = ()          # this vendor's ReadResults (report types, files)


@dataclass
class UnitResult:
    """A unit's answer: charges with their breakdown, typed problems, and the
    partner-level working (x360Recover pool) shown beside the invoices."""

    charges: list[Charge] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pool: list[str] = field(default_factory=list)
    pool_rows: list[PoolRow] = field(default_factory=list)

    def problem(self, kind: str, message: str, *, vendor: str = "", account: str = "", customer: str = "",
                source: str = "") -> None:
        self.problems.append(Problem(kind, vendor, account, customer, message, source))


def describe(item: str, tier: str, rate: Rate | None, labels: Mapping[str, str], product: str = "") -> str:
    """A Rates row's Description wins, else the product name the report gives,
    else the unit's label for the item, else the item key in words (never the
    key itself); a tier the text does not name is added, so two tiers never
    share one description."""
    text = (rate.description if rate and rate.description else product or labels.get(item)
            or item_in_words(item))
    return f"{text} ({tier})" if tier and tier.casefold() not in text.casefold() else text


def item_in_words(item: str) -> str:
    """'pw_base_storage' -> 'Pw base storage': readable when no label exists."""
    words = item.replace("_", " ").replace(":", " ").strip()
    return words[:1].upper() + words[1:] if words else item


@dataclass
class Group:
    """Usage of one customer, item, tier, unit and report-stated price, summed."""

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
    notes: list[str] = field(default_factory=list)     # records that bill nothing, and why
    product: str = ""                                   # the report's own product name, if it gives one


QuantityOf = Callable[[UsageRecord, str], tuple[Decimal, str]]


def plain_quantity(rec: UsageRecord, customer: str) -> tuple[Decimal, str]:
    """The record's own quantity and its one-part working."""
    return rec.quantity, f"{rec.account}: {fmt(rec.quantity)} {rec.unit}"


def group_records(records: Sequence[MappedRecord], quantity_of: QuantityOf = plain_quantity) -> list[Group]:
    """Sum records per (customer, item, tier, unit, stated price); zero quantities drop out."""
    groups: dict[tuple, Group] = {}
    unbilled: dict[tuple, list[str]] = {}
    for m in records:
        rec = m.record
        qty, part = quantity_of(rec, m.customer)
        sell_unit = rec.vendor_amount / rec.quantity if rec.vendor_amount is not None and rec.quantity else None
        key = (m.customer, rec.vendor, rec.item, rec.tier or "", rec.unit, sell_unit, rec.vendor_currency)
        if qty == 0:
            unbilled.setdefault(key, []).append(part)   # shown on the group's working, if it bills
            continue
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group(m.customer, rec.vendor, rec.item, rec.tier or "", rec.unit, sell_unit,
                                    rec.vendor_currency, product=(rec.details or {}).get("product", ""))
        g.quantity += qty
        g.parts.append(part)
        g.sources.append(rec.source)
        if rec.account not in g.accounts:
            g.accounts.append(rec.account)
    for key, parts in unbilled.items():
        if key in groups:
            groups[key].notes.extend(parts)
    return list(groups.values())


def _no_rate(out: UnitResult, g: Group) -> None:
    tier = f" tier {g.tier!r}" if g.tier else ""
    out.problem("no_rate",
                f"{g.customer!r} has {fmt(g.quantity)} {g.unit} of {g.vendor} item {g.item!r}{tier} but the price"
                f" book's Rates sheet has no unit price for it: add a Rates row (vendor {g.vendor}, item {g.item}"
                f"{', tier ' + g.tier if g.tier else ''}) with a unit price; not invoiced",
                vendor=g.vendor, account=", ".join(g.accounts), customer=g.customer,
                source="; ".join(str(s) for s in g.sources))


def price_group(pb: PriceBook, g: Group, out: UnitResult, labels: Mapping[str, str], *,
                default_discount: Decimal | None = None) -> None:
    """Price one group from the Rates sheet (or the report's stated sell price),
    repriced by a Rates rule; appends a Charge or a no_rate problem to `out`.
    `default_discount` is the unit's distributor discount when no row gives one."""
    price_row, rule_row = find_price_and_rule(pb, g.vendor, g.item, g.tier, g.customer)
    any_row = find_rate(pb, g.vendor, g.item, g.tier, g.customer)
    working = " + ".join(g.parts)
    if len(g.parts) > 1:
        working += f" = {fmt(g.quantity)} {g.unit}"
    if g.notes:
        working += " (" + "; ".join(g.notes) + ")"
    discount = rule_row.distributor_discount if rule_row is not None and rule_row.distributor_discount is not None \
        else default_discount
    if g.sell_unit is not None:
        # seeds/001 + seeds/004: the report states the sell price (Estimated Cost =
        # sell x quantity, unrounded); a Rates rule may reprice it by markup /
        # margin / percent of sell; without one the sell price stands.
        sell, sell_text = g.sell_unit, f"sell per {g.unit} from the report {fmt(g.sell_unit)}"
        currency = g.sell_currency or (any_row.currency if any_row else pb.settings.home_currency)
    elif price_row is None:
        _no_rate(out, g)
        return
    else:
        sell, sell_text, currency = price_row.unit_price, "", price_row.currency
    unit_price, rule_text = _apply_rule(sell, sell_text, rule_row, discount)
    cost_row = find_cost_row(pb, g.vendor, g.item, g.tier, g.customer)   # may state only the cost
    cost_unit = _cost_per_unit((price_row, rule_row, any_row, cost_row), sell, discount)
    out.charges.append(Charge(
        customer=g.customer, vendor=g.vendor, item=g.item,
        description=describe(g.item, g.tier, price_row or any_row, labels, g.product), quantity=g.quantity,
        unit=g.unit,
        unit_price=unit_price, currency=currency, cost_per_unit=cost_unit,
        working="; ".join(x for x in (working, rule_text) if x), sources=tuple(g.sources),
        account=", ".join(g.accounts)))


def _apply_rule(sell: Decimal, sell_text: str, rule_row: Rate | None,
                discount: Decimal | None) -> tuple[Decimal, str]:
    """seeds/001: markup on cost / margin on cost / percent of sell, cost = sell x (1 - discount)."""
    rule = rule_row.rule if rule_row else ""
    if not rule:
        return sell, (f"{sell_text} stands (no pricing rule)" if sell_text else "")
    rule_rate = rule_row.rule_rate if rule_row.rule_rate is not None else Decimal(0)
    priced = acronis_rules.reseller_price(sell, discount or 0, rule, rule_rate)
    return priced.value, (f"{sell_text}; {priced.working}" if sell_text else priced.working)


def _cost_per_unit(rows: Sequence[Rate | None], sell: Decimal, discount: Decimal | None) -> Decimal | None:
    """A stated Cost per unit wins; else sell x (1 - discount) where the price book
    gives the distributor discount (seeds/001: the sell price is the distributor's,
    from the report or the Rates row); else unknown (None), never 0."""
    stated = next((r.cost_per_unit for r in rows if r is not None and r.cost_per_unit is not None), None)
    if stated is not None:
        return stated
    if discount is not None:
        return acronis_rules.cost_price(sell, discount).value
    return None


def price_groups(pb: PriceBook, groups: Sequence[Group], out: UnitResult, labels: Mapping[str, str], *,
                 default_discount: Decimal | None = None) -> None:
    for g in groups:
        price_group(pb, g, out, labels, default_discount=default_discount)


def overlapping_reports(usage: MappedUsage, out: UnitResult) -> None:
    """One customer's usage of one vendor from two kinds of report may be the same
    services billed twice: a problem to review."""
    types: dict[str, dict[str, str]] = {}
    for m in usage.records:
        types.setdefault(m.customer, {}).setdefault(m.report_type, m.file)
    for customer, kinds in sorted(types.items()):
        if len(kinds) > 1:
            out.problem("overlapping_usage",
                        f"{customer!r} has {usage.vendor} usage from {len(kinds)} kinds of report"
                        f" ({', '.join(f'{t}: {f}' for t, f in sorted(kinds.items()))}): if they describe the same"
                        " services the usage is billed twice; give one of them, or map the accounts apart",
                        vendor=usage.vendor, customer=customer, source="; ".join(sorted(kinds.values())))


__all__ = ["Charge", "MappedRecord", "MappedUsage", "UnitResult", "Group", "describe", "group_records",
           "price_group", "price_groups", "plain_quantity", "overlapping_reports"]
