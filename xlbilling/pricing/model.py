"""The price book and the pricing result as frozen dataclasses: what
pricing/pricebook.py reads from the workbook and pricing/engine.py returns.
No file access here (the engine imports it)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from xlbilling.core.problems import BLOCKING_KINDS, Problem
from xlbilling.core.records import FORMER_VENDOR_KEYS, InvoiceLine, Source
from xlbilling.core.rules.x360recover import PoolSettings

# Settings values finance staff may choose (validated by the loader).
OVERAGE_ALLOCATIONS = ("pro-rata", "none")
ENDPOINT_SOURCES = ("auto", "devices", "licenses")
LOCAL_GB_WHEN_NOT_BILLABLE = ("not billed", "billed")   # Axcient BFF local GB, LocalBackupIsBillable = 0
QBO_ITEM_NAMINGS = ("code", "vendor:item")
LICENSE_TYPES = ("endpoint-server", "endpoint-workstation", "storage")
ANY = "*"  # Rates item "*" = every item of the vendor


@dataclass(frozen=True, slots=True)
class Settings:
    home_currency: str = "USD"
    default_basis: str = "uncompressed"          # BILLING_RULES 1 / seeds/000
    # BILLING_RULES 1 Decision: local GB of an account whose LocalBackupIsBillable is 0
    bff_local_gb_when_not_billable: str = "not billed"
    pool: PoolSettings = PoolSettings()          # BILLING_RULES 2 Decision (2 TB, 200 GB, 1 TB = 1000 GB)
    pool_overage_allocation: str = "pro-rata"    # BILLING_RULES 2 Decision
    pool_overage_price_per_gb: Decimal | None = None
    pool_overage_cost_per_gb: Decimal | None = None
    x360_endpoints_from: str = "auto"
    acronis_distributor_discount: Decimal | None = None   # None: not given (cost unknown unless stated)
    acronis_bill_customer_trial: bool = True      # Settings: as Acronis counts customer usage (total)
    x360_bytes_per_gb: Decimal = Decimal(10) ** 9  # Settings: Axcient states no unit (docs/readers.md)
    invoice_prefix: str = "INV-"
    # Month control (xlbilling/core/numbering.py, xlbilling/ledger/, xlbilling/core/review.py)
    invoice_number_format: str = "{prefix}{n:05d}"
    invoice_number_start: int = 1
    ledger: str = ""                                  # '' = <price book>.ledger.sqlite beside the price book
    change_threshold_pct: Decimal = Decimal("0.25")   # Changes over 25 % ...
    change_threshold_amount: Decimal = Decimal("50")  # ... and over this amount go on Problems too
    payment_terms_days: int = 30
    xero_account_code: str = "200"
    xero_tax_type: str = "Tax Exempt"
    qbo_item_naming: str = "code"
    commitment_item_code: str = "MIN-COMMIT"


@dataclass(frozen=True, slots=True)
class Customer:
    name: str
    currency: str
    basis: str = ""          # Axcient BFF basis override ('' = Settings default)
    notes: str = ""
    row: int = 0
    customer_id: str = ""    # stable key for invoice numbers and month-over-month review ('' = the name)


@dataclass(frozen=True, slots=True)
class Account:
    vendor: str
    account: str
    label: str
    customer: str            # '' = not mapped yet
    reviewed: bool = True
    cancelled_on: dt.date | None = None
    row: int = 0


@dataclass(frozen=True, slots=True)
class Rate:
    vendor: str
    item: str                # exact item key, or "*" for any item of the vendor
    tier: str = ""           # '' = any tier
    customer: str = ""       # '' = all customers
    unit: str = ""
    unit_price: Decimal | None = None   # sell price (or list price) per unit, in `currency`
    currency: str = "USD"
    cost_per_unit: Decimal | None = None
    rule: str = ""           # '' | markup | margin | sell (seeds/001)
    rule_rate: Decimal | None = None
    distributor_discount: Decimal | None = None
    description: str = ""
    item_code: str = ""
    row: int = 0

    @property
    def has_price(self) -> bool:
        return self.unit_price is not None or bool(self.rule)


@dataclass(frozen=True, slots=True)
class Commitment:
    customer: str
    vendor: str
    amount: Decimal
    currency: str
    row: int = 0


@dataclass(frozen=True, slots=True)
class License:
    customer: str
    location: str
    license_type: str        # endpoint-server | endpoint-workstation | storage
    tier: str = "bundled"
    size: str = ""
    retention: str = ""
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    monthly_price: Decimal | None = None
    currency: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True)
class PriceBook:
    path: str
    settings: Settings
    customers: tuple[Customer, ...] = ()
    accounts: tuple[Account, ...] = ()
    rates: tuple[Rate, ...] = ()
    exchange_rates: tuple[tuple[str, str, Decimal], ...] = ()
    commitments: tuple[Commitment, ...] = ()
    licenses: tuple[License, ...] = ()
    # lookup indexes, built on first use (a month can hold 100k records and 10k accounts)
    _index: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def _lookup(self, name: str) -> dict:
        idx = self._index.get(name)
        if idx is None:
            if name == "customers":
                idx = {}
                for c in self.customers:
                    idx.setdefault(c.name.casefold(), c)
            elif name == "accounts":
                idx = {}
                for a in self.accounts:
                    idx.setdefault((a.vendor, a.account), a)
            else:
                idx = {}
                for f, t, r in self.exchange_rates:
                    idx.setdefault((f, t), r)
            self._index[name] = idx
        return idx

    def customer(self, name: str) -> Customer | None:
        return self._lookup("customers").get(name.casefold())

    def account(self, vendor: str, account: str) -> Account | None:
        """The Accounts row of a vendor account; a row under the vendor's former
        key (Hornetsecurity accounts typed as altaro) when it has none of its own
        (its .vendor then tells, so pricing can ask to retype it)."""
        idx = self._lookup("accounts")
        found = idx.get((vendor, account))
        if found is None and vendor in FORMER_VENDOR_KEYS:
            found = idx.get((FORMER_VENDOR_KEYS[vendor], account))
        return found

    def fx_rate(self, from_currency: str, to_currency: str) -> Decimal | None:
        return self._lookup("fx").get((from_currency, to_currency))

    def with_default_basis(self, basis: str | None) -> "PriceBook":
        """The CLI's --basis replaces the Settings default (customers' overrides stand)."""
        if not basis:
            return self
        return replace(self, settings=replace(self.settings, default_basis=basis))


# --- result -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Invoice:
    customer: str
    currency: str
    lines: tuple[InvoiceLine, ...]
    total: Decimal                      # = sum of the rounded line amounts
    invoice_number: str = ""
    fx_rate: Decimal | None = None      # set when every converted line used one rate
    primary_currency: str | None = None


@dataclass(frozen=True, slots=True)
class ReconRow:
    customer: str
    vendor: str
    currency: str
    cost: Decimal | None                # vendor cost in the invoice currency; None = unknown (a line lacks it)
    billed: Decimal
    margin: Decimal | None              # billed - cost; None when the cost is unknown
    margin_pct: Decimal | None          # margin / billed (None when billed is 0)
    lines_without_cost: int = 0         # lines whose vendor cost the price book does not give


@dataclass(frozen=True, slots=True)
class PoolRow:
    """One line of the x360Recover cloud pool (seeds/002), in GB: a customer's own
    allowance (from its endpoint licenses), usage, usage above its allowance and
    the share of the partner's overage billed to it.  customer '' = the partner
    total (allocated_gb = the overage billed to customers, 0 when not allocated)."""

    customer: str
    server_licenses: Decimal
    workstation_licenses: Decimal
    allowance_gb: Decimal
    used_gb: Decimal
    above_allowance_gb: Decimal          # used - allowance (the total row: the overage)
    allocated_gb: Decimal
    note: str = ""
    outside_pool_gb: Decimal = Decimal(0)   # usage under a storage license, not in the pool


@dataclass(frozen=True, slots=True)
class PricingResult:
    month: dt.date
    lines: tuple[InvoiceLine, ...]
    invoices: tuple[Invoice, ...]
    problems: tuple[Problem, ...]
    reconciliation: tuple[ReconRow, ...]
    pool: tuple[str, ...] = field(default=())   # x360Recover pool working, partner level
    pool_rows: tuple[PoolRow, ...] = field(default=())   # the pool as figures (workbook section, `lines`)

    @property
    def blocking_problems(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.blocking)

    def invoice_for(self, customer: str) -> Invoice | None:
        for inv in self.invoices:
            if inv.customer == customer:
                return inv
        return None


__all__ = ["Settings", "Customer", "Account", "Rate", "Commitment", "License", "PriceBook", "Problem",
           "Invoice", "ReconRow", "PoolRow", "PricingResult", "BLOCKING_KINDS", "Source", "InvoiceLine"]
