"""core.records.usage_record builds exactly what UsageRecord(...) builds."""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from types import MappingProxyType

import pytest

from xlbilling.core.records import Source, UsageRecord, usage_record


def test_same_fields_and_defaults_as_the_dataclass():
    # the fast builder knows these fields, in this order, and these defaults
    assert [(f.name, f.default if f.default is not dataclasses.MISSING else None)
            for f in dataclasses.fields(UsageRecord)] == [
        ("vendor", None), ("account", None), ("customer", None), ("item", None), ("quantity", None),
        ("unit", None), ("source", None), ("tier", ""), ("vendor_amount", None), ("vendor_currency", None),
        ("details", None)]
    assert not hasattr(UsageRecord, "__post_init__")  # nothing __init__ does beyond setting fields


@pytest.mark.parametrize("quantity", [Decimal("1.50"), Decimal(0), Decimal("-0"), Decimal("1E+2")])
def test_equal_to_the_constructor(quantity):
    src = Source("f.xlsx", "Raw Customer Data", (2, 3))
    details = MappingProxyType({"plan": "Basic"})
    fast = usage_record("axcient-bff", "100", "Cust", "online_gb", quantity, "GB", src, details)
    slow = UsageRecord("axcient-bff", "100", "Cust", "online_gb", quantity, "GB", src, details=details)
    assert fast == slow and repr(fast) == repr(slow)
    assert type(fast) is UsageRecord and str(fast.quantity) == str(quantity)
    assert fast.details is details and fast.tier == "" and fast.vendor_amount is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.quantity = Decimal(1)  # type: ignore[misc]
