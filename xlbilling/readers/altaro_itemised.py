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
from xlbilling.readers.cells import cell_text
from xlbilling.readers.headers import Col
from xlbilling.readers.reader import Context, Reader, ReaderOutput, SkippedRow, row_array

VENDOR = "altaro"


def _text_series(ctx: Context, name: str):
    import pandas as pd

    s = ctx.series(name)
    if s.dtype == object:  # from a workbook/JSON: numbers, None...
        s = pd.Series([cell_text(v) for v in s.tolist()], dtype=str)
    return s.fillna("").astype(str)


def _factorised(ctx: Context, name: str):
    """(code per row, distinct cell texts) of a text column."""
    import pandas as pd

    s = ctx.series(name)
    if s.dtype == object:  # from a workbook/JSON: numbers, None...
        s = pd.Series([cell_text(v) for v in s.tolist()], dtype=object)
    codes, values = pd.factorize(s if s.dtype != object else s.fillna(""))  # pyarrow CSV strings: never null
    return codes, [str(v) for v in values.tolist()]


def _merged(values: list[str]):
    """(code per value, distinct values): equal values after normalising share a code."""
    import pandas as pd

    codes, distinct = pd.factorize(pd.Series(values, dtype=object))
    return codes.astype(np.int64), [str(v) for v in distinct.tolist()]


def _billed_users(rows, cust, names, key_of_name, customers, keys, name_values):
    """seeds/003, per customer in order of first billed row: (customer, distinct
    name keys, merged spellings sorted by key, sorted source rows) - what
    rules.billed_users gives for that customer's billed rows, counted on
    distinct (customer, name) codes instead of row by row."""
    import pandas as pd

    n_names = max(len(name_values), 1)
    pairs = pd.unique(cust.astype(np.int64) * n_names + names)        # distinct (customer, spelling)
    pair_cust, pair_name = pairs // n_names, pairs % n_names
    pair_key = key_of_name[pair_name]
    n_keys = max(len(keys), 1)
    user, spellings = np.unique(pair_cust * n_keys + pair_key, return_counts=True)
    counts = np.bincount(user // n_keys, minlength=len(customers))
    several = set((user[spellings > 1]).tolist())
    # a stable sort on 16-bit codes is a radix sort: rows stay ascending within a customer
    cust = cust.astype(np.int16) if len(customers) < 2 ** 15 else cust
    merged: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    if several:
        for c, k, nm in zip(pair_cust.tolist(), pair_key.tolist(), pair_name.tolist()):
            if c * n_keys + k in several:
                merged.setdefault(c, []).append((keys[k], name_values[nm]))
    order = np.argsort(cust, kind="stable")
    sorted_cust = cust[order]
    starts = np.flatnonzero(np.r_[True, sorted_cust[1:] != sorted_cust[:-1]]) if len(cust) else np.zeros(0, int)
    ends = np.r_[starts[1:], len(cust)].astype(np.int64)
    by_first = sorted(zip(order[starts].tolist(), starts.tolist(), ends.tolist()))
    ascending = bool(len(rows) < 2 or (rows[1:] > rows[:-1]).all())  # then each block is already sorted
    out = []
    for first, a, b in by_first:
        c = int(cust[first])
        groups: dict[str, set[str]] = {}
        for key, spelling in merged.get(c, ()):
            groups.setdefault(key, set()).add(spelling)
        spelled = tuple(tuple(sorted(groups[k])) for k in sorted(groups))
        block = rows[order[a:b]]
        out.append((customers[c], int(counts[c]), spelled, (block if ascending else np.sort(block)).tolist()))
    return out


def _month_column_period(ctx: Context, warnings: list[str]):
    """The months the `Month` column states (distinct values parsed once)."""
    s = ctx.series("Month")
    if s.dtype != object:  # pyarrow strings: their distinct values, in order of first row
        import pyarrow.compute as pc

        distinct = [str(v) for v in pc.unique(s.array.__arrow_array__()).to_pylist()]
    else:
        distinct = _factorised(ctx, "Month")[1]
    values = [v for v in distinct if str(v).strip()]
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
        rows = row_array(ctx)
        # Factorise each column once: the per-value work (trim, casefold, the rule's
        # type test and name key) then runs on the distinct values, not on a million rows.
        cust_raw, cust_values = _factorised(ctx, "Customer")
        type_codes, type_values = _factorised(ctx, "Object Type Backed Up")
        name_codes, name_values = _factorised(ctx, "Object Name")
        stripped = [str(v).strip() for v in cust_values]
        cust_codes, customers = _merged(stripped)          # " A" and "A" are one customer
        cust_codes = cust_codes[cust_raw] if len(cust_raw) else cust_raw
        # seeds/003: filter "Object Type Backed Up" on Mailbox, N/A, OneDrive, User Teams Chats.
        type_billed = np.array([rules.is_billed_type(v) for v in type_values], dtype=bool)
        # BILLING_RULES.md 5: the rule's name key (trimmed, spaces folded, casefolded).
        key_codes, keys = _merged([rules.name_key(v) for v in name_values])
        billed_type = type_billed[type_codes] if len(type_values) else np.zeros(len(rows), dtype=bool)
        named = np.array([bool(k) for k in keys], dtype=bool)[key_codes[name_codes]] if len(name_values) \
            else np.zeros(len(rows), dtype=bool)
        use = billed_type & named
        blank_customer = np.array([not c for c in customers], dtype=bool)
        if len(customers):
            for r in rows[use & blank_customer[cust_codes]][:1000].tolist():
                ctx.cells.bad(int(r), ctx.header_of("Customer"), "", "the customer the object belongs to")
        if ctx.cells.problems:
            return out
        for cust, count, merged, src_rows in _billed_users(rows[use], cust_codes[use], name_codes[use], key_codes,
                                                           customers, keys, name_values):
            for spellings in merged:
                out.problem(
                    "same_name_users",
                    f"customer {cust!r}: {' / '.join(repr(s) for s in spellings)} differ only by letter case or"
                    " spacing and count as ONE user; if they are different people, bill them separately"
                    " (Altaro: each user is counted once by name)", account=cust, customer=cust)
            # the rule's own summary of its count and merged spellings (rules.BilledUsers)
            working = rules.BilledUsers(count, (), merged).result.working
            out.records.append(UsageRecord(VENDOR, cust, cust, "m365_users", Decimal(count), "user",
                                           ctx.source(src_rows), details={"working": working}))
        cust_codes = cust_raw  # skipped rows below are listed per customer cell as written
        customers = np.array(stripped, dtype=object)
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
