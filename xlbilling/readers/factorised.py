"""Column helpers for readers of million-row files (Acronis): a text column as
codes + its distinct values, rows grouped by code with exact sums, so per-value
work runs on a few thousand distinct values, not on every row.
"""
from __future__ import annotations

import decimal
from decimal import Decimal

from xlbilling.readers.cells import cell_text
from xlbilling.readers.reader import Context
from xlbilling.readers.row_numbers import RowNumbers

# Sums of ints and Decimals (and bytes / 1024^3, which terminates within 30
# decimals) computed with room to stay exact: no 28-digit rounding.
EXACT_CONTEXT = decimal.Context(prec=80)


def text_codes(ctx: Context, name: str, blank: str = ""):
    """(code per row, trimmed distinct values): a text column factorised, then
    its distinct values trimmed (workbook cells via cell_text) and merged where
    trimming makes two the same; `blank` stands for an empty value."""
    import numpy as np
    import pandas as pd

    s = ctx.series(name)
    if s.dtype == object:
        s = pd.Series([cell_text(v) for v in s.tolist()], dtype=str)
    codes, uniques = pd.factorize(s)
    trimmed = [("" if v is None or v != v else str(v)).strip() or blank for v in uniques.tolist()]
    merged, values = pd.factorize(pd.Series(trimmed, dtype=object))
    remap = np.append(merged, len(values)).astype(np.int32)
    values = list(values)
    if (codes < 0).any():  # a missing cell: the blank value
        values.append(blank)
    return remap[codes], values


def texts_at(ctx: Context, name: str, at: list[int]) -> list[str]:
    """A text column's cells at some rows, trimmed (workbook cells via cell_text)."""
    s = ctx.series(name)
    values = s.take(at).tolist() if len(at) else []
    return [cell_text(v) for v in values] if s.dtype == object else [str(v).strip() for v in values]


def group_rows(rows, index, tenant_codes, item_codes, whole=None, parsed=None) -> list[tuple]:
    """Per (tenant, item) among the rows at `index`, in order of first row:
    (source rows, first row's index[, exact sum of the usage values])."""
    import numpy as np
    import pandas as pd

    if not len(index):
        return []
    key = tenant_codes[index].astype(np.int64) * (int(item_codes.max()) + 1) + item_codes[index]
    group, _ = pd.factorize(key)                     # numbered in order of first row
    del key
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    at = index[order]
    del order
    row_list = RowNumbers(rows[at])                   # slices of one array: each record's Source rows
    firsts = at[starts].tolist()
    bounds = (starts + counts).tolist()
    if whole is None:
        return [(row_list[a:b], f) for a, b, f in zip(starts.tolist(), bounds, firsts)]
    values = whole[at]
    high = np.add.reduceat(values >> 32, starts).tolist()
    low = np.add.reduceat(values & 0xFFFFFFFF, starts).tolist()
    extra: dict[int, Decimal] = {}
    if parsed:
        group_of = np.empty(len(rows), dtype=np.int64)
        group_of[index] = group
        for i, number in parsed.items():
            g = int(group_of[i])
            extra[g] = extra.get(g, Decimal(0)) + number
    out = []
    with decimal.localcontext(EXACT_CONTEXT):  # ints and Decimals summed exactly (no 28-digit rounding)
        for g, (a, b, f, h, lo) in enumerate(zip(starts.tolist(), bounds, firsts, high, low)):
            raw = Decimal((h << 32) + lo)
            if g in extra:
                raw += extra[g]
            out.append((row_list[a:b], f, raw))
    return out


def rows_at(rows, g_rows):
    """Indices of the given row numbers (rows are ascending)."""
    import numpy as np

    return np.searchsorted(rows, np.asarray(g_rows, dtype=np.int64))
