"""Read a price book workbook into frozen dataclasses (pricing/model.py).

The adapter between Excel and the pure engine: opens the file safely
(xlbilling.files.xlsx_open), reads every sheet by header name, validates every cell
and reports ALL problems at once in one PriceBookError (file, sheet, row,
column, value found, what was expected, likely fix)."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from xlbilling.core.money import MAX_PRICE_VALUE, D, normalise_currency, out_of_range, to_date
from xlbilling.core.records import VENDORS
from xlbilling.core.rules.acronis import normalise_rule
from xlbilling.core.rules.axcient_bff import BASES
from xlbilling.core.rules.common import MAX_RATE_DECIMALS
from xlbilling.core.rules.x360recover import PoolSettings, TIERS
from xlbilling.errors import PriceBookError, XlbillingError, show_value
from xlbilling.gc_pause import gc_paused
from xlbilling.pricing.model import (ENDPOINT_SOURCES, LOCAL_GB_WHEN_NOT_BILLABLE, LICENSE_TYPES, OVERAGE_ALLOCATIONS, QBO_ITEM_NAMINGS,
                                     Account, Commitment, Customer, License, PriceBook, Rate, Settings)
from xlbilling.pricing.schema import REQUIRED_SHEETS, SETTINGS, SHEETS
from xlbilling.files.xlsx_open import formulas_without_values, read_sheet_grids

MAX_LISTED = 60
MAX_PAYMENT_TERMS_DAYS = 365
MAX_PRICEBOOK_BYTES = 200 * 1024 * 1024  # a price book is a few MB unzipped; refuse anything near a zip bomb


class _Problems:
    def __init__(self, path: str):
        self.path = path
        self.items: list[str] = []

    def add(self, sheet: str, row: int | None, column: str | None, value: object, expected: str, fix: str = "") -> None:
        where = f"sheet {sheet!r}" + (f", row {row}" if row else "") + (f", column {column!r}" if column else "")
        found = "a blank cell" if value in (None, "") else show_value(value)
        self.items.append(f"{where}: found {found}, expected {expected}" + (f"; {fix}" if fix else ""))

    def raise_if_any(self) -> None:
        if self.items:
            shown = "\n  ".join(self.items[:MAX_LISTED])
            more = f"\n  ... and {len(self.items) - MAX_LISTED} more" if len(self.items) > MAX_LISTED else ""
            raise PriceBookError(f"price book {self.path}: {len(self.items)} problem(s), nothing was priced:\n"
                                 f"  {shown}{more}")


def _text(value: object) -> str:
    """Vendor strings stay text; an account number typed as a number reads back as '1234', not '1234.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value).strip()


def _key(header: object) -> str:
    return " ".join(str(header or "").replace("*", "").split()).casefold()


def _read_sheet(sheet_names, grids, name: str, problems: _Problems) -> list[tuple[int, dict[str, object]]] | None:
    """Rows of a sheet as {header: value} (headers as in SHEETS), blank rows skipped."""
    if name not in sheet_names:
        if name in REQUIRED_SHEETS:
            problems.add(name, None, None, None, f"a sheet named {name!r}",
                         "restore it from a price book `xlbilling pricebook init` wrote")
        return None
    rows = iter(grids.get(name, ()))
    header = next(rows, None) or ()
    wanted = {_key(h): h for h, _, _, _ in SHEETS[name]}
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        k = _key(h)
        if k in wanted and wanted[k] not in index:
            index[wanted[k]] = i
    missing = [h for h, _, _, req in SHEETS[name] if req and h not in index]
    if missing:
        problems.add(name, 1, None, [h for h in header if h is not None],
                     f"header(s) {', '.join(missing)} in row 1", "restore the column header from the template")
        return None
    out = []
    for r, values in enumerate(rows, start=2):
        rec = {h: (values[i] if i < len(values) else None) for h, i in index.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in rec.values()):
            continue
        out.append((r, rec))
    return out


def _number(problems: _Problems, sheet: str, row: int, column: str, value: object, *, required: bool = False,
            minimum: Decimal | None = Decimal(0), maximum: Decimal | None = None, example: str = "0.25") -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(sheet, row, column, value, f"a number such as {example}", "fill the cell")
        return None
    try:
        d = D(value.replace(",", "") if isinstance(value, str) and "," in value and "." in value else value,
              what=column)
    except XlbillingError:
        problems.add(sheet, row, column, value, f"a number such as {example}",
                     "type the number without a currency sign or text")
        return None
    if out_of_range(d, MAX_PRICE_VALUE):
        problems.add(sheet, row, column, value, f"a number below 10^{MAX_PRICE_VALUE.adjusted()} (value out of range)")
        return None
    if minimum is not None and d < minimum:
        problems.add(sheet, row, column, value, f"a number >= {minimum}")
        return None
    if maximum is not None and d > maximum:
        hint = " (fractions: 20% = 0.2)" if maximum <= 1 else ""
        problems.add(sheet, row, column, value, f"a number <= {maximum}{hint}")
        return None
    return d


def _currency(problems: _Problems, sheet: str, row: int, column: str, value: object, default: str) -> str:
    text = _text(value)
    if not text:
        return default
    try:
        return normalise_currency(text)
    except XlbillingError:
        problems.add(sheet, row, column, value, "an ISO 4217 currency code such as USD, EUR, JPY")
        return default


def _choice(problems: _Problems, sheet: str, row: int, column: str, value: object, allowed: tuple[str, ...],
            default: str = "") -> str:
    text = _text(value).lower()
    if not text:
        return default
    if text not in allowed:
        problems.add(sheet, row, column, value, "one of " + ", ".join(allowed), "pick a value from the cell's list")
        return default
    return text


def _date(problems: _Problems, sheet: str, row: int, column: str, value: object) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return to_date(value, what=column)
    except XlbillingError:
        problems.add(sheet, row, column, value, "a date (yyyy-mm-dd or an Excel date)")
        return None


def _month_control_settings(get, num, problems: _Problems) -> dict:
    """Invoice numbering, ledger and review thresholds (docs/month.md)."""
    from xlbilling.core.numbering import validate_format

    sh = "Settings"
    r, fmt = get("Invoice number format")
    fmt = _text(fmt) or "{prefix}{n:05d}"
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
            "ledger": _text(get("Ledger")[1]),
            "change_threshold_pct": Decimal("0.25") if pct is None else pct,
            "change_threshold_amount": Decimal("50") if amount is None else amount}


def _settings(rows, problems: _Problems) -> Settings:
    values = {}
    known = {_key(name): name for name, _, _, _ in SETTINGS}
    for r, rec in rows or []:
        name = known.get(_key(rec.get("Setting")))
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
        return _number(problems, sh, r, "Value", v, **kw)

    def choice(name: str, allowed) -> str:
        r, v = get(name)
        default = next(d for n, d, _, _ in SETTINGS if n == name)
        return _choice(problems, sh, r, "Value", v, allowed, default)

    r, v = get("Home currency")
    home = _currency(problems, sh, r, "Value", v, "USD")
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
        x360_bytes_per_gb=_bytes_per_gb(problems, *get("x360Recover bytes per GB")),
        invoice_prefix=_text(get("Invoice number prefix")[1]),
        **_month_control_settings(get, num, problems),
        payment_terms_days=int(terms or 30),
        xero_account_code=_text(get("Xero AccountCode")[1]),
        xero_tax_type=_text(get("Xero TaxType")[1]),
        qbo_item_naming=choice("QBO item naming", QBO_ITEM_NAMINGS),
        commitment_item_code=_text(get("Commitment fee item code")[1]),
    )


# Sheets that mark an xlbilling billing workbook (writers/layout.py names them).
_BILLING_SHEETS = ("Summary", "Invoice lines", "Problems")


def _what_report(path: str) -> str:
    """What vendor report `path` is, in words ('' when it is none xlbilling knows)."""
    try:
        from xlbilling.readers import READERS, identify

        info = identify(path)
    except Exception:  # any failure just means: not a report we recognise
        return ""
    return next((r.description for r in READERS if r.name == info.reader), info.reader)


def _refuse_other_workbook(path: str, sheetnames: list[str]) -> None:
    """A workbook that is plainly not a price book (a vendor report, a billing
    workbook) is named for what it is, instead of a list of missing sheets."""
    missing = [s for s in REQUIRED_SHEETS if s not in sheetnames]
    if len(missing) < 2:
        return  # a price book with a sheet renamed or deleted: the per-sheet problems say which
    has = ", ".join(repr(s) for s in sheetnames[:6]) + (", ..." if len(sheetnames) > 6 else "")
    expected = (f"a price book is an .xlsx workbook with the sheets {', '.join(REQUIRED_SHEETS)}"
                + (f"; this one has {has}" if sheetnames else ""))
    if all(s in sheetnames for s in _BILLING_SHEETS):
        raise PriceBookError(f"{path} is an xlbilling billing workbook, not a price book ({expected}): give your"
                             " price book with --pricebook")
    report = _what_report(path)
    if report:
        raise PriceBookError(f"{path} is a vendor report ({report}), not a price book ({expected}): give it as a"
                             " REPORT, and your price book with --pricebook (start one with `xlbilling pricebook"
                             " init REPORT... --out pricebook.xlsx`)")
    raise PriceBookError(f"{path} is not a price book ({expected}): give your price book with --pricebook, or start"
                         " one with `xlbilling pricebook init REPORT... --out pricebook.xlsx`")


def _root_reason(exc: BaseException) -> str:
    """The innermost cause of a workbook failure, said plainly: openpyxl wraps
    the XML parser's refusal in "please see the exception for more details"."""
    inner = exc
    while (inner.__cause__ or inner.__context__) is not None and inner is not (inner.__cause__ or inner.__context__):
        inner = inner.__cause__ or inner.__context__
    kind = type(inner).__name__
    if kind in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
        return (f"its XML declares entities or a DTD ({kind}), which xlbilling refuses: that is how XML entity"
                " expansion ('billion laughs') and external-entity attacks work")
    text = str(inner).splitlines()[0] if str(inner) else ""
    return f"{kind}: {text[:200]}" if text else kind


def _formulas_without_values(path: str, problems: _Problems) -> None:
    """A formula cell with no saved result reads as blank: name it instead."""
    try:
        cells = formulas_without_values(path, set(SHEETS))
    except Exception:  # the workbook opened above; a part we cannot scan is openpyxl's business
        return
    for sheet, ref, formula in cells[:MAX_LISTED]:
        problems.items.append(f"sheet {sheet!r}, cell {ref}: a formula (={formula[:60]}) without a saved result,"
                              " read as blank; open and save the price book in Excel or LibreOffice so the result"
                              " is stored, or type the value")


X360_GB_SIZES = (Decimal(10) ** 9, Decimal(2) ** 30)


def _bytes_per_gb(problems: _Problems, row: int, value: object) -> Decimal:
    """x360Recover's GB: 10^9 (default) or 2^30 bytes - Axcient states neither
    (docs/readers.md), so only these two readings are accepted."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return X360_GB_SIZES[0]
    try:
        d = D(value, what="x360Recover bytes per GB")
    except XlbillingError:
        d = None
    if d not in X360_GB_SIZES:
        problems.add("Settings", row, "Value", value, "1000000000 (10^9) or 1073741824 (2^30)")
        return X360_GB_SIZES[0]
    return d


def _open(name: str, problems: _Problems) -> dict:
    """The price book's sheets as (row, record) lists; a file that is not a price
    book is refused naming what it is."""
    try:
        # files/xlsx_open: zip sizes checked before unzipping, then python-calamine (cached values only)
        sheet_names, grids = read_sheet_grids(name, SHEETS, max_unzipped_bytes=MAX_PRICEBOOK_BYTES)
    except PriceBookError:
        raise
    except XlbillingError as exc:
        report = _what_report(name) if os.path.isfile(name) else ""
        if report:  # a CSV or .xls report given as --pricebook
            _refuse_other_workbook(name, [])
        raise PriceBookError(f"price book {name}: {exc}") from None
    except OSError as exc:
        raise PriceBookError(f"price book {name}: cannot be read ({exc.strerror or exc})") from None
    except Exception as exc:  # calamine's and the zip/XML parsers' exception types for a damaged file
        if os.path.isfile(name) and _what_report(name):
            _refuse_other_workbook(name, [])
        raise PriceBookError(f"price book {name}: cannot be opened as an .xlsx workbook ({_root_reason(exc)});"
                             " save it from Excel as 'Excel Workbook (*.xlsx)'") from None
    _refuse_other_workbook(name, sheet_names)
    sheets = {s: _read_sheet(sheet_names, grids, s, problems) for s in SHEETS}
    _formulas_without_values(name, problems)
    return sheets

def _customers(rows, problems: _Problems, home: str) -> list[Customer]:
    customers: list[Customer] = []
    seen: dict[str, int] = {}
    for r, rec in rows or []:
        cname = _text(rec["Customer"])
        if not cname:
            problems.add("Customers", r, "Customer", rec["Customer"], "a customer name")
            continue
        if cname.casefold() in seen:
            problems.add("Customers", r, "Customer", cname, "each customer once",
                         f"it is already on row {seen[cname.casefold()]}: delete one")
            continue
        seen[cname.casefold()] = r
        customers.append(Customer(cname, _currency(problems, "Customers", r, "Invoice currency",
                                                   rec["Invoice currency"], home),
                                  _choice(problems, "Customers", r, "Axcient BFF basis", rec.get("Axcient BFF basis"),
                                          BASES), _text(rec.get("Notes")), r, _text(rec.get("Customer id"))))
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

    def __init__(self, customers: list[Customer], problems: _Problems):
        self.known = {c.name.casefold(): c.name for c in customers}
        self.problems = problems

    def customer_ref(self, sheet: str, r: int, value: object, required: bool) -> str:
        text = _text(value)
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
        if not _text(value):
            self.problems.add(sheet, r, "Vendor", value, "one of " + ", ".join(VENDORS))
            return ""
        return _choice(self.problems, sheet, r, "Vendor", value, VENDORS)


def _accounts(rows, refs: _Refs, problems: _Problems) -> list[Account]:
    accounts: list[Account] = []
    acct_seen: dict[tuple[str, str], int] = {}
    for r, rec in rows or []:
        v = refs.vendor("Accounts", r, rec["Vendor"])
        acct = _text(rec["Account"])
        if not acct:
            problems.add("Accounts", r, "Account", rec["Account"], "the vendor's account / tenant / client id")
            continue
        if (v, acct) in acct_seen:
            problems.add("Accounts", r, "Account", acct, "each vendor account once",
                         f"it is already on row {acct_seen[(v, acct)]}: an account bills one customer")
            continue
        acct_seen[(v, acct)] = r
        reviewed = _choice(problems, "Accounts", r, "Reviewed", rec.get("Reviewed"), ("yes", "no", "y", "n", "true",
                                                                                       "false", "1", "0"), "yes")
        accounts.append(Account(v, acct, _text(rec.get("Vendor customer label")),
                                refs.customer_ref("Accounts", r, rec["Customer"], False),
                                reviewed in ("yes", "y", "true", "1"),
                                _date(problems, "Accounts", r, "Cancelled on", rec.get("Cancelled on")), r))
    return accounts


def _rates(rows, refs: _Refs, problems: _Problems, home: str) -> list[Rate]:
    rates: list[Rate] = []
    rate_seen: dict[tuple, int] = {}
    for r, rec in rows or []:
        v = refs.vendor("Rates", r, rec["Vendor"])
        item = _text(rec["Item"])
        if not item:
            problems.add("Rates", r, "Item", rec["Item"], "an item key such as online_gb, endpoint_server,"
                                                          " pw_base_storage, m365_users, or * for every item")
        tier = _choice(problems, "Rates", r, "Tier", rec.get("Tier"), TIERS)
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
        rule_rate = _number(problems, "Rates", r, "Rule rate", rec.get("Rule rate"), required=bool(rule),
                            example="0.25 (= 25%)")
        if rule == "margin" and rule_rate is not None and rule_rate >= 1:
            problems.add("Rates", r, "Rule rate", rec.get("Rule rate"), "a margin below 1 (30% = 0.3)")
        if rule_rate is not None and not rule:
            problems.add("Rates", r, "Pricing rule", rec.get("Pricing rule"), "markup, margin or sell when a Rule"
                                                                              " rate is given")
        rates.append(Rate(
            vendor=v, item=item, tier=tier, customer=cust, unit=_text(rec.get("Unit")),
            unit_price=_number(problems, "Rates", r, "Unit price", rec["Unit price"]),
            currency=_currency(problems, "Rates", r, "Currency", rec.get("Currency"), home),
            cost_per_unit=_number(problems, "Rates", r, "Vendor cost per unit", rec.get("Vendor cost per unit")),
            rule=rule, rule_rate=rule_rate,
            distributor_discount=_number(problems, "Rates", r, "Distributor discount", rec.get("Distributor discount"),
                                         maximum=Decimal(1), example="0.2 (= 20%)"),
            description=_text(rec.get("Description")), item_code=_text(rec.get("Item code")), row=r))
    return rates


def _exchange_rates(rows, problems: _Problems) -> list[tuple[str, str, Decimal]]:
    fx: list[tuple[str, str, Decimal]] = []
    fx_seen: dict[tuple[str, str], int] = {}
    for r, rec in rows or []:
        f = _currency(problems, "ExchangeRates", r, "From", rec["From"], "")
        t = _currency(problems, "ExchangeRates", r, "To", rec["To"], "")
        if not f or not t:
            if not _text(rec["From"]) or not _text(rec["To"]):
                problems.add("ExchangeRates", r, "From" if not f else "To", None, "an ISO currency code")
            continue
        rate = _number(problems, "ExchangeRates", r, "Rate", rec["Rate"], required=True, example="0.92345")
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


def _commitments(rows, refs: _Refs, problems: _Problems, customers: list[Customer], home: str) -> list[Commitment]:
    commitments: list[Commitment] = []
    for r, rec in rows or []:
        cust = refs.customer_ref("Commitments", r, rec["Customer"], True)
        inv = next((c.currency for c in customers if c.name == cust), home)
        amount = _number(problems, "Commitments", r, "Minimum commitment", rec["Minimum commitment"], required=True,
                         example="500")
        commitments.append(Commitment(cust, refs.vendor("Commitments", r, rec["Vendor"]), amount or Decimal(0),
                                      _currency(problems, "Commitments", r, "Currency", rec.get("Currency"), inv), r))
    return commitments


def _licenses(rows, refs: _Refs, problems: _Problems) -> list[License]:
    licenses: list[License] = []
    for r, rec in rows or []:
        first = _date(problems, "Licenses", r, "First day", rec.get("First day"))
        last = _date(problems, "Licenses", r, "Last day", rec.get("Last day"))
        if first and last and last < first:
            problems.add("Licenses", r, "Last day", last.isoformat(), f"a date on or after the first day {first}")
        ltype = _choice(problems, "Licenses", r, "License type", rec["License type"], LICENSE_TYPES)
        if not ltype:
            problems.add("Licenses", r, "License type", rec["License type"], "one of " + ", ".join(LICENSE_TYPES))
        licenses.append(License(refs.customer_ref("Licenses", r, rec["Customer"], True), _text(rec.get("Location")), ltype,
                                _choice(problems, "Licenses", r, "Tier", rec.get("Tier"), TIERS, "bundled"),
                                _text(rec.get("Size")), _text(rec.get("Retention")), first, last,
                                _number(problems, "Licenses", r, "Monthly price", rec.get("Monthly price")),
                                _currency(problems, "Licenses", r, "Currency", rec.get("Currency"), ""), r))
    return licenses


@gc_paused
def load_pricebook(path: str | os.PathLike) -> PriceBook:
    """Read and validate the price book at `path` (see docs/pricebook.md): every
    bad cell of every sheet in one PriceBookError."""
    name = os.fspath(path)
    problems = _Problems(name)
    sheets = _open(name, problems)
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
