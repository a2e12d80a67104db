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
    "inactive_client": "an x360Recover client the vendor marks inactive or parked still has protected systems",
    "repeated_infra_row": "one Acronis tenant + item + infrastructure on several report rows; the rows were added up",
    "partner_storage": "Acronis storage on infrastructure the partner owns: the partner's own, never invoiced",
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
    "former_vendor_key": "price-book rows typed under a vendor's former key (altaro for Hornetsecurity) were used",
    # from the month-over-month review (xlbilling/ledger/month_control.py)
    "month_change": "an amount changed more than the Settings threshold since the last closed month",
    "vanished_customer": "a customer invoiced last month has no invoice this month",
    "vanished_account": "a vendor account with usage last month has none this month",
    "new_unmapped_account": "a vendor account not seen last month has usage and no customer",
}

# kind code -> (title a user reads, what to do); docs/problems.md (`xlbilling help problems`)
# lists the same table (tests/test_first_month.py checks).
TITLES: dict[str, tuple[str, str]] = {
    'same_name_users': ('User names merged',
        'Names differing only in letter case or spacing count as one user. If they are different people, '
        'bill them separately.'),
    'duplicate_account_row': ('Account on several rows',
        'The rows were added up; check the report was not exported twice.'),
    'rollup_mismatch': ('Parent total differs from its sub-accounts',
        "Check the Axcient parent account's WithSub figures against its sub-accounts."),
    'assumed_tier': ('Endpoint tier assumed',
        'The report lacks the columns that tell the tier: check the tier billed.'),
    'd2c_devices': ('Direct-to-Cloud devices',
        'Billed as Direct-to-Cloud devices, outside endpoint licensing and the cloud pool.'),
    'blank_tenant_kind': ('Tenant kind blank',
        'Rows without a tenant kind were billed as customer tenants: check they are customers.'),
    'reader_warning': ('Report warning',
        'Something in the report to know about; nothing was dropped silently.'),
    'deleted_with_usage': ('Deleted or expired account with usage',
        "Not billed, as the vendor's rules say. Check that the account should not be billed or should be "
        'reactivated.'),
    'duplicate_report': ('Report given twice',
        'Give each report once: the same usage would be billed twice.'),
    'unmapped_account': ('Account without a customer',
        "On the price book's Accounts sheet, give the account a Customer. Not invoiced until then."),
    'unreviewed_mapping': ('Account mapping to check',
        "`pricebook init` proposed this customer from the vendor's label: check it on the Accounts sheet "
        'and set Reviewed to yes.'),
    'no_rate': ('No price for an item',
        'On the Rates sheet, type a Unit price (or a Pricing rule) for the vendor and item. Not invoiced '
        'until then.'),
    'no_exchange_rate': ('No exchange rate',
        "On the ExchangeRates sheet, add the rate from the price's currency to the invoice currency. Not "
        'invoiced until then.'),
    'no_pricing_unit': ('Vendor xlbilling cannot price',
        'Usage of a vendor xlbilling has no pricing for: not invoiced.'),
    'overlapping_usage': ('Same usage in two kinds of report',
        'Give one report per vendor and type (for example Raw Customer Data or Raw Account Data, not '
        'both), or map the accounts to different customers.'),
    'cancel_window': ("Cancelled inside the vendor's invoice window",
        "The vendor's figures for this account may not match its invoice: check the Acronis invoice."),
    'licenses_sheet_ignored': ('Licenses sheet not used',
        "License assignments came from a license report, so the price book's Licenses sheet was ignored: "
        'keep the table in one place.'),
    'pool_overage_unallocated': ('Pool overage not billed',
        'The x360Recover pool overage is billed to nobody (Settings: Pool overage allocation = none).'),
    'license_without_system': ('License without a protected system',
        'Endpoint licenses with no protected system in the device list: check the assignments.'),
    'system_without_license': ('System without a license',
        'More protected systems than endpoint licenses: check the assignments.'),
    'cost_unknown': ('Vendor cost unknown',
        'Add a Vendor cost per unit on the Rates sheet for the margin reconciliation.'),
    'billed_nothing': ('Customer billed nothing',
        'The customer is in the price book but has no usage this month: check its accounts are mapped and'
        ' its reports given.'),
    'former_vendor_key': ('Price-book rows under the old vendor key',
        'Hornetsecurity accounts and rates typed with Vendor altaro still apply; on the Accounts and Rates '
        'sheets set their Vendor to hornetsecurity.'),
    'month_change': ('Big change since last month',
        'More than the Settings change threshold (percent and amount): check the usage before invoicing '
        '(sheet Changes).'),
    'vanished_customer': ('Customer gone since last month',
        'Invoiced last month, nothing now: check a report is not missing or the customer has left.'),
    'vanished_account': ('Account gone since last month',
        'Had usage last month and none now: check a report is not missing or the account was cancelled.'),
    'new_unmapped_account': ('New account without a customer',
        "First seen this month and not on the price book's Accounts sheet: give it a Customer."),
}


def title(kind: str) -> str:
    """The kind in words ('no_rate' -> 'No price for an item'); unknown codes read as words too."""
    entry = TITLES.get(kind)
    return entry[0] if entry else kind.replace("_", " ").capitalize()


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

    @property
    def title(self) -> str:
        """The kind in words, as users read it (the Problems sheet, stderr)."""
        return title(self.kind)

    def __str__(self) -> str:
        where = f" [{self.source}]" if self.source else ""
        return f"{self.title}: {self.message}{where}"


__all__ = ["Problem", "KINDS", "TITLES", "BLOCKING_KINDS", "title"]
