"""Altaro / Hornetsecurity 365 Total Backup itemised billing report (seeds/003):
CSV (or the API link's JSON variant) -> billed users per customer.

Vectorised (pandas/pyarrow): a million rows are filtered and de-duplicated in
C; the rule `rules.altaro.billed_users` then runs on each customer's distinct
(type, name) pairs only, so the count and the same-name warnings are the rule's.
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np

from xlbilling.core.period import month_period, parse_month_cell
from xlbilling.core.records import UsageRecord
from xlbilling.core.rules import altaro as rules
from xlbilling.readers.base import Col, Context, Reader, ReaderOutput, SkippedRow, cell_text

VENDOR = "altaro"


def _text_series(ctx: Context, name: str):
    import pandas as pd

    s = ctx.series(name)
    if s.dtype == object:  # from a workbook/JSON: numbers, None...
        s = pd.Series([cell_text(v) for v in s.tolist()], dtype=str)
    return s.fillna("").astype(str)


def _month_column_period(ctx: Context, warnings: list[str]):
    """The months the `Month` column states (distinct values parsed once)."""
    values = [v for v in dict.fromkeys(_text_series(ctx, "Month").tolist()) if str(v).strip()]
    months, unread = [], []
    for v in values:
        m = parse_month_cell(v)
        (months.append(m) if m else unread.append(v))
    if unread:
        warnings.append(f"column {ctx.header_of('Month')!r}: {', '.join(repr(u) for u in unread[:5])}"
                        " not understood as a month (expected e.g. 2026-10 or October 2026)")
    return month_period(months, f"column {ctx.header_of('Month')!r}")


class AltaroItemisedReader(Reader):
    name = "altaro-itemised"
    vendor = VENDOR
    report_type = "itemised-billing"
    description = "Altaro/Hornetsecurity itemised billing report (Customer, Object Type Backed Up, Object Name)"
    cols = (
        Col("Customer", ("Customer Name", "Organization", "Organisation", "Organization Name", "Tenant",
                         "Tenant Name", "Company", "Company Name", "CustomerName", "Client", "Client Name"),
            contains="customer"),
        Col("Object Type Backed Up", ("ObjectTypeBackedUp", "Object Type")),
        Col("Object Name", ("ObjectName",)),
        # FORMATS.md "Report periods": a month column where the file has one.
        Col("Month", ("Billing Month", "Report Month", "Period", "Billing Period"), required=False),
    )

    def read(self, ctx: Context) -> ReaderOutput:
        import pandas as pd

        out = ReaderOutput([])
        rows = np.asarray(ctx.row_numbers, dtype=np.int64)
        # Factorise each column once: the per-value work (trim, casefold, the rule's
        # type test) then runs on the few distinct values, not on a million rows.
        cust_codes, cust_values = pd.factorize(_text_series(ctx, "Customer"))
        type_codes, type_values = pd.factorize(_text_series(ctx, "Object Type Backed Up"))
        name_codes, name_values = pd.factorize(_text_series(ctx, "Object Name"))
        customers = np.array([str(v).strip() for v in cust_values], dtype=object)
        # seeds/003: filter "Object Type Backed Up" on Mailbox, N/A, OneDrive, User Teams Chats.
        type_billed = np.array([rules.is_billed_type(v) for v in type_values], dtype=bool)
        name_blank = np.array([not str(v).strip() for v in name_values], dtype=bool)
        billed_type = type_billed[type_codes] if len(type_values) else np.zeros(len(rows), dtype=bool)
        named = ~name_blank[name_codes] if len(name_values) else np.zeros(len(rows), dtype=bool)
        use = billed_type & named
        blank_customer = np.array([not c for c in customers], dtype=bool)
        if len(customers):
            for r in rows[use & blank_customer[cust_codes]][:1000].tolist():
                ctx.cells.bad(int(r), ctx.header_of("Customer"), "", "the customer the object belongs to")
        if ctx.cells.problems:
            return out
        # One row per distinct (customer, type, name) of the billed rows, then the
        # rule itself per customer: its count and its merged spellings.
        triples = pd.DataFrame({"c": cust_codes[use], "t": type_codes[use], "n": name_codes[use]})
        distinct = triples.drop_duplicates()
        use_rows = rows[use]
        use_cust = cust_codes[use]
        order = np.argsort(use_cust, kind="stable")
        bounds = np.flatnonzero(np.diff(use_cust[order])) + 1
        rows_by_code = {int(use_cust[g[0]]): use_rows[g] for g in np.split(order, bounds) if len(g)}
        by_customer: dict[str, list] = {}
        for c_code, part in distinct.groupby("c", sort=False):
            name = customers[c_code]
            entry = by_customer.setdefault(name, [[], [], []])  # stripped names can merge two codes
            entry[0].extend(type_values[part["t"].to_numpy()].tolist())
            entry[1].extend(name_values[part["n"].to_numpy()].tolist())
            entry[2].append(rows_by_code[int(c_code)])
        for cust, (types, names, row_parts) in by_customer.items():
            users = rules.billed_users(types, names)
            for spellings in users.merged_spellings:
                out.problem(
                    "same_name_users",
                    f"customer {cust!r}: {' / '.join(repr(s) for s in spellings)} differ only by letter case or"
                    " spacing and count as ONE user; if they are different people, bill them separately"
                    " (seeds/003: the name is the unique object)", account=cust, customer=cust)
            if users.count == 0:
                continue
            src_rows = np.sort(np.concatenate(row_parts)).tolist()
            out.records.append(UsageRecord(VENDOR, cust, cust, "m365_users", Decimal(users.count), "user",
                                           ctx.source(src_rows), details={"working": users.result.working}))
        out.records.sort(key=lambda r: r.source.rows[0])  # customers in order of first appearance
        if ctx.has("Month"):
            out.period = _month_column_period(ctx, out.warnings)
        # The rest: rows of other object types (SharePoint sites, groups ...) and nameless rows.
        other = ~use
        if other.any():
            rest = pd.DataFrame({"c": cust_codes[other], "t": type_codes[other], "b": billed_type[other]})
            rest_rows = rows[other]
            for (c_code, t_code, was_billed_type), idx in rest.groupby(["c", "t", "b"], sort=False).indices.items():
                t = type_values[t_code] if t_code >= 0 else ""
                why = ("blank Object Name" if was_billed_type else
                       f"object type {t!r} is not billed (only Mailbox, N/A, OneDrive, User Teams Chats)")
                cust = customers[c_code] if c_code >= 0 else ""
                out.skipped.append(SkippedRow(ctx.source(rest_rows[idx].tolist()), cust, cust, why, {}))
        return out
