"""xlbilling: MSP backup vendors' usage reports -> exact customer invoices.

Data flow (folders follow it):
    readers/   report file        -> UsageRecord   (one module per vendor report)
    core/      money, records, rules (pure: no files, no Excel)
    pricing/   UsageRecord + price book -> InvoiceLine
    writers/   InvoiceLine -> billing workbook (openpyxl headless, xlwings live)
Entry points: commands/cli.py (`xlbilling ...`) and excel/ (the Excel face):
excel/udfs.py (Excel functions), excel/ribbon.py (`main()`, called by the
add-in's Billing > Import report button through `xlbilling.main()` below),
excel/addin.py.
"""
__version__ = "0.1.0"


def main() -> None:
    """Called by the xlbilling.xlam ribbon button (`RunMain` -> `xlbilling.main()`)."""
    from xlbilling.excel.ribbon import main as ribbon_main

    ribbon_main()
