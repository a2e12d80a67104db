"""Problem kinds in words, and the vendors' rule sources in plain language.

A problem's `kind` is a stable code (`no_rate`) for filters and scripts; what a
finance user reads is its title ("No price for an item") and what to do.
docs/problems.md (`xlbilling help problems`) lists the same table, and
tests/test_first_month.py checks that the two agree.

Pure data, no imports: the core, the pricing engine and the writers all use it."""
from __future__ import annotations

# kind -> (title, what to do)
KINDS: dict[str, tuple[str, str]] = {
    "unmapped_account": ("Account without a customer",
                         "On the price book's Accounts sheet, give the account a Customer. Not invoiced until then."),
    "no_rate": ("No price for an item",
                "On the Rates sheet, type a Unit price (or a Pricing rule) for the vendor and item. Not invoiced"
                " until then."),
    "no_exchange_rate": ("No exchange rate",
                         "On the ExchangeRates sheet, add the rate from the price's currency to the invoice"
                         " currency. Not invoiced until then."),
    "duplicate_report": ("Report given twice",
                         "Give each report once: the same usage would be billed twice."),
    "overlapping_usage": ("Same usage in two kinds of report",
                          "Give one report per vendor and type (for example Raw Customer Data or Raw Account Data,"
                          " not both), or map the accounts to different customers."),
    "unreviewed_mapping": ("Account mapping to check",
                           "`pricebook init` proposed this customer from the vendor's label: check it on the"
                           " Accounts sheet and set Reviewed to yes."),
    "deleted_with_usage": ("Deleted or expired account with usage",
                           "Not billed, as the vendor's rules say. Check that the account should not be billed or"
                           " should be reactivated."),
    "billed_nothing": ("Customer billed nothing",
                       "The customer is in the price book but has no usage this month: check its accounts are"
                       " mapped and its reports given."),
    "cancel_window": ("Cancelled inside the vendor's invoice window",
                      "The vendor's figures for this account may not match its invoice: check the Acronis invoice."),
    "same_name_users": ("User names merged",
                        "Names differing only in letter case or spacing count as one user. If they are different"
                        " people, bill them separately."),
    "reader_warning": ("Report warning", "Something in the report to know about; nothing was dropped silently."),
    "pool_overage_unallocated": ("Pool overage not billed",
                                 "The x360Recover pool overage is billed to nobody (Settings: Pool overage"
                                 " allocation = none)."),
    "licenses_sheet_ignored": ("Licenses sheet not used",
                               "License assignments came from a license report, so the price book's Licenses sheet"
                               " was ignored: keep the table in one place."),
}

# The vendors' own billing rules, as a user would name them.
RULE_SOURCES = {
    "axcient-bff": "Axcient Backup for Files billing rules",
    "x360recover": "Axcient x360Recover license billing rules",
    "acronis-contract": "Acronis CSP contract billing rules (distributor)",
    "acronis": "Acronis Cyber Protect Cloud usage rules",
    "altaro": "Altaro/Hornetsecurity usage report rules",
}


def kind_title(kind: str) -> str:
    """The words for a problem kind ('no_rate' -> 'No price for an item')."""
    entry = KINDS.get(kind)
    return entry[0] if entry else kind.replace("_", " ").capitalize()


def kind_advice(kind: str) -> str:
    entry = KINDS.get(kind)
    return entry[1] if entry else ""


__all__ = ["KINDS", "RULE_SOURCES", "kind_title", "kind_advice"]
