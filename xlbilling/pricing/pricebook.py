"""Read a price book workbook into frozen dataclasses (pricing/model.py).

The adapter between Excel and the pure engine, in three jobs:
pricing/pricebook_sheets.py opens the file safely and reads every sheet by
header name, pricing/pricebook_cells.py checks each cell, and this module
turns the rows of each sheet into the model, reporting ALL problems at once
in one PriceBookError (file, sheet, row, column, value found, what was
expected, likely fix)."""
from __future__ import annotations

import os
from decimal import Decimal

from xlbilling.core.records import VENDORS
from xlbilling.core.rules.acronis import normalise_rule
from xlbilling.core.rules.axcient_bff import BASES
from xlbilling.core.rules.common import MAX_RATE_DECIMALS
from xlbilling.core.rules.x360recover import PoolSettings, TIERS
from xlbilling.errors import XlbillingError
from xlbilling.gc_pause import gc_paused
from xlbilling.pricing.model import (ENDPOINT_SOURCES, LOCAL_GB_WHEN_NOT_BILLABLE, LICENSE_TYPES, OVERAGE_ALLOCATIONS, QBO_ITEM_NAMINGS,
                                     Account, Commitment, Customer, License, PriceBook, Rate, Settings)
from xlbilling.pricing.pricebook_cells import (CellProblems, cell_bytes_per_gb, cell_choice, cell_currency, cell_date,
                                               cell_number, cell_text, header_key)
from xlbilling.pricing.pricebook_sheets import read_pricebook_sheets
from xlbilling.pricing.schema import SETTINGS

MAX_PAYMENT_TERMS_DAYS = 365


def _month_control_settings(get, num, problems: CellProblems) -> dict:
    """Invoice numbering, ledger and review thresholds (docs/month.md)."""
    from xlbilling.core.numbering import validate_format

    sh = "Settings"
    r, fmt = get("Invoice number format")
    fmt = cell_text(fmt) or "{prefix}{n:05d}"
    try:
        validate_format(fmt)
    except XlbillingError as exc:
        problems.add(sh, r, "Value", fmt, "a format with {n}, e.g. INV-{n:05d}", str(exc).split(": ", 1)[-1])
    start = num("Invoice number start", required=True, example="1042")
    if start is not None and (start != start.to_integral_value() or start < 1 or start >= 10 ** 12):
        problems.add(sh, get("Invoice number start")[0], "Value", start, "a whole number from 1")
        start = None
    pct = num("Change threshold %", maximum=Decimal(1000))
    amount = num("Change threshold amount")
    return {"invoice_number_format": fmt, "invoice_number_start": int(start or 1),
            "ledger": cell_text(get("Ledger")[1]),
            "change_threshold_pct": Decimal("0.25") if pct is None else pct,
            "change_threshold_amount": Decimal("50") if amount is None else amount}


def _settings(rows, problems: CellProblems) -> Settings:
    values = {}
    known = {header_key(name): name for name, _, _, _ in SETTINGS}
    for r, rec in rows or []:
        name = known.get(header_key(rec.get("Setting")))
        if name is None:
            problems.add("Settings", r, "Setting", rec.get("Setting"),
                         "one of the settings listed in the template: " + ", ".join(n for n, _, _, _ in SETTINGS))
            continue
        values[name] = (r, rec.get("Value"))
    defaults = {name: (0, default) for name, default, _, _ in SETTINGS}
    get = lambda n: values.get(n, defaults[n])  # noqa: E731
    sh = "Settings"

    def num(name: str, **kw) -> Decimal | None:
        r, v = get(name)
        return cell_number(problems, sh, r, "Value", v, **kw)

    def choice(name: str, allowed) -> str:
        r, v = get(name)
        default = next(d for n, d, _, _ in SETTINGS if n == name)
        return cell_choice(problems, sh, r, "Value", v, allowed, default)

    r, v = get("Home currency")
    home = cell_currency(problems, sh, r, "Value", v, "USD")
    pool = PoolSettings(server_tb=num("Pool server TB per license", required=True) or Decimal(2),
                        workstation_gb=num("Pool workstation GB per license", required=True) or Decimal(200),
                        gb_per_tb=num("Pool GB per TB", required=True, minimum=Decimal(1)) or Decimal(1000))
    # Bounded: a due date must exist (1e9 days overflows the calendar).
    terms = num("Payment terms days", required=True, example="30", maximum=Decimal(MAX_PAYMENT_TERMS_DAYS))
    if terms is not None and terms != terms.to_integral_value():
        problems.add(sh, get("Payment terms days")[0], "Value", terms, "a whole number of days")
    return Settings(
        home_currency=home,
        default_basis=choice("Axcient BFF basis", BASES),
        bff_local_gb_when_not_billable=choice("Axcient BFF local GB when not billable", LOCAL_GB_WHEN_NOT_BILLABLE),
        pool=pool,
        pool_overage_allocation=choice("Pool overage allocation", OVERAGE_ALLOCATIONS),
        pool_overage_price_per_gb=num("Pool overage price per GB"),
        pool_overage_cost_per_gb=num("Pool overage cost per GB"),
        x360_endpoints_from=choice("x360Recover endpoints billed from", ENDPOINT_SOURCES),
        acronis_distributor_discount=num("Acronis distributor discount", maximum=Decimal(1)),
        acronis_bill_customer_trial=choice("Acronis bill customer trial usage", ("yes", "no")) == "yes",
        x360_bytes_per_gb=cell_bytes_per_gb(problems, *get("x360Recover bytes per GB")),
        invoice_prefix=cell_text(get("Invoice number prefix")[1]),
        **_month_control_settings(get, num, problems),
        payment_terms_days=int(terms or 30),
        xero_account_code=cell_text(get("Xero AccountCode")[1]),
        xero_tax_type=cell_text(get("Xero TaxType")[1]),
        qbo_item_naming=choice("QBO item naming", QBO_ITEM_NAMINGS),
        commitment_item_code=cell_text(get("Commitment fee item code")[1]),
    )


def _customers(rows, problems: CellProblems, home: str) -> list[Customer]:
    customers: list[Customer] = []
    seen: dict[str, int] = {}
    for r, rec in rows or []:
        cname = cell_text(rec["Customer"])
        if not cname:
            problems.add("Customers", r, "Customer", rec["Customer"], "a customer name")
            continue
        if cname.casefold() in seen:
            problems.add("Customers", r, "Customer", cname, "each customer once",
                         f"it is already on row {seen[cname.casefold()]}: delete one")
            continue
        seen[cname.casefold()] = r
        customers.append(Customer(cname, cell_currency(problems, "Customers", r, "Invoice currency",
                                                   rec["Invoice currency"], home),
                                  cell_choice(problems, "Customers", r, "Axcient BFF basis", rec.get("Axcient BFF basis"),
                                          BASES), cell_text(rec.get("Notes")), r, cell_text(rec.get("Customer id"))))
    ids: dict[str, int] = {}
    for c in customers:   # the stable key of invoice numbers: one customer each
        if c.customer_id and c.customer_id.casefold() in ids:
            problems.add("Customers", c.row, "Customer id", c.customer_id, "each customer id once",
                         f"it is already on row {ids[c.customer_id.casefold()]}")
        elif c.customer_id:
            ids[c.customer_id.casefold()] = c.row
    return customers


class _Refs:
    """Customer and vendor cells of the other sheets, checked against Customers / VENDORS."""

    def __init__(self, customers: list[Customer], problems: CellProblems):
        self.known = {c.name.casefold(): c.name for c in customers}
        self.problems = problems

    def customer_ref(self, sheet: str, r: int, value: object, required: bool) -> str:
        text = cell_text(value)
        if not text:
            if required:
                self.problems.add(sheet, r, "Customer", value, "a customer name from the Customers sheet")
            return ""
        if text.casefold() not in self.known:
            self.problems.add(sheet, r, "Customer", text, "a customer listed in the Customers sheet",
                              "add it to Customers (with its invoice currency) or correct the spelling")
            return text
        return self.known[text.casefold()]

    def vendor(self, sheet: str, r: int, value: object) -> str:
        if not cell_text(value):
            self.problems.add(sheet, r, "Vendor", value, "one of " + ", ".join(VENDORS))
            return ""
        return cell_choice(self.problems, sheet, r, "Vendor", value, VENDORS)


def _accounts(rows, refs: _Refs, problems: CellProblems) -> list[Account]:
    accounts: list[Account] = []
    acct_seen: dict[tuple[str, str], int] = {}
    for r, rec in rows or []:
        v = refs.vendor("Accounts", r, rec["Vendor"])
        acct = cell_text(rec["Account"])
        if not acct:
            problems.add("Accounts", r, "Account", rec["Account"], "the vendor's account / tenant / client id")
            continue
        if (v, acct) in acct_seen:
            problems.add("Accounts", r, "Account", acct, "each vendor account once",
                         f"it is already on row {acct_seen[(v, acct)]}: an account bills one customer")
            continue
        acct_seen[(v, acct)] = r
        reviewed = cell_choice(problems, "Accounts", r, "Reviewed", rec.get("Reviewed"), ("yes", "no", "y", "n", "true",
                                                                                       "false", "1", "0"), "yes")
        accounts.append(Account(v, acct, cell_text(rec.get("Vendor customer label")),
                                refs.customer_ref("Accounts", r, rec["Customer"], False),
                                reviewed in ("yes", "y", "true", "1"),
                                cell_date(problems, "Accounts", r, "Cancelled on", rec.get("Cancelled on")), r))
    return accounts


def _rates(rows, refs: _Refs, problems: CellProblems, home: str) -> list[Rate]:
    rates: list[Rate] = []
    rate_seen: dict[tuple, int] = {}
    for r, rec in rows or []:
        v = refs.vendor("Rates", r, rec["Vendor"])
        item = cell_text(rec["Item"])
        if not item:
            problems.add("Rates", r, "Item", rec["Item"], "an item key such as online_gb, endpoint_server,"
                                                          " pw_base_storage, m365_users, or * for every item")
        tier = cell_choice(problems, "Rates", r, "Tier", rec.get("Tier"), TIERS)
        cust = refs.customer_ref("Rates", r, rec.get("Customer"), False)
        key = (v, item, tier, cust.casefold())
        if key in rate_seen:
            problems.add("Rates", r, "Item", item, "one row per vendor, item, tier and customer",
                         f"row {rate_seen[key]} already prices it: delete one")
        rate_seen[key] = r
        try:
            rule = normalise_rule(rec.get("Pricing rule"))
        except XlbillingError:
            problems.add("Rates", r, "Pricing rule", rec.get("Pricing rule"), "blank, markup, margin or sell")
            rule = ""
        rule_rate = cell_number(problems, "Rates", r, "Rule rate", rec.get("Rule rate"), required=bool(rule),
                            example="0.25 (= 25%)")
        if rule == "margin" and rule_rate is not None and rule_rate >= 1:
            problems.add("Rates", r, "Rule rate", rec.get("Rule rate"), "a margin below 1 (30% = 0.3)")
        if rule_rate is not None and not rule:
            problems.add("Rates", r, "Pricing rule", rec.get("Pricing rule"), "markup, margin or sell when a Rule"
                                                                              " rate is given")
        rates.append(Rate(
            vendor=v, item=item, tier=tier, customer=cust, unit=cell_text(rec.get("Unit")),
            unit_price=cell_number(problems, "Rates", r, "Unit price", rec["Unit price"]),
            currency=cell_currency(problems, "Rates", r, "Currency", rec.get("Currency"), home),
            cost_per_unit=cell_number(problems, "Rates", r, "Vendor cost per unit", rec.get("Vendor cost per unit")),
            rule=rule, rule_rate=rule_rate,
            distributor_discount=cell_number(problems, "Rates", r, "Distributor discount", rec.get("Distributor discount"),
                                         maximum=Decimal(1), example="0.2 (= 20%)"),
            description=cell_text(rec.get("Description")), item_code=cell_text(rec.get("Item code")), row=r))
    return rates


def _exchange_rates(rows, problems: CellProblems) -> list[tuple[str, str, Decimal]]:
    fx: list[tuple[str, str, Decimal]] = []
    fx_seen: dict[tuple[str, str], int] = {}
    for r, rec in rows or []:
        f = cell_currency(problems, "ExchangeRates", r, "From", rec["From"], "")
        t = cell_currency(problems, "ExchangeRates", r, "To", rec["To"], "")
        if not f or not t:
            if not cell_text(rec["From"]) or not cell_text(rec["To"]):
                problems.add("ExchangeRates", r, "From" if not f else "To", None, "an ISO currency code")
            continue
        rate = cell_number(problems, "ExchangeRates", r, "Rate", rec["Rate"], required=True, example="0.92345")
        if rate is not None:
            if rate <= 0:
                problems.add("ExchangeRates", r, "Rate", rec["Rate"], "an exchange rate > 0")
                continue
            if -rate.normalize().as_tuple().exponent > MAX_RATE_DECIMALS:
                # seeds/001: "filling in the exchange rate with up to five decimals"
                problems.add("ExchangeRates", r, "Rate", rec["Rate"], f"at most {MAX_RATE_DECIMALS} decimals",
                             "round the rate to 5 decimals (Acronis contract billing: exchange rates have at most five decimals)")
                continue
            if (f, t) in fx_seen:
                problems.add("ExchangeRates", r, "From", f"{f} -> {t}", "each currency pair once",
                             f"row {fx_seen[(f, t)]} already gives it")
                continue
            fx_seen[(f, t)] = r
            fx.append((f, t, rate.normalize() if rate == rate.to_integral_value() else rate))
    return fx


def _commitments(rows, refs: _Refs, problems: CellProblems, customers: list[Customer], home: str) -> list[Commitment]:
    commitments: list[Commitment] = []
    for r, rec in rows or []:
        cust = refs.customer_ref("Commitments", r, rec["Customer"], True)
        inv = next((c.currency for c in customers if c.name == cust), home)
        amount = cell_number(problems, "Commitments", r, "Minimum commitment", rec["Minimum commitment"], required=True,
                         example="500")
        commitments.append(Commitment(cust, refs.vendor("Commitments", r, rec["Vendor"]), amount or Decimal(0),
                                      cell_currency(problems, "Commitments", r, "Currency", rec.get("Currency"), inv), r))
    return commitments


def _licenses(rows, refs: _Refs, problems: CellProblems) -> list[License]:
    licenses: list[License] = []
    for r, rec in rows or []:
        first = cell_date(problems, "Licenses", r, "First day", rec.get("First day"))
        last = cell_date(problems, "Licenses", r, "Last day", rec.get("Last day"))
        if first and last and last < first:
            problems.add("Licenses", r, "Last day", last.isoformat(), f"a date on or after the first day {first}")
        ltype = cell_choice(problems, "Licenses", r, "License type", rec["License type"], LICENSE_TYPES)
        if not ltype:
            problems.add("Licenses", r, "License type", rec["License type"], "one of " + ", ".join(LICENSE_TYPES))
        licenses.append(License(refs.customer_ref("Licenses", r, rec["Customer"], True), cell_text(rec.get("Location")), ltype,
                                cell_choice(problems, "Licenses", r, "Tier", rec.get("Tier"), TIERS, "bundled"),
                                cell_text(rec.get("Size")), cell_text(rec.get("Retention")), first, last,
                                cell_number(problems, "Licenses", r, "Monthly price", rec.get("Monthly price")),
                                cell_currency(problems, "Licenses", r, "Currency", rec.get("Currency"), ""), r))
    return licenses


@gc_paused
def load_pricebook(path: str | os.PathLike) -> PriceBook:
    """Read and validate the price book at `path` (see docs/pricebook.md): every
    bad cell of every sheet in one PriceBookError."""
    name = os.fspath(path)
    problems = CellProblems(name)
    sheets = read_pricebook_sheets(name, problems)
    settings = _settings(sheets["Settings"], problems)
    home = settings.home_currency
    customers = _customers(sheets["Customers"], problems, home)
    refs = _Refs(customers, problems)
    accounts = _accounts(sheets["Accounts"], refs, problems)
    rates = _rates(sheets["Rates"], refs, problems, home)
    fx = _exchange_rates(sheets["ExchangeRates"], problems)
    commitments = _commitments(sheets["Commitments"], refs, problems, customers, home)
    licenses = _licenses(sheets["Licenses"], refs, problems)
    problems.raise_if_any()
    return PriceBook(path=name, settings=settings, customers=tuple(customers), accounts=tuple(accounts),
                     rates=tuple(rates), exchange_rates=tuple(fx), commitments=tuple(commitments),
                     licenses=tuple(licenses))


__all__ = ["load_pricebook"]
