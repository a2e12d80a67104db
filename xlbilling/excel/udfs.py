"""The Excel functions (xlwings UDFs): thin one-line adapters over the core rules.

The only module that imports xlwings.  Cell handling (blank -> default, error
cells, scalars broadcast against ranges, results as a column, errors as short
cell texts) lives once in xlbilling.excel.cells; each function below names its
arguments, their defaults and the core rule it calls.  Off Windows the xlwings
decorators are no-ops, so this module imports and is tested anywhere.

Every argument is read by `ExcelCells`, an xlwings converter that takes a
range's `Value2` (not `Value`: Currency/Accounting-formatted cells would arrive
as VT_CY, rounded to 4 decimals; dates arrive as serials, which the rules
accept) and hands the cells to cells.clean_cells, which turns every Excel
error code (#N/A ... #CALC!, the whole error range) into its text first - xlwings'
own cleaning knows only seven and would pass the rest on as numbers.
Parameter names are VBA parameter names too (xlwings writes them into the
generated VBA module), so none may be a VBA reserved word: `currency_code`,
`on_date` (tests/test_vba_names.py checks the MS-VBAL list).
"""
from __future__ import annotations

import datetime as _dt

import xlwings as xw
from xlwings.conversion import Accessor, Pipeline

from xlbilling.core.money import to_date
from xlbilling.core.rules import acronis, altaro, axcient_bff, common, x360recover
from xlbilling.excel.calls import Aggregate, Example, Udf, same
from xlbilling.excel.cells import EXCEL_ROWS, Arg, clean_cells

CATEGORY = "xlbilling"


class ExcelCells(Accessor):
    """The xlwings converter of every argument: a range's Value2 (exact doubles,
    dates as serials) as raw rows of cells, cleaned by cells.clean_cells.
    A value that is not a range (a typed number, an array constant {1;2;3}, the
    result of another function) arrives as COM gave it and is cleaned the same."""

    @classmethod
    def reader(cls, options):
        return Pipeline().append_stage(_read_cells)


def _read_cells(ctx) -> None:
    if ctx.range is None:                      # not a range: the value as COM passed it
        ctx.value = clean_cells(ctx.value)
        return
    xl = ctx.range.api                         # the COM Range
    raw = xl.Value2
    to_end = spill = None
    if isinstance(raw, (tuple, list)):
        # only a tall range can reach the sheet's end: ask Excel where it starts only then
        to_end = len(raw) >= 65_536 and xl.Row + len(raw) - 1 >= EXCEL_ROWS
        spill = _spill_limit(xl)
    ctx.value = clean_cells(raw, to_sheet_end=bool(to_end), spill_limit=spill)


_DYNAMIC_ARRAYS: dict[str, bool] = {}   # 'version hwnd' -> whether that Excel spills


def _spill_limit(xl_range) -> tuple[int, int] | None:
    """None where Excel spills array results (dynamic arrays, Excel 365/2021);
    else the size of the calling cells, which is all Excel 2019 and older show
    (xlwings #511, #986).  Evidence of an old Excel: version below 16, or a
    WorksheetFunction without UNIQUE (what xlwings' own has_dynamic_array checks).
    When Excel cannot be asked, assume it spills."""
    try:
        app = xl_range.Application
        version = str(app.Version)
    except Exception:  # noqa: BLE001 - not knowing is not a reason to refuse
        return None
    try:
        key = f"{version} {app.Hwnd}"      # one answer per Excel window, asked once
    except Exception:  # noqa: BLE001
        key = version
    if key not in _DYNAMIC_ARRAYS:
        _DYNAMIC_ARRAYS[key] = _has_dynamic_arrays(app, version)
    if _DYNAMIC_ARRAYS[key]:
        return None
    try:
        caller = app.Caller
        return int(caller.Rows.Count), int(caller.Columns.Count)
    except Exception:  # noqa: BLE001 - called from VBA, not a cell: one cell shows
        return 1, 1


def _has_dynamic_arrays(app, version: str) -> bool:
    try:
        if int(version.split(".")[0]) < 16:
            return False             # Excel 2013 (15.0) and older: certainly none
    except ValueError:
        pass
    try:
        functions = app.WorksheetFunction
    except Exception:  # noqa: BLE001
        return True
    try:
        functions.Unique
    except AttributeError:
        return False                  # Excel 2016/2019 (16.0 too) lack UNIQUE
    except Exception:  # noqa: BLE001
        return True
    return True


def excel_function(spec: Udf):
    """xlwings' @xw.arg for every argument of `spec`: the ExcelCells converter and
    the Function Wizard's help text (`doc=`).  Applied below @xw.func, which stays
    outermost (XLWINGS_NOTES.md: the other order resets category and volatile)."""
    def apply(function):
        import inspect

        params = list(inspect.signature(function).parameters)
        if params != [a.name for a in spec.args]:
            raise TypeError(f"{function.__name__}: parameters {params} differ from the spec's arguments")
        for arg in reversed(spec.args):
            function = xw.arg(arg.name, ExcelCells, doc=arg.doc)(function)
        return function
    return apply


# --- the functions' specifications: the single source of the signatures, the
# --- defaults, the rule each calls, and the catalogue's worked examples.

_BILLABLE_GB = Udf(
    "BILLABLE_GB",
    (Arg("uncompressed_gb"), Arg("compressed_gb"), Arg("can_view_compressed", 0, "0 or 1"),
     Arg("basis", "uncompressed", "uncompressed, compressed or account"), Arg("plan", "", "a plan name")),
    # seeds/000: basis chooses the column; a Basic plan is always billed uncompressed.
    axcient_bff.billable_gb_value,
    "GB to bill (unrounded): basis uncompressed / compressed / account (account: compressed where"
    " can_view_compressed is 1); a Basic plan is always uncompressed",
    example=Example('120.5, 80.25, 1, "account", "Select"', (120.5, 80.25, 1.0, "account", "Select"),
                    "basis account and CanViewCompressed 1: the compressed 80.25 GB"),
)

_IS_BILLABLE = Udf(
    "IS_BILLABLE",
    (Arg("is_del", 0, "0 or 1", shown=False), Arg("is_expired", 0, "0 or 1", shown=False)),
    # seeds/000: rows with IsDel = 1 or IsExpired = 1 are not billed.
    axcient_bff.is_billable,
    "TRUE unless deleted (is_del 1) or expired (is_expired 1); blank counts as 0",
    out=same,
    example=Example("0, 1", (0.0, 1.0), "an expired trial is not billed"),
)

_ENDPOINT_CHARGE = Udf(
    "ENDPOINT_CHARGE",
    (Arg("servers"), Arg("workstations"), Arg("server_rate"), Arg("workstation_rate"),
     Arg("currency_code", "USD", "a currency code", currency=True)),
    # seeds/002: servers and workstations each at their own price, not prorated.
    x360recover.endpoint_charge_value,
    "servers x server_rate + workstations x workstation_rate, rounded to the currency",
    example=Example('3, 12, 45, 12.5, "USD"', (3.0, 12.0, 45.0, 12.5, "USD"),
                    "3 x 45 + 12 x 12.5 = 135 + 150"),
)

_ENDPOINT_TIER = Udf(
    "ENDPOINT_TIER",
    (Arg("on_appliance", 0, "0 or 1", shown=False), Arg("on_axcient_cloud", 0, "0 or 1", shown=False)),
    # seeds/002: the tier depends only on the presence of the data on an Axcient cloud vault.
    x360recover.endpoint_tier,
    "bundled (appliance + Axcient cloud), self-hosted (no Axcient cloud) or cloud-only"
    " (Axcient cloud, no appliance copy)",
    out=same,
    example=Example("0, 1", (0.0, 1.0), "on an Axcient cloud vault with no appliance copy"),
)

_PRORATED_STORAGE = Udf(
    "PRORATED_STORAGE",
    (Arg("monthly_price"), Arg("first_day", None, "a date"), Arg("last_day", None, "a date"),
     Arg("month", expected="a date in the billing month"), Arg("currency_code", "USD", "a currency code", currency=True)),
    # seeds/002: storage licenses are prorated by the days assigned, both ends counted.
    x360recover.prorated_storage_amount,
    "monthly_price x days assigned in the month (both ends counted; blank first_day = before the"
    " month, blank last_day = still assigned) / days in the month, rounded",
    example=Example('100, DATE(2024,2,10), "", DATE(2024,2,1)',
                    (100.0, _dt.datetime(2024, 2, 10), "", _dt.datetime(2024, 2, 1), None),
                    "100 x 20 days (10 to 29 Feb) / 29 days = 68.9655..."),
)

_POOL_ALLOWANCE_GB = Udf(
    "POOL_ALLOWANCE_GB",
    (Arg("server_licenses"), Arg("workstation_licenses"), Arg("server_gb", 2000), Arg("workstation_gb", 200)),
    # seeds/002: 2 TB per server license, 200 GB per workstation license, pooled.
    x360recover.pool_allowance_gb_value,
    "pooled cloud allowance in GB: server_licenses x server_gb + workstation_licenses x workstation_gb",
    example=Example("3, 12", (3.0, 12.0, None, None), "3 x 2000 + 12 x 200 = 6000 + 2400"),
)

_STORAGE_OVERAGE_GB = Udf(
    "STORAGE_OVERAGE_GB",
    (Arg("cloud_gb"), Arg("server_licenses"), Arg("workstation_licenses"), Arg("server_gb", 2000),
     Arg("workstation_gb", 200)),
    # seeds/002: cloud usage beyond the pool is billed per GB; never negative.
    x360recover.storage_overage_gb_value,
    "GB of cloud usage above the pool allowance, never negative",
    example=Example("9000, 3, 12", (9000.0, 3.0, 12.0, None, None), "9000 - (3 x 2000 + 12 x 200) = 9000 - 8400"),
)

_COST_PRICE = Udf(
    "COST_PRICE",
    (Arg("sell_price"), Arg("distributor_discount", expected="a fraction (20% = 0.2)")),
    # seeds/001: cost price = sell price x (1 - distributor discount).
    acronis.cost_price_value,
    "sell_price x (1 - distributor_discount), unrounded",
    example=Example("12.5, 20%", (12.5, 0.2), "12.5 x (1 - 0.2)"),
)

_RESELLER_PRICE = Udf(
    "RESELLER_PRICE",
    (Arg("sell_price"), Arg("distributor_discount", expected="a fraction (20% = 0.2)"),
     Arg("rule", "", "markup, margin, sell or blank"), Arg("rate", 0, "a fraction (20% = 0.2)")),
    # seeds/001: markup on cost, margin on cost, percent of sell; blank: the sell price stands.
    acronis.reseller_price_value,
    "price under rule markup (cost x (1 + rate)), margin (cost / (1 - rate), rate below 1),"
    " sell (sell x rate) or blank (sell price unchanged); unrounded",
    example=Example('12.5, 20%, "margin", 37.5%', (12.5, 0.2, "margin", 0.375),
                    "cost 12.5 x (1 - 0.2) = 10; 10 / (1 - 0.375)"),
)

_COMMITMENT_FEE = Udf(
    "COMMITMENT_FEE",
    (Arg("usage_total"), Arg("minimum_commitment"), Arg("currency_code", "USD", "a currency code", currency=True)),
    # seeds/001: below the commitment, one "Minimum Commitment Amount Fee" line makes up the difference.
    acronis.commitment_fee_value,
    "max(0, minimum_commitment - usage_total), rounded",
    example=Example('850, 1000, "EUR"', (850.0, 1000.0, "EUR"), "1000 - 850"),
)

_CONVERT_CURRENCY = Udf(
    "CONVERT_CURRENCY",
    (Arg("amount"), Arg("rate", expected="an exchange rate"),
     Arg("to_currency", expected="a currency code", currency=True)),
    # seeds/001: amount_in_target = amount_in_primary x rate.
    common.convert_currency_value,
    "amount x rate, rounded to the target currency (JPY: whole yen)",
    example=Example('100, 161.23456, "JPY"', (100.0, 161.23456, "JPY"), "100 x 161.23456 = 16123.456, JPY has no decimals"),
)

_AVERAGE_DAILY_USAGE = Aggregate(
    "AVERAGE_DAILY_USAGE",
    (Arg("daily_values"), Arg("days_in_month", expected="28 to 31")),
    # seeds/004: sum of daily usage / days in the month, missing days counting 0.
    lambda values, days: common.average_daily_usage(_trailing_blanks_dropped(values), days).value,
    "sum of the daily values / days_in_month (blank or missing days count 0); one number for the range",
    example=Example("A2:A4, 30", ([[10.0], [20.0], [30.0]], 30.0), "(10 + 20 + 30) / 30",
                    where="A2:A4 = 10, 20, 30"),
    columns=("daily_values",),
)

_ACRONIS_CANCEL_WINDOW = Udf(
    "ACRONIS_CANCEL_WINDOW",
    (Arg("on_date", expected="a date"),),
    # seeds/004: Acronis builds invoice data from the last day of a month to the 2nd of the next.
    lambda on_date: acronis.cancel_window(to_date(on_date, what="on_date")),
    "TRUE from the last day of a month to the 2nd of the next (do not cancel then)",
    out=same,
    example=Example("DATE(2024,2,29)", (_dt.datetime(2024, 2, 29),), "29 Feb 2024 is the last day of the month"),
)

_BILLED_USERS = Aggregate(
    "BILLED_USERS",
    (Arg("object_types"), Arg("object_names")),
    # seeds/003: distinct Object Name among Mailbox, N/A, OneDrive, User Teams Chats rows.
    lambda types, names: altaro.billed_users(types, names).count,
    "distinct object_names (trimmed, any letter case) among Mailbox, N/A, OneDrive and"
    " User Teams Chats rows; one number for the two columns",
    out=same,
    example=Example("A2:A5, B2:B5",
                    ([["Mailbox"], ["OneDrive"], ["SharePoint"], ["Mailbox"]],
                     [["Ann Lee"], ["ann lee "], ["Team"], ["Bob Roe"]]),
                    "Ann Lee counted once; SharePoint is not a billed type",
                    where='A2:A5 = Mailbox, OneDrive, SharePoint, Mailbox; B2:B5 = Ann Lee, "ann lee ", Team, Bob Roe'),
    columns=("object_types", "object_names"),
)


def _trailing_blanks_dropped(values: list) -> list:
    """A range drawn over 31 rows for a 30-day month ends in blanks: those are not days."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return values[:end]


# --- the Excel functions, in the order of the catalogue ----------------------

@xw.func(category=CATEGORY)
@excel_function(_BILLABLE_GB)
def BILLABLE_GB(uncompressed_gb, compressed_gb, can_view_compressed=None, basis=None, plan=None):
    """GB to bill for an Axcient Backup for Files account. basis: uncompressed (default), compressed or account (compressed where can_view_compressed is 1). A Basic plan is always uncompressed."""
    return _BILLABLE_GB(uncompressed_gb, compressed_gb, can_view_compressed, basis, plan)


@xw.func(category=CATEGORY)
@excel_function(_IS_BILLABLE)
def IS_BILLABLE(is_del, is_expired):
    """TRUE unless the Axcient account is deleted (is_del 1) or an expired trial (is_expired 1)."""
    return _IS_BILLABLE(is_del, is_expired)


@xw.func(category=CATEGORY)
@excel_function(_ENDPOINT_CHARGE)
def ENDPOINT_CHARGE(servers, workstations, server_rate, workstation_rate, currency_code=None):
    """x360Recover endpoint licenses: servers x server_rate + workstations x workstation_rate, rounded to currency_code (default USD)."""
    return _ENDPOINT_CHARGE(servers, workstations, server_rate, workstation_rate, currency_code)


@xw.func(category=CATEGORY)
@excel_function(_ENDPOINT_TIER)
def ENDPOINT_TIER(on_appliance, on_axcient_cloud):
    """x360Recover endpoint tier: bundled, self-hosted or cloud-only, from 0/1 flags."""
    return _ENDPOINT_TIER(on_appliance, on_axcient_cloud)


@xw.func(category=CATEGORY)
@excel_function(_PRORATED_STORAGE)
def PRORATED_STORAGE(monthly_price, first_day, last_day, month, currency_code=None):
    """x360Recover storage license for one month: price x days assigned (both ends counted) / days in month, rounded. Blank first_day: before the month; blank last_day: still assigned. month: any date in it."""
    return _PRORATED_STORAGE(monthly_price, first_day, last_day, month, currency_code)


@xw.func(category=CATEGORY)
@excel_function(_POOL_ALLOWANCE_GB)
def POOL_ALLOWANCE_GB(server_licenses, workstation_licenses, server_gb=None, workstation_gb=None):
    """x360Recover pooled cloud allowance in GB (default 2000 GB per server license, 200 GB per workstation license)."""
    return _POOL_ALLOWANCE_GB(server_licenses, workstation_licenses, server_gb, workstation_gb)


@xw.func(category=CATEGORY)
@excel_function(_STORAGE_OVERAGE_GB)
def STORAGE_OVERAGE_GB(cloud_gb, server_licenses, workstation_licenses, server_gb=None, workstation_gb=None):
    """x360Recover cloud GB above the pooled allowance, never negative."""
    return _STORAGE_OVERAGE_GB(cloud_gb, server_licenses, workstation_licenses, server_gb, workstation_gb)


@xw.func(category=CATEGORY)
@excel_function(_COST_PRICE)
def COST_PRICE(sell_price, distributor_discount):
    """Acronis cost price: sell_price x (1 - distributor_discount), unrounded. 20% = 0.2."""
    return _COST_PRICE(sell_price, distributor_discount)


@xw.func(category=CATEGORY)
@excel_function(_RESELLER_PRICE)
def RESELLER_PRICE(sell_price, distributor_discount, rule=None, rate=None):
    """Acronis reseller price, unrounded. rule: markup (cost x (1+rate)), margin (cost / (1-rate)), sell (sell x rate) or blank (sell price)."""
    return _RESELLER_PRICE(sell_price, distributor_discount, rule, rate)


@xw.func(category=CATEGORY)
@excel_function(_COMMITMENT_FEE)
def COMMITMENT_FEE(usage_total, minimum_commitment, currency_code=None):
    """Acronis Minimum Commitment Amount Fee: max(0, commitment - usage), rounded to the currency."""
    return _COMMITMENT_FEE(usage_total, minimum_commitment, currency_code)


@xw.func(category=CATEGORY)
@excel_function(_CONVERT_CURRENCY)
def CONVERT_CURRENCY(amount, rate, to_currency):
    """amount x rate, rounded to to_currency's minor unit (JPY: whole yen)."""
    return _CONVERT_CURRENCY(amount, rate, to_currency)


@xw.func(category=CATEGORY)
@excel_function(_AVERAGE_DAILY_USAGE)
def AVERAGE_DAILY_USAGE(daily_values, days_in_month):
    """Average daily usage over a month: sum of the daily values / days_in_month; blank or missing days count 0."""
    return _AVERAGE_DAILY_USAGE(daily_values, days_in_month)


@xw.func(category=CATEGORY)
@excel_function(_ACRONIS_CANCEL_WINDOW)
def ACRONIS_CANCEL_WINDOW(on_date):
    """TRUE from the last day of a month to the 2nd of the next, when cancelling an Acronis subscription causes billing mismatches."""
    return _ACRONIS_CANCEL_WINDOW(on_date)


@xw.func(category=CATEGORY)
@excel_function(_BILLED_USERS)
def BILLED_USERS(object_types, object_names):
    """Altaro 365 Total Backup billed users: distinct Object Name (trimmed, any case) among Mailbox, N/A, OneDrive, User Teams Chats rows."""
    return _BILLED_USERS(object_types, object_names)


# The catalogue (`xlbilling catalogue`, docs/udfs.md), in the order above.
CATALOGUE: tuple[tuple[Udf, object], ...] = (
    (_BILLABLE_GB, BILLABLE_GB),
    (_IS_BILLABLE, IS_BILLABLE),
    (_ENDPOINT_CHARGE, ENDPOINT_CHARGE),
    (_ENDPOINT_TIER, ENDPOINT_TIER),
    (_PRORATED_STORAGE, PRORATED_STORAGE),
    (_POOL_ALLOWANCE_GB, POOL_ALLOWANCE_GB),
    (_STORAGE_OVERAGE_GB, STORAGE_OVERAGE_GB),
    (_COST_PRICE, COST_PRICE),
    (_RESELLER_PRICE, RESELLER_PRICE),
    (_COMMITMENT_FEE, COMMITMENT_FEE),
    (_CONVERT_CURRENCY, CONVERT_CURRENCY),
    (_AVERAGE_DAILY_USAGE, AVERAGE_DAILY_USAGE),
    (_ACRONIS_CANCEL_WINDOW, ACRONIS_CANCEL_WINDOW),
    (_BILLED_USERS, BILLED_USERS),
)
