"""Billing rules from BILLING_RULES.md as small pure functions (Decimal in,
Result out).  One module per vendor document; `common` for rules shared by
all.  No file, workbook or Excel access here: tests/test_core_purity.py checks."""
from xlbilling.core.rules.result import Result  # noqa: F401
