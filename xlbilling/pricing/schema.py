"""The price book's layout, shared by the loader (pricebook.py) and the
template writer (writers/pricebook_template.py) so the two never drift.

Each sheet: a header row (row 1), one Excel table, data from row 2."""
from __future__ import annotations

from xlbilling.core.records import VENDORS
from xlbilling.core.rules.acronis import PRICE_RULES
from xlbilling.core.rules.axcient_bff import BASES
from xlbilling.core.rules.x360recover import TIERS
from xlbilling.pricing.model import ENDPOINT_SOURCES, LOCAL_GB_WHEN_NOT_BILLABLE, LICENSE_TYPES, OVERAGE_ALLOCATIONS, QBO_ITEM_NAMINGS

# (setting name, default, allowed values or None, meaning for finance staff)
SETTINGS: tuple[tuple[str, object, tuple[str, ...] | None, str], ...] = (
    ("Home currency", "USD", None, "Your own currency (ISO code). Prices and invoices without a currency use it."),
    ("Axcient BFF basis", "uncompressed", BASES,
     "How Axcient Backup for Files online/local storage is billed (Axcient's Backup for Files billing guide): uncompressed, compressed, or"
     " account (each account's CanViewCompressed flag). Basic plans are always uncompressed. A customer's"
     " 'Axcient BFF basis' overrides it."),
    ("Axcient BFF local GB when not billable", "not billed", LOCAL_GB_WHEN_NOT_BILLABLE,
     "Local backup storage (GB) of an Axcient BFF account whose LocalBackupIsBillable is 0: not billed (the"
     " flag says local backup is not billable) or billed. The line's working says which."),
    ("Pool server TB per license", 2, None, "x360Recover cloud pool: TB of allowance per server endpoint license (Axcient x360Recover license billing)."),
    ("Pool workstation GB per license", 200, None, "x360Recover cloud pool: GB per workstation endpoint license (Axcient x360Recover license billing)."),
    ("Pool GB per TB", 1000, None, "GB in one TB for the pool (the vendor does not say: 1000 by default, 1024 if your contract says so)."),
    ("Pool overage allocation", "pro-rata", OVERAGE_ALLOCATIONS,
     "pro-rata: the partner-level cloud overage is billed to customers in proportion to their usage above their"
     " own allowance; none: nobody is billed for it (you absorb it)."),
    ("Pool overage price per GB", None, None, "Price per GB of pool overage (home currency) when no Rates row x360recover / cloud_gb gives one."),
    ("Pool overage cost per GB", None, None, "What Axcient charges you per GB of overage (home currency), for the margin reconciliation."),
    ("x360Recover endpoints billed from", "auto", ENDPOINT_SOURCES,
     "auto: use every source given: the license assignments (a license-assignment report, or the Licenses"
     " sheet) give how many endpoint licenses are billed (each assignment overlapping the month bills the whole"
     " month), the device report splits them into bundled / self-hosted and adds cloud-only systems, billed on"
     " top; spare licenses or unlicensed systems are listed as problems. devices: the device report alone, each"
     " system at its tier; licenses: the license assignments alone, at the bundled rate unless a Licenses row"
     " gives a tier."),
    ("Acronis distributor discount", None, None,
     "Distributor discount (0.2 = 20%) used where a Rates row gives none: the vendor cost of an Acronis line is"
     " sell x (1 - discount). Blank: the cost is unknown unless the Rates row gives a Vendor cost per unit."),
    ("Acronis bill customer trial usage", "yes", ("yes", "no"),
     "yes: a customer tenant's Acronis usage is billed as the report's total (production + trial), as Acronis"
     " counts it; no: only its production usage is billed (trial usage left out)."),
    ("x360Recover bytes per GB", 1000000000, None,
     "Bytes in one x360Recover GB for cloud_gb. Axcient does not state the unit: 1000000000 (10^9) by default;"
     " 1073741824 (2^30) if your Axcient invoices use binary GB."),
    ("Invoice number prefix", "INV-", None, "The {prefix} of the invoice number format."),
    ("Invoice number format", "{prefix}{n:05d}", None,
     "Invoice numbers: {n} is one sequence continuing across months; also {prefix}, {year}, {month};"
     " e.g. INV-{n:05d} or {year}-{n:04d}. A number once given never changes."),
    ("Invoice number start", 1, None,
     "The first sequence number, to continue your accounting system's numbering (e.g. 1042)."),
    ("Ledger", None, None,
     "Where closed months are kept: blank = a file beside this price book (<name>.ledger.sqlite); a file"
     " path, or a PostgreSQL URL (postgresql://user@host/db) for a team sharing one ledger."),
    ("Change threshold %", 0.25, None,
     "Month-over-month review: a change of more than this fraction (0.25 = 25%) ..."),
    ("Change threshold amount", 50, None,
     "... and of more than this amount (invoice currency) is also listed on Problems."),
    ("Payment terms days", 30, None, "Due date = invoice date + this many days."),
    ("Xero AccountCode", "200", None, "Chart-of-accounts code for the Xero export (Sales)."),
    ("Xero TaxType", "Tax Exempt", None, "Tax rate name exactly as Xero shows it, e.g. '20% (VAT on Income)' or 'Tax on Sales'."),
    ("QBO item naming", "code", QBO_ITEM_NAMINGS,
     "QuickBooks Item(Product/Service): code = the Rates row's Item code (else the description);"
     " vendor:item = 'Vendor:item' (QuickBooks' Item:Sub-item convention)."),
    ("Commitment fee item code", "MIN-COMMIT", None, "Accounting item code of the 'Minimum Commitment Amount Fee' line."),
)

# sheet -> [(header, width, list validation or None, required header?)]
SHEETS: dict[str, list[tuple[str, int, tuple[str, ...] | None, bool]]] = {
    "Settings": [("Setting", 34, None, True), ("Value", 18, None, True), ("Meaning", 100, None, False)],
    "Customers": [("Customer", 32, None, True), ("Invoice currency", 16, None, True),
                  ("Axcient BFF basis", 18, BASES, False), ("Notes", 40, None, False),
                  ("Customer id", 16, None, False)],
    "Accounts": [("Vendor", 14, VENDORS, True), ("Account", 38, None, True),   # 38: an Acronis tenant id prints whole
                 ("Vendor customer label", 32, None, False), ("Customer", 32, None, True),
                 ("Reviewed", 10, ("yes", "no"), False), ("Cancelled on", 14, None, False),
                 ("Notes", 30, None, False)],
    "Rates": [("Vendor", 14, VENDORS, True), ("Item", 30, None, True), ("Tier", 12, TIERS, False),
              ("Customer", 28, None, False), ("Unit", 10, None, False), ("Unit price", 12, None, True),
              ("Currency", 10, None, False), ("Vendor cost per unit", 14, None, False),
              ("Pricing rule", 12, PRICE_RULES, False), ("Rule rate", 10, None, False),
              ("Distributor discount", 12, None, False), ("Description", 40, None, False),
              # Notes: for the person keeping the price book (pricebook init's hints); never read
              # into a Rate, so it never reaches an invoice (Description does)
              ("Item code", 16, None, False), ("Notes", 40, None, False)],
    "ExchangeRates": [("From", 10, None, True), ("To", 10, None, True), ("Rate", 14, None, True)],
    "Commitments": [("Customer", 32, None, True), ("Vendor", 14, VENDORS, True),
                    ("Minimum commitment", 18, None, True), ("Currency", 10, None, False)],
    "Licenses": [("Customer", 28, None, True), ("Location", 24, None, False),
                 ("License type", 22, LICENSE_TYPES, True), ("Tier", 12, TIERS, False), ("Size", 10, None, False),
                 ("Retention", 10, ("3-year", "10-year"), False), ("First day", 12, None, False),
                 ("Last day", 12, None, False), ("Monthly price", 14, None, False), ("Currency", 10, None, False)],
}
REQUIRED_SHEETS = ("Settings", "Customers", "Accounts", "Rates")
DATE_COLUMNS = {("Accounts", "Cancelled on"), ("Licenses", "First day"), ("Licenses", "Last day")}
MONEY_COLUMNS = {("Rates", "Unit price"), ("Rates", "Vendor cost per unit"), ("Commitments", "Minimum commitment"),
                 ("Licenses", "Monthly price")}
INSTRUCTIONS_SHEET = "Instructions"
