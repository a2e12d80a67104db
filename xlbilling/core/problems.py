"""Typed problems: something finance staff must look at, as a record with a kind
code and the fields it concerns (vendor, account, customer, source), never a
sentence to be searched.  Readers emit them on ReadResult.problems, pricing
passes them on and adds its own; the workbook's Problems sheet, stderr and
`--strict` read the kind and the fields.  Pure (core/)."""
from __future__ import annotations

from dataclasses import dataclass

# kind code -> what it means (docs/architecture.md lists them for users)
KINDS: dict[str, str] = {
    # from readers
    "same_name_users": "user names that differ only by case or spacing were counted as one user",
    "duplicate_account_row": "an account appears on several rows of one report; the rows were added up",
    "rollup_mismatch": "a parent's WithSub total differs from its sub-accounts added up",
    "assumed_tier": "the report lacks the columns that tell the endpoint tier; a tier was assumed",
    "d2c_devices": "Direct-to-Cloud devices are billed outside endpoint licensing",
    "blank_tenant_kind": "rows without a tenant kind were billed as customer tenants",
    "reader_warning": "something in a report worth a look (formula text kept as text, repeated columns, blanks)",
    "deleted_with_usage": "a deleted or expired account still carries usage (not billed)",
    # from pricing
    "duplicate_report": "a report given twice was left out",
    "unmapped_account": "an account with usage has no customer in the price book",
    "unreviewed_mapping": "an account mapping pre-filled by pricebook init is not reviewed",
    "no_rate": "usage has no price in the price book (not invoiced)",
    "no_exchange_rate": "a price or commitment needs an exchange rate the price book lacks (not invoiced)",
    "no_pricing_unit": "usage of a vendor xlbilling cannot price (not invoiced)",
    "overlapping_usage": "one customer's usage of one vendor comes from two kinds of report",
    "cancel_window": "an account was cancelled inside the vendor's invoice window",
    "licenses_sheet_ignored": "the price book's Licenses sheet was not used: a license report was given",
    "pool_overage_unallocated": "pooled cloud overage is billed to no customer (partner cost)",
    "license_without_system": "endpoint licenses with no protected system in the device list",
    "system_without_license": "more protected systems than endpoint licenses",
    "cost_unknown": "invoice lines whose vendor cost the price book does not give",
    "billed_nothing": "a price-book customer is billed nothing this month",
}

# Problems that mean usage went un-invoiced: `--strict` turns them into exit code 1.
BLOCKING_KINDS = frozenset({"unmapped_account", "no_rate", "no_exchange_rate", "duplicate_report", "no_pricing_unit"})


@dataclass(frozen=True, slots=True)
class Problem:
    """kind: a code of KINDS; vendor, account, customer: what it concerns ('' when
    not one); message: the sentence a user reads; source: file / sheet / row."""

    kind: str
    vendor: str = ""
    account: str = ""
    customer: str = ""
    message: str = ""
    source: str = ""

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING_KINDS

    def __str__(self) -> str:
        where = f" [{self.source}]" if self.source else ""
        return f"{self.kind}: {self.message}{where}"


__all__ = ["Problem", "KINDS", "BLOCKING_KINDS"]
