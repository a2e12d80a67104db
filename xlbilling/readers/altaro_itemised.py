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
from xlbilling.readers.row_numbers import RowNumbers

VENDOR = "altaro"


def _factorised_series(s):
    """(int32 code per row, distinct cell texts in order of first row) of a text column.

    pyarrow strings (CSV) are dictionary-encoded by pyarrow itself (what
    pd.factorize does for them, without its int64 copy of the codes)."""
    import pandas as pd

    if isinstance(s.dtype, pd.CategoricalDtype):  # coded while parsing: categories in order of first row
        return s.cat.codes.to_numpy().astype(np.int32), [str(v) for v in s.cat.categories.tolist()]
    if s.dtype != object and hasattr(s.array, "__arrow_array__"):
        encoded = s.array.__arrow_array__().dictionary_encode().combine_chunks()  # pyarrow CSV strings: never null
        return np.asarray(encoded.indices, dtype=np.int32), encoded.dictionary.to_pylist()
    if s.dtype == object:  # from a workbook/JSON: numbers, None...
        s = pd.Series([cell_text(v) for v in s.tolist()], dtype=object)
    codes, values = pd.factorize(s if s.dtype != object else s.fillna(""))
    return codes.astype(np.int32), [str(v) for v in values.tolist()]


def _factorised_all(ctx: Context, names: tuple[str, ...]) -> list:
    """_factorised_series of each column, the columns on threads of their own: pyarrow's
    dictionary encoding releases the GIL, so on two cores the columns of a million
    rows take about the time of the longest instead of their sum (one after the
    other: ~47 ms for Customer, Object Type and Object Name here)."""
    from concurrent.futures import ThreadPoolExecutor

    series = [ctx.series(n) for n in names]  # (the frame is read here, on this thread)
    if len(series[0]) < 100_000:
        return [_factorised_series(s) for s in series]
    with ThreadPoolExecutor(max_workers=len(series), thread_name_prefix="factorise") as pool:
        return list(pool.map(_factorised_series, series))


def _merged(values: list[str]):
    """(code per value, distinct values): equal values after normalising share a code."""
    import pandas as pd

    codes, distinct = pd.factorize(pd.Series(values, dtype=object))
    return codes.astype(np.int32), [str(v) for v in distinct.tolist()]


def _row_numbers(ctx: Context):
    """(row numbers at positions, number of rows): when no record was dropped the
    rows are a range, and a position's row is first + position (no million-int
    array to build and index)."""
    numbers = ctx.row_numbers
    if isinstance(numbers, range) and numbers.step == 1:
        first = numbers.start
        return (lambda at: at + first), len(numbers)
    rows = row_array(ctx)
    return rows.__getitem__, len(rows)


def _blocks(keys):
    """Rows grouped by key, groups in order of their first row: (order, starts, ends)
    with order[starts[g]:ends[g]] the positions of group g, ascending.

    A stable sort keeps positions ascending within a key (on 16-bit keys numpy's
    stable sort is a radix sort); each block's first position is then its first
    row, so sorting the blocks by it gives first-appearance order."""
    if len(keys) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    top = int(keys.max())
    keys = keys.astype(np.int16 if top < 2 ** 15 else np.int32 if top < 2 ** 31 else np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    by_first = np.argsort(order[starts], kind="stable")
    return order, starts[by_first], ends[by_first]


def _billed_users(rows, cust, names, key_of_name, customers, keys, name_values):
    """seeds/003, per customer in order of first billed row: (customer, distinct
    name keys, merged spellings sorted by key, sorted source rows) - what
    rules.billed_users gives for that customer's billed rows, counted on
    distinct (customer, name) codes instead of row by row."""
    n_names = max(len(name_values), 1)
    pairs = _distinct(cust.astype(np.int64) * n_names + names, len(customers) * n_names)  # (customer, spelling)
    pair_cust, pair_name = pairs // n_names, pairs % n_names
    pair_key = key_of_name[pair_name].astype(np.int64)
    n_keys = max(len(keys), 1)
    pair_user = pair_cust * n_keys + pair_key                          # (customer, name key) of each pair
    user, user_of_pair, spellings = np.unique(pair_user, return_inverse=True, return_counts=True)
    counts = np.bincount(user // n_keys, minlength=len(customers))
    # users written in several spellings: customer -> name key -> its spellings (distinct codes:
    # distinct texts); only those pairs are visited in Python
    merged: dict[int, dict[str, list[str]]] = {}
    several = np.flatnonzero(spellings[user_of_pair] > 1)
    for c, k, nm in zip(pair_cust[several].tolist(), pair_key[several].tolist(), pair_name[several].tolist()):
        merged.setdefault(c, {}).setdefault(keys[k], []).append(name_values[nm])
    order, starts, ends = _blocks(cust)
    # every billed row, by customer, in one array; a slice of it is each record's source
    # rows (RowNumbers: no million ints built)
    by_customer = RowNumbers(rows[order])
    ascending = bool(len(rows) < 2 or (rows[1:] > rows[:-1]).all())  # then each block is already sorted
    out = []
    for first, a, b in zip(order[starts].tolist(), starts.tolist(), ends.tolist()):
        c = int(cust[first])
        groups = merged.get(c)
        spelled = tuple(tuple(sorted(groups[k])) for k in sorted(groups)) if groups else ()
        block = by_customer[a:b]
        out.append((customers[c], int(counts[c]), spelled, block if ascending else RowNumbers(np.sort(block.array))))
    return out


def _distinct(keys, space: int):
    """The distinct values of int keys in [0, space), in any order: a byte per possible
    key (one scatter, one scan) while the space is small, else hashed (pandas)."""
    if space <= 64 << 20:
        seen = np.zeros(space, dtype=bool)
        seen[keys] = True
        return np.flatnonzero(seen)
    import pandas as pd

    return pd.unique(keys)


def _other_groups(use, cust_raw, type_codes, n_types: int, rows_at):
    """The rows not billed, grouped by (customer cell, object type) in order of first
    row: (group of each, order, starts, ends, their row numbers in that order), or None."""
    other = np.flatnonzero(~use)
    if not len(other):
        return None
    group = cust_raw[other].astype(np.int64) * n_types + type_codes[other]
    order, starts, ends = _blocks(group)
    return group, order, starts, ends, RowNumbers(rows_at(other[order]))


def _beside(big: bool, fn, *args):
    """fn(*args) on a thread of its own when the work is big (numpy releases the GIL
    while it sorts and gathers), else at once; .result() gives its value (or raises)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    if big:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="altaro-skipped")
        running = pool.submit(fn, *args)
        pool.shutdown(wait=False)  # its thread ends when fn returns
        return running
    done: Future = Future()
    try:
        done.set_result(fn(*args))
    except BaseException as err:
        done.set_exception(err)
    return done


def _month_column_period(ctx: Context, distinct: list[str], warnings: list[str]):
    """The months the `Month` column states, from its distinct values (in order of first row)."""
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
    # A few hundred customers, a handful of object types, one month: coded while parsing.
    coded_cols = ("Customer", "Object Type Backed Up", "Month")

    def read(self, ctx: Context) -> ReaderOutput:
        out = ReaderOutput([])
        rows_at, n_rows = _row_numbers(ctx)
        # Factorise each column once: the per-value work (trim, casefold, the rule's
        # type test and name key) then runs on the distinct values, not on a million rows.
        columns = ("Customer", "Object Type Backed Up", "Object Name") + (("Month",) if ctx.has("Month") else ())
        (cust_raw, cust_values), (type_codes, type_values), (name_codes, name_values), *month = _factorised_all(
            ctx, columns)
        stripped = [str(v).strip() for v in cust_values]
        cust_merge, customers = _merged(stripped)          # " A" and "A" are one customer
        # seeds/003: filter "Object Type Backed Up" on Mailbox, N/A, OneDrive, User Teams Chats.
        type_billed = np.array([rules.is_billed_type(v) for v in type_values], dtype=bool)
        # BILLING_RULES.md 5: the rule's name key (trimmed, spaces folded, casefolded).
        key_codes, keys = _merged(list(map(rules.name_key, name_values)))
        none = np.zeros(n_rows, dtype=bool)
        billed_type = type_billed[type_codes] if len(type_values) else none
        # per spelling: its key is not blank (one lookup per row instead of two)
        named_spelling = np.array([bool(k) for k in keys], dtype=bool)[key_codes] if len(name_values) else None
        use = billed_type & named_spelling[name_codes] if named_spelling is not None else none
        used = np.flatnonzero(use)
        if len(stripped):
            blank_customer = np.array([not c for c in stripped], dtype=bool)
            for r in rows_at(used[blank_customer[cust_raw[used]]][:1000]).tolist():
                ctx.cells.bad(int(r), ctx.header_of("Customer"), "", "the customer the object belongs to")
        if ctx.cells.problems:
            return out
        # The rows not billed are grouped (numpy: the GIL released) while the billed users are counted.
        others = _beside(n_rows >= 100_000, _other_groups, use, cust_raw, type_codes, max(len(type_values), 1),
                         rows_at)
        for cust, count, merged, src_rows in _billed_users(rows_at(used), cust_merge[cust_raw[used]], name_codes[used],
                                                           key_codes, customers, keys, name_values):
            for spellings in merged:
                out.problem(
                    "same_name_users",
                    f"customer {cust!r}: {' / '.join(map(repr, spellings))} differ only by letter case or"
                    " spacing and count as ONE user; if they are different people, bill them separately"
                    " (Altaro: each user is counted once by name)", account=cust, customer=cust)
            # the rule's own summary of its count and merged spellings (rules.BilledUsers)
            working = rules.BilledUsers(count, (), merged).result.working
            out.records.append(UsageRecord(VENDOR, cust, cust, "m365_users", Decimal(count), "user",
                                           ctx.source(src_rows), details={"working": working}))
        out.records.sort(key=lambda r: r.source.rows[0])  # customers in order of first appearance
        if ctx.has("Month"):
            out.period = _month_column_period(ctx, month[0][1], out.warnings)
        # The rest: rows of other object types (SharePoint sites, groups ...) and nameless rows,
        # listed per customer cell as written and object type, in order of first row.
        grouped = others.result()
        if grouped is not None:
            group, order, starts, ends, other_rows = grouped
            n_types = max(len(type_values), 1)
            for first, a, b in zip(order[starts].tolist(), starts.tolist(), ends.tolist()):
                c_code, t_code = divmod(int(group[first]), n_types)
                why = ("blank Object Name" if type_billed[t_code] else
                       f"object type {type_values[t_code]!r} is not billed (only Mailbox, N/A, OneDrive,"
                       " User Teams Chats)")
                cust = stripped[c_code]
                out.skipped.append(SkippedRow(ctx.source(other_rows[a:b]), cust, cust, why, {}))
        return out
