"""Axcient x360Recover license-assignment table (seeds/002), kept by the partner
in the workbook: endpoint licenses counted for the month (not prorated) and one
storage_license record per assignment with its days assigned (prorated by
pricing)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xlbilling.core.period import Period
from xlbilling.core.records import UsageRecord
from xlbilling.core.rules import x360recover as rules
from xlbilling.errors import ReportError
from xlbilling.readers.cells import cell_text
from xlbilling.readers.headers import Col
from xlbilling.readers.reader import Context, Reader, ReaderOutput, SkippedRow

VENDOR = "x360recover"

_TYPES = {"endpointserver": "endpoint-server", "server": "endpoint-server", "serverendpoint": "endpoint-server",
          "endpointworkstation": "endpoint-workstation", "workstation": "endpoint-workstation",
          "workstationendpoint": "endpoint-workstation", "storage": "storage", "storagelicense": "storage"}


def _assignment_span(cols, start: dt.date, end: dt.date, ctx: Context):
    """FORMATS.md "Report periods": the license table's first/last day columns.
    A blank first day means before the month, a blank last day still assigned
    (so the span reaches the month); the span must overlap the billing month."""
    firsts, lasts = [], []
    for i, row in enumerate(ctx.row_numbers):
        first = ctx.cells.date(cols["first_day"][i], row, ctx.header_of("first_day"))
        last = ctx.cells.date(cols["last_day"][i], row, ctx.header_of("last_day"))
        firsts.append(first or start)
        lasts.append(last or max(end, first or end))
    if not firsts:
        return None
    return Period(min(firsts), max(lasts), "span",
                  f"columns {ctx.header_of('first_day')!r}/{ctx.header_of('last_day')!r}")


class X360LicensesReader(Reader):
    name = "x360recover-licenses"
    vendor = VENDOR
    report_type = "license-assignments"
    description = "x360Recover license-assignment table (location, license_type, first_day, last_day)"
    cols = (
        Col("location", ("Location", "Customer Location", "Site", "Location Name", "Client Location", "Customer",
                         "Customer Name")),
        Col("client_id", ("Client ID", "clientId"), required=False),
        Col("license_type", ("License Type", "licenseType", "License")),
        Col("size", ("Size", "Storage Size", "License Size"), required=False),
        Col("retention", ("Retention", "Retention Years", "Cloud Retention"), required=False),
        Col("first_day", ("First Day", "firstDay", "Assigned From", "Start Date", "From")),
        Col("last_day", ("Last Day", "lastDay", "Assigned To", "End Date", "To")),
        Col("quantity", ("Quantity", "Count", "Licenses", "Qty"), required=False),
    )
    numeric_cols = ("quantity",)

    def read(self, ctx: Context) -> ReaderOutput:
        month: dt.date | None = ctx.options.get("month")
        if month is None:
            raise ReportError(f"{ctx.file}: an x360Recover license-assignment table is billed for one month:"
                              " give the billing month with --month YYYY-MM (for example --month 2026-10)")
        start, end = rules.month_bounds(month)
        out = ReaderOutput([])
        cols = {n: ctx.col(n) for n in ("location", "client_id", "license_type", "size", "retention",
                                         "first_day", "last_day", "quantity")}
        endpoints, customers, storage = _assignments(ctx, cols)
        if ctx.cells.problems:
            return out
        out.period = _assignment_span(cols, start, end, ctx)
        label = f"{start:%Y-%m}"
        _endpoint_records(ctx, out, endpoints, customers, start, label)
        _storage_records(ctx, out, storage, start, label, days_in_month=(end - start).days + 1)
        return out


def _assignments(ctx: Context, cols):
    """The table's rows checked and sorted: ({(account, kind): [(first, last,
    quantity, row)]} for endpoint licenses, {account: location}, [storage
    assignment rows]); every bad cell collected."""
    c = ctx.cells
    endpoints: dict[tuple[str, str], list[tuple[dt.date | None, dt.date | None, int, int]]] = {}
    customers: dict[str, str] = {}
    storage: list[tuple] = []
    for i, row in enumerate(ctx.row_numbers):
        location = cell_text(cols["location"][i])
        if not location:
            c.bad(row, ctx.header_of("location"), cols["location"][i] or "", "a customer location")
        account = cell_text(cols["client_id"][i]) or location
        raw_type = cell_text(cols["license_type"][i])
        kind = _TYPES.get(raw_type.casefold().replace("-", "").replace(" ", "").replace("_", ""))
        if kind is None:
            c.bad(row, ctx.header_of("license_type"), raw_type,
                  "endpoint-server, endpoint-workstation or storage")
        first = c.date(cols["first_day"][i], row, ctx.header_of("first_day"))
        last = c.date(cols["last_day"][i], row, ctx.header_of("last_day"))
        if first and last and last < first:
            c.bad(row, ctx.header_of("last_day"), cols["last_day"][i], f"a date on or after first_day {first}")
            continue
        qty = Decimal(1)
        if ctx.has("quantity") and cell_text(cols["quantity"][i]):
            qty = c.number(cols["quantity"][i], row, ctx.header_of("quantity"), integer=True)
        if not location or kind is None or qty is None:
            continue
        customers.setdefault(account, location)
        if kind == "storage":
            storage.append((row, account, location, first, last, cell_text(cols["size"][i]),
                            cell_text(cols["retention"][i])))
        else:
            endpoints.setdefault((account, kind), []).append((first, last, int(qty), row))
    return endpoints, customers, storage


def _endpoint_records(ctx: Context, out: ReaderOutput, endpoints, customers: dict[str, str], start: dt.date,
                      label: str) -> None:
    for (account, kind), assignments in endpoints.items():
        # seeds/002: endpoint licenses are NOT prorated; Decision (BILLING_RULES.md 2):
        # count the assignments whose interval overlaps the month.
        overlapping = [a for a in assignments if rules.days_assigned(a[0], a[1], start) > 0]
        for a in assignments:
            if a not in overlapping:
                out.skipped.append(SkippedRow(ctx.source((a[3],)), account, customers[account],
                                              f"license not assigned in {label}", {}))
        expanded = [(a[0], a[1]) for a in assignments for _ in range(a[2])]
        count = rules.monthly_license_count(expanded, start)
        if count.value == 0:
            continue
        item = "endpoint_server" if kind == "endpoint-server" else "endpoint_workstation"
        out.records.append(UsageRecord(VENDOR, account, customers[account], item, count.value, "license",
                                       ctx.source(sorted(a[3] for a in overlapping)),
                                       details={"month": label, "working": count.working}))


def _storage_records(ctx: Context, out: ReaderOutput, storage: list[tuple], start: dt.date, label: str, *,
                     days_in_month: int) -> None:
    for row, account, location, first, last, size, retention in storage:
        # seeds/002: storage licenses are prorated by days assigned (pricing applies
        # rules.x360recover.prorated_storage with these details).
        days = rules.days_assigned(first, last, start)
        if days == 0:
            out.skipped.append(SkippedRow(ctx.source((row,)), account, location,
                                          f"storage license not assigned in {label}", {}))
            continue
        out.records.append(UsageRecord(
            VENDOR, account, location, "storage_license", Decimal(days), "day", ctx.source((row,)),
            details={"first_day": first.isoformat() if first else "", "last_day": last.isoformat() if last else "",
                     "days_in_month": str(days_in_month), "size": size, "retention": retention,
                     "month": label}))
