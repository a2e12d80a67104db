"""Hornetsecurity priced license CSV (FORMATS.md): `;`-delimited, decimal
comma, DD.MM.YYYY dates; one record per line with the vendor's own price."""
from __future__ import annotations

from xlbilling.core.money import normalise_currency
from xlbilling.core.period import period_of_dates
from xlbilling.core.records import UsageRecord
from xlbilling.errors import MoneyError
from xlbilling.readers.cells import cell_text
from xlbilling.readers.headers import Col
from xlbilling.readers.reader import Context, Reader, ReaderOutput, SkippedRow

# FORMATS.md: the priced license CSV is Hornetsecurity's own report (its own vendor key;
# the Altaro itemised report stays "altaro").
VENDOR = "hornetsecurity"


class HornetsecurityLicensesReader(Reader):
    name = "hornetsecurity-licenses"
    vendor = VENDOR
    report_type = "priced-licenses"
    description = ("Hornetsecurity priced license CSV (Customer Reference Number, Product Code, Licenses Count,"
                   " Customer Total)")
    cols = (
        Col("Customer Reference Number", ("Customer Reference", "Customer Ref", "Customer Reference No",
                                          "Reference Number", "Customer Number", "Customer No")),
        Col("Customer Name", ("Customer", "Company"), required=False),
        Col("Product Code", ("ProductCode", "SKU")),
        Col("Currency", ("Currency Code",)),
        Col("Product", ("Product Name",)),
        Col("Licenses Count", ("License Count", "Licences Count", "Licence Count", "Licenses", "Licences")),
        Col("Customer Price Per License", ("Customer Price Per Licence", "Price Per License",
                                           "Price Per Licence"), required=False),
        Col("Customer Total", ("Total", "Customer Total Price")),
        Col("Date From", ("From", "Start Date")),
        Col("Date To", ("To", "End Date")),
    )
    numeric_cols = ("Licenses Count", "Customer Price Per License", "Customer Total")

    def read(self, ctx: Context) -> ReaderOutput:
        c = ctx.cells
        out = ReaderOutput([])
        days: list = []
        names = [col.name for col in self.cols]
        cols = {n: ctx.col(n) for n in names}
        for i, row in enumerate(ctx.row_numbers):
            account = cell_text(cols["Customer Reference Number"][i])
            if not account:
                c.bad(row, ctx.header_of("Customer Reference Number"), cols["Customer Reference Number"][i] or "",
                      "a customer reference number")
            code = cell_text(cols["Product Code"][i])
            product = cell_text(cols["Product"][i])
            # FORMATS.md: Product Code OTHER means the Product column names the item.
            item = product if code.casefold() == "other" else code
            if not item:
                c.bad(row, ctx.header_of("Product Code"), code, "a product code (or a Product when OTHER)")
            qty = c.number(cols["Licenses Count"][i], row, ctx.header_of("Licenses Count"), blank=None)
            total = c.number(cols["Customer Total"][i], row, ctx.header_of("Customer Total"), minimum=None)
            price = None
            if ctx.has("Customer Price Per License"):
                price = c.number(cols["Customer Price Per License"][i], row,
                                 ctx.header_of("Customer Price Per License"), minimum=None)
            date_from = c.date(cols["Date From"][i], row, ctx.header_of("Date From"))
            date_to = c.date(cols["Date To"][i], row, ctx.header_of("Date To"))
            days.extend((date_from, date_to))
            if date_from and date_to and date_to < date_from:
                c.bad(row, ctx.header_of("Date To"), cols["Date To"][i], f"a date on or after Date From {date_from}")
            try:
                currency = normalise_currency(cell_text(cols["Currency"][i]))
            except MoneyError:
                c.bad(row, ctx.header_of("Currency"), cols["Currency"][i], "an ISO currency code such as EUR")
                continue
            if not account or not item or qty is None or total is None:
                continue
            customer = cell_text(cols["Customer Name"][i]) or account
            if qty == 0 and total == 0:
                out.skipped.append(SkippedRow(ctx.source((row,)), account, customer, "zero licenses: not billed", {}))
                continue
            details = {"product": product, "product_code": code,
                       "price_per_license": "" if price is None else format(price, "f"),
                       "date_from": date_from.isoformat() if date_from else "",
                       "date_to": date_to.isoformat() if date_to else ""}
            out.records.append(UsageRecord(VENDOR, account, customer, item, qty, "license", ctx.source((row,)),
                                           vendor_amount=total, vendor_currency=currency, details=details))
        # FORMATS.md "Report periods": Date From / Date To state the period (high confidence).
        out.period = period_of_dates(days, f"columns {ctx.header_of('Date From')!r}/{ctx.header_of('Date To')!r}")
        return out
