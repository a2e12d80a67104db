"""The old name of the Excel functions, kept for add-ins installed before they moved to xlbilling.excel.udfs.

Why it exists: an add-in built by an earlier xlbilling names `xlbilling.udfs` in
its config sheet (UDF Modules) and in every VBA wrapper xlwings generated into
it (`XLPy.CallUDF("xlbilling.udfs", "COST_PRICE", ...)`).  xlwings' call_udf
imports the module by that name and takes the function from it, so without
this module every function of such an add-in would fail until it was
reinstalled.  It re-exports the same function objects (with their xlwings
registration), nothing else, so re-importing the functions under the old name
gives the same 14.  `xlbilling addin install` writes the new name;
docs/addin.md ("Settings in the add-in") says so.
"""
from __future__ import annotations

# The catalogue's functions, every one (tests/test_udfs.py checks the list against it).
from xlbilling.excel.udfs import (  # noqa: F401 - re-exported for xlwings' call_udf
    ACRONIS_CANCEL_WINDOW, AVERAGE_DAILY_USAGE, BILLABLE_GB, BILLED_USERS,
    COMMITMENT_FEE, CONVERT_CURRENCY, COST_PRICE, ENDPOINT_CHARGE,
    ENDPOINT_TIER, IS_BILLABLE, POOL_ALLOWANCE_GB, PRORATED_STORAGE,
    RESELLER_PRICE, STORAGE_OVERAGE_GB,
)

__all__ = [
    "ACRONIS_CANCEL_WINDOW", "AVERAGE_DAILY_USAGE", "BILLABLE_GB", "BILLED_USERS",
    "COMMITMENT_FEE", "CONVERT_CURRENCY", "COST_PRICE", "ENDPOINT_CHARGE",
    "ENDPOINT_TIER", "IS_BILLABLE", "POOL_ALLOWANCE_GB", "PRORATED_STORAGE",
    "RESELLER_PRICE", "STORAGE_OVERAGE_GB",
]
