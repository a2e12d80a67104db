"""Acronis usage records exported by the distributor's storefront/BSS (seeds/004):
one worksheet of Meter Name ("name, SKU"), Quantity, Unit, Estimated Cost and
the reseller's end-customer.  Amounts are unrounded; zero quantities dropped."""
from __future__ import annotations

from decimal import Decimal

from xlbilling.core.money import normalise_currency
from xlbilling.core.records import UsageRecord
from xlbilling.errors import MoneyError
from xlbilling.readers.cells import cell_text
from xlbilling.readers.headers import Col
from xlbilling.readers.reader import Context, Reader, ReaderOutput, SkippedRow

VENDOR = "acronis"


class AcronisUsageRecordsReader(Reader):
    name = "acronis-usage-records"
    vendor = VENDOR
    report_type = "usage-records"
    description = "Acronis distributor usage-record export (Meter Name, Quantity, Unit, Estimated Cost, Customer)"
    cols = (
        Col("Meter Name", ("Meter", "MeterName", "Resource")),
        Col("Quantity", ("Qty",)),
        Col("Unit", ("Units", "Unit of Measure", "UoM"), required=False),
        Col("Estimated Cost", ("EstimatedCost", "Cost", "Estimated Amount")),
        Col("Customer", ("Customer Name", "End Customer", "End Customer Name", "End-customer",
                         "End-customer name", "Reseller End Customer", "Reseller's end-customer", "EndCustomer",
                         "Company", "Company Name"), contains="customer"),
        Col("Currency", ("Currency Code",), required=False),
    )
    numeric_cols = ("Quantity", "Estimated Cost")

    def read(self, ctx: Context) -> ReaderOutput:
        c = ctx.cells
        out = ReaderOutput([])
        groups: dict[tuple[str, str, str, str], list] = {}
        cols = {n: ctx.col(n) for n in ("Meter Name", "Quantity", "Unit", "Estimated Cost", "Customer", "Currency")}
        for i, row in enumerate(ctx.row_numbers):
            meter = cell_text(cols["Meter Name"][i])
            customer = cell_text(cols["Customer"][i])
            if not meter:
                c.bad(row, ctx.header_of("Meter Name"), cols["Meter Name"][i] or "", "a meter name")
            if not customer:
                c.bad(row, ctx.header_of("Customer"), cols["Customer"][i] or "", "the end-customer name")
            qty = c.number(cols["Quantity"][i], row, ctx.header_of("Quantity"), blank=None)
            cost = c.number(cols["Estimated Cost"][i], row, ctx.header_of("Estimated Cost"), minimum=None)
            currency = None
            if ctx.has("Currency") and cell_text(cols["Currency"][i]):
                try:
                    currency = normalise_currency(cell_text(cols["Currency"][i]))
                except MoneyError:
                    c.bad(row, ctx.header_of("Currency"), cols["Currency"][i], "an ISO currency code such as EUR")
                    continue
            if not meter or not customer or qty is None or cost is None:
                continue
            if qty == 0:
                # seeds/004: zero-quantity usage records are not shown and not billed.
                out.skipped.append(SkippedRow(ctx.source((row,)), customer, customer, "zero quantity: not billed",
                                              {meter: cost} if cost else {}))
                continue
            unit = cell_text(cols["Unit"][i]) or "unit"
            key = (customer, meter, unit, currency or "")
            g = groups.setdefault(key, [Decimal(0), Decimal(0), []])
            g[0] += qty
            g[1] += cost  # seeds/004: exported amounts are not rounded: keep them so
            g[2].append(row)
        if c.problems:
            return out
        for (customer, meter, unit, currency), (qty, cost, rows) in groups.items():
            name, _, sku = meter.partition(",")
            out.records.append(UsageRecord(VENDOR, customer, customer, meter, qty, unit, ctx.source(rows),
                                           vendor_amount=cost, vendor_currency=currency or None,
                                           details={"resource": name.strip(), "sku": sku.strip()}))
        return out
