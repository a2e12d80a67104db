"""The Excel functions (xlwings UDFs): thin one-line adapters over the core rules.

The only module that imports xlwings.  Cell handling (blank -> default, error
cells, scalars broadcast against ranges, results as a column, errors as short
cell texts) lives once in xlbilling.udf_support; each function below names its
arguments, their defaults and the core rule it calls.  Off Windows the xlwings
decorators are no-ops, so this module imports and is tested anywhere.

Every argument is declared `ndim=2, err_to_str=True` so a range always arrives
2-D (a column as [[a], [b], ...]) and an error cell as its text ('#N/A')
instead of None - which would otherwise silently take the default.
"""
from __future__ import annotations

import datetime as _dt

import xlwings as xw

from xlbilling.core.rules import acronis, altaro, axcient_bff, common, x360recover
from xlbilling.udf_support import Aggregate, Arg, Example, Udf, same

CATEGORY = "xlbilling"
CELLS = {"ndim": 2, "err_to_str": True}

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
     Arg("currency", "USD", "a currency code", currency=True)),
    # seeds/002: servers and workstations each at their own price, not prorated.
    lambda s, w, sr, wr, cur: x360recover.endpoint_charge(s, w, sr, wr, cur).value,
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
     Arg("month", expected="a date in the billing month"), Arg("currency", "USD", "a currency code", currency=True)),
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
    lambda s, w, sgb, wgb: x360recover.pool_allowance_gb(s, w, sgb, wgb).value,
    "pooled cloud allowance in GB: server_licenses x server_gb + workstation_licenses x workstation_gb",
    example=Example("3, 12", (3.0, 12.0, None, None), "3 x 2000 + 12 x 200 = 6000 + 2400"),
)

_STORAGE_OVERAGE_GB = Udf(
    "STORAGE_OVERAGE_GB",
    (Arg("cloud_gb"), Arg("server_licenses"), Arg("workstation_licenses"), Arg("server_gb", 2000),
     Arg("workstation_gb", 200)),
    # seeds/002: cloud usage beyond the pool is billed per GB; never negative.
    lambda used, s, w, sgb, wgb: x360recover.storage_overage_gb(used, s, w, sgb, wgb).value,
    "GB of cloud usage above the pool allowance, never negative",
    example=Example("9000, 3, 12", (9000.0, 3.0, 12.0, None, None), "9000 - (3 x 2000 + 12 x 200) = 9000 - 8400"),
)

_COST_PRICE = Udf(
    "COST_PRICE",
    (Arg("sell_price"), Arg("distributor_discount", expected="a fraction (20% = 0.2)")),
    # seeds/001: cost price = sell price x (1 - distributor discount).
    lambda sell, disc: acronis.cost_price(sell, disc).value,
    "sell_price x (1 - distributor_discount), unrounded",
    example=Example("12.5, 20%", (12.5, 0.2), "12.5 x (1 - 0.2)"),
)

_RESELLER_PRICE = Udf(
    "RESELLER_PRICE",
    (Arg("sell_price"), Arg("distributor_discount", expected="a fraction (20% = 0.2)"),
     Arg("rule", "", "markup, margin, sell or blank"), Arg("rate", 0, "a fraction (20% = 0.2)")),
    # seeds/001: markup on cost, margin on cost, percent of sell; blank: the sell price stands.
    lambda sell, disc, rule, rate: acronis.reseller_price(sell, disc, rule, rate).value,
    "price under rule markup (cost x (1 + rate)), margin (cost / (1 - rate), rate below 1),"
    " sell (sell x rate) or blank (sell price unchanged); unrounded",
    example=Example('12.5, 20%, "margin", 37.5%', (12.5, 0.2, "margin", 0.375),
                    "cost 12.5 x (1 - 0.2) = 10; 10 / (1 - 0.375)"),
)

_COMMITMENT_FEE = Udf(
    "COMMITMENT_FEE",
    (Arg("usage_total"), Arg("minimum_commitment"), Arg("currency", "USD", "a currency code", currency=True)),
    # seeds/001: below the commitment, one "Minimum Commitment Amount Fee" line makes up the difference.
    lambda usage, commitment, cur: acronis.commitment_fee(usage, commitment, cur).value,
    "max(0, minimum_commitment - usage_total), rounded",
    example=Example('850, 1000, "EUR"', (850.0, 1000.0, "EUR"), "1000 - 850"),
)

_CONVERT_CURRENCY = Udf(
    "CONVERT_CURRENCY",
    (Arg("amount"), Arg("rate", expected="an exchange rate"),
     Arg("to_currency", expected="a currency code", currency=True)),
    # seeds/001: amount_in_target = amount_in_primary x rate.
    lambda amount, rate, to_currency: common.convert_currency(amount, rate, to_currency).value,
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
    (Arg("date", expected="a date"),),
    # seeds/004: Acronis builds invoice data from the last day of a month to the 2nd of the next.
    acronis.cancel_window,
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
@xw.arg("uncompressed_gb", **CELLS)
@xw.arg("compressed_gb", **CELLS)
@xw.arg("can_view_compressed", **CELLS)
@xw.arg("basis", **CELLS)
@xw.arg("plan", **CELLS)
def BILLABLE_GB(uncompressed_gb, compressed_gb, can_view_compressed=None, basis=None, plan=None):
    """GB to bill for an Axcient Backup for Files account. basis: uncompressed (default), compressed or account (compressed where can_view_compressed is 1). A Basic plan is always uncompressed."""
    return _BILLABLE_GB(uncompressed_gb, compressed_gb, can_view_compressed, basis, plan)


@xw.func(category=CATEGORY)
@xw.arg("is_del", **CELLS)
@xw.arg("is_expired", **CELLS)
def IS_BILLABLE(is_del, is_expired):
    """TRUE unless the Axcient account is deleted (is_del 1) or an expired trial (is_expired 1)."""
    return _IS_BILLABLE(is_del, is_expired)


@xw.func(category=CATEGORY)
@xw.arg("servers", **CELLS)
@xw.arg("workstations", **CELLS)
@xw.arg("server_rate", **CELLS)
@xw.arg("workstation_rate", **CELLS)
@xw.arg("currency", **CELLS)
def ENDPOINT_CHARGE(servers, workstations, server_rate, workstation_rate, currency=None):
    """x360Recover endpoint licenses: servers x server_rate + workstations x workstation_rate, rounded to the currency (default USD)."""
    return _ENDPOINT_CHARGE(servers, workstations, server_rate, workstation_rate, currency)


@xw.func(category=CATEGORY)
@xw.arg("on_appliance", **CELLS)
@xw.arg("on_axcient_cloud", **CELLS)
def ENDPOINT_TIER(on_appliance, on_axcient_cloud):
    """x360Recover endpoint tier: bundled, self-hosted or cloud-only, from 0/1 flags."""
    return _ENDPOINT_TIER(on_appliance, on_axcient_cloud)


@xw.func(category=CATEGORY)
@xw.arg("monthly_price", **CELLS)
@xw.arg("first_day", **CELLS)
@xw.arg("last_day", **CELLS)
@xw.arg("month", **CELLS)
@xw.arg("currency", **CELLS)
def PRORATED_STORAGE(monthly_price, first_day, last_day, month, currency=None):
    """x360Recover storage license for one month: price x days assigned (both ends counted) / days in month, rounded. Blank first_day: before the month; blank last_day: still assigned. month: any date in it."""
    return _PRORATED_STORAGE(monthly_price, first_day, last_day, month, currency)


@xw.func(category=CATEGORY)
@xw.arg("server_licenses", **CELLS)
@xw.arg("workstation_licenses", **CELLS)
@xw.arg("server_gb", **CELLS)
@xw.arg("workstation_gb", **CELLS)
def POOL_ALLOWANCE_GB(server_licenses, workstation_licenses, server_gb=None, workstation_gb=None):
    """x360Recover pooled cloud allowance in GB (default 2000 GB per server license, 200 GB per workstation license)."""
    return _POOL_ALLOWANCE_GB(server_licenses, workstation_licenses, server_gb, workstation_gb)


@xw.func(category=CATEGORY)
@xw.arg("cloud_gb", **CELLS)
@xw.arg("server_licenses", **CELLS)
@xw.arg("workstation_licenses", **CELLS)
@xw.arg("server_gb", **CELLS)
@xw.arg("workstation_gb", **CELLS)
def STORAGE_OVERAGE_GB(cloud_gb, server_licenses, workstation_licenses, server_gb=None, workstation_gb=None):
    """x360Recover cloud GB above the pooled allowance, never negative."""
    return _STORAGE_OVERAGE_GB(cloud_gb, server_licenses, workstation_licenses, server_gb, workstation_gb)


@xw.func(category=CATEGORY)
@xw.arg("sell_price", **CELLS)
@xw.arg("distributor_discount", **CELLS)
def COST_PRICE(sell_price, distributor_discount):
    """Acronis cost price: sell_price x (1 - distributor_discount), unrounded. 20% = 0.2."""
    return _COST_PRICE(sell_price, distributor_discount)


@xw.func(category=CATEGORY)
@xw.arg("sell_price", **CELLS)
@xw.arg("distributor_discount", **CELLS)
@xw.arg("rule", **CELLS)
@xw.arg("rate", **CELLS)
def RESELLER_PRICE(sell_price, distributor_discount, rule=None, rate=None):
    """Acronis reseller price, unrounded. rule: markup (cost x (1+rate)), margin (cost / (1-rate)), sell (sell x rate) or blank (sell price)."""
    return _RESELLER_PRICE(sell_price, distributor_discount, rule, rate)


@xw.func(category=CATEGORY)
@xw.arg("usage_total", **CELLS)
@xw.arg("minimum_commitment", **CELLS)
@xw.arg("currency", **CELLS)
def COMMITMENT_FEE(usage_total, minimum_commitment, currency=None):
    """Acronis Minimum Commitment Amount Fee: max(0, commitment - usage), rounded to the currency."""
    return _COMMITMENT_FEE(usage_total, minimum_commitment, currency)


@xw.func(category=CATEGORY)
@xw.arg("amount", **CELLS)
@xw.arg("rate", **CELLS)
@xw.arg("to_currency", **CELLS)
def CONVERT_CURRENCY(amount, rate, to_currency):
    """amount x rate, rounded to to_currency's minor unit (JPY: whole yen)."""
    return _CONVERT_CURRENCY(amount, rate, to_currency)


@xw.func(category=CATEGORY)
@xw.arg("daily_values", **CELLS)
@xw.arg("days_in_month", **CELLS)
def AVERAGE_DAILY_USAGE(daily_values, days_in_month):
    """Average daily usage over a month: sum of the daily values / days_in_month; blank or missing days count 0."""
    return _AVERAGE_DAILY_USAGE(daily_values, days_in_month)


@xw.func(category=CATEGORY)
@xw.arg("date", **CELLS)
def ACRONIS_CANCEL_WINDOW(date):
    """TRUE from the last day of a month to the 2nd of the next, when cancelling an Acronis subscription causes billing mismatches."""
    return _ACRONIS_CANCEL_WINDOW(date)


@xw.func(category=CATEGORY)
@xw.arg("object_types", **CELLS)
@xw.arg("object_names", **CELLS)
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
