"""The billing rules as small pure functions: Decimal in, Result(value, working) out.

One module per vendor document (rule sources: BILLING_RULES.md); `common` for
rules shared by all.  No file, workbook or Excel access here: tests/test_core_purity.py checks."""
from xlbilling.core.rules.result import Result  # noqa: F401
