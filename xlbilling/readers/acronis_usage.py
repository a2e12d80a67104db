"""Acronis Cyber Protect Cloud usage report `csv_v2_0` (FORMATS.md, seeds/004),
plain or .csv.gz: one record per tenant and offering item, rows summed across
infras, in GB (1024^3 bytes), points (seconds / 3600) or the item's own unit."""
from __future__ import annotations

import decimal
from decimal import Decimal

from xlbilling.core.records import UsageRecord
from xlbilling.core.rules import acronis as rules
from xlbilling.readers.base import Col, Context, Reader, ReaderOutput, SkippedRow, cell_text

VENDOR = "acronis"
DEFAULT_EDITION = "standard"  # FORMATS.md: `edition` is missing in older files
# FORMATS.md: a feature switch, not a seat count: never billed as a quantity.
FEATURE_SWITCHES = ("pw_base_m365_mailboxes",)
# Unit by the offering item's ending ("pw_base_workstations" -> workstation).
UNIT_SUFFIXES = (("workstations", "workstation"), ("servers", "server"), ("vms", "vm"), ("seats", "seat"),
                 ("mailboxes", "mailbox"), ("mobiles", "device"), ("devices", "device"), ("websites", "website"),
                 ("hosts", "host"), ("users", "user"), ("sites", "site"), ("nas", "device"))
# bytes / 1024^3 terminates within 30 decimals: compute it with room to stay exact.
EXACT_CONTEXT = decimal.Context(prec=80)


def item_kind(item: str) -> tuple[str, str]:
    """(measure, unit): compute points are `delta` seconds; everything else the
    `absolute` figure; storage is bytes shown as GB."""
    key = item.casefold()
    if "compute_point" in key:
        return "delta", "point"
    if "storage" in key or "physical_data" in key:
        return "absolute", "GB"
    for suffix, unit in UNIT_SUFFIXES:
        if key.endswith(suffix):
            return "absolute", unit
    return "absolute", "unit"


USAGE = ("usage.absolute.production", "usage.absolute.total", "usage.delta.production", "usage.delta.total")


class AcronisUsageReader(Reader):
    name = "acronis-usage-csv_v2_0"
    vendor = VENDOR
    report_type = "usage-csv_v2_0"
    description = "Acronis usage report csv_v2_0 (tenant.id, name, usage.absolute.*, usage.delta.*)"
    cols = (
        Col("application.id", required=False),
        Col("infra.backend_type", required=False),
        Col("infra.id", required=False),
        Col("infra.owner_id", required=False),
        Col("name", ("offering_item", "offering item", "item")),
        Col("tenant.id", ("tenant_id", "tenant uuid")),
        Col("tenant.kind", ("tenant_kind",)),
        Col("tenant.name", ("tenant_name", "tenant", "customer", "customer name"), required=False),
        Col("usage.absolute.production"),
        Col("usage.absolute.total"),
        Col("usage.absolute.trial", required=False),
        Col("usage.delta.production"),
        Col("usage.delta.total"),
        Col("usage.delta.trial", required=False),
        Col("usage.effective.production", required=False),
        Col("usage.effective.total", required=False),
        Col("usage.effective.trial", required=False),
        Col("edition", required=False),
    )
    numeric_cols = USAGE

    def read(self, ctx: Context) -> ReaderOutput:
        import numpy as np
        import pandas as pd

        c = ctx.cells
        out = ReaderOutput([])
        rows = np.asarray(ctx.row_numbers, dtype=np.int64)
        n = len(rows)
        # Factorise the text columns once; per-value work runs on the distinct values.
        tenant_codes, tenant_values = pd.factorize(_texts(ctx, "tenant.id"))
        item_codes, item_values = pd.factorize(_texts(ctx, "name"))
        kind_codes, kind_values = pd.factorize(_texts(ctx, "tenant.kind"))
        label_list = _texts(ctx, "tenant.name").tolist() if ctx.has("tenant.name") else None
        edition_codes, edition_values = (pd.factorize(_texts(ctx, "edition").replace("", DEFAULT_EDITION))
                                         if ctx.has("edition") else (None, [DEFAULT_EDITION]))
        edition_values = [str(e) for e in edition_values] or [DEFAULT_EDITION]
        kinds = [str(k).casefold() for k in kind_values]
        items = [str(i) for i in item_values]
        tenants = [str(t) for t in tenant_values]
        for code, values, col, what in ((tenant_codes, tenants, "tenant.id", "a tenant id"),
                                        (item_codes, items, "name", "an offering item name")):
            blank = np.array([not v for v in values], dtype=bool)
            if blank.any():
                for r in rows[blank[code]].tolist():
                    c.bad(r, ctx.header_of(col), "", what)
        # FORMATS.md: `total` for customer tenants, `production` for partners;
        # `delta` for compute points, `absolute` for everything else.
        column_of = {(i, k): USAGE.index(f"usage.{item_kind(items[i])[0]}.{rules.billed_usage_field(kinds[k])}")
                     for i in range(len(items)) for k in range(len(kinds))}
        headers = [ctx.header_of(u) for u in USAGE]
        switch_items = {i for i, name in enumerate(items) if name.casefold() in FEATURE_SWITCHES}
        # The usage column each row bills, chosen per distinct (item, kind) pair.
        lookup = np.zeros((max(len(items), 1), max(len(kinds), 1)), dtype=np.int8)
        for (i, k), col in column_of.items():
            lookup[i, k] = col
        chosen = lookup[item_codes, kind_codes] if n else np.zeros(0, dtype=np.int8)
        blank_id = np.array([not v for v in tenants], dtype=bool)[tenant_codes] | \
            np.array([not v for v in items], dtype=bool)[item_codes] if n else np.zeros(0, dtype=bool)
        switch_row = np.isin(item_codes, list(switch_items)) if switch_items else np.zeros(n, dtype=bool)
        keep = ~(blank_id | switch_row)
        # Exact sums per (tenant, item): whole numbers (nearly every cell) are summed
        # as Python ints from a vectorised int64 parse; any other cell goes through
        # the one cell parser (decimals, '1,234', bad values -> BadCellsError).
        values = np.zeros(n, dtype=object)
        for k, name in enumerate(USAGE):
            mask = keep & (chosen == k)
            if not mask.any():
                continue
            series = ctx.series(name)
            if series.dtype != object:
                text = series[mask].fillna("")
                digits = text.str.fullmatch(r"\d{1,15}").fillna(False).to_numpy(dtype=bool)
                idx = np.flatnonzero(mask)
                if digits.any():
                    values[idx[digits]] = text[digits].astype("int64").to_numpy().tolist()
                rest = idx[~digits]
            else:
                rest = np.flatnonzero(mask)
            col_values = series.to_numpy(dtype=object) if len(rest) else ()
            for i in rest.tolist():
                value = c.number(col_values[i], int(rows[i]), headers[k])
                if value is None:
                    keep[i] = False
                else:
                    values[i] = value
        if c.problems:
            return out
        kc = kind_codes.tolist()
        for g_rows, t, it in _groups(rows[switch_row], tenant_codes[switch_row], item_codes[switch_row]):
            tenant = tenants[t]
            out.skipped.append(SkippedRow(ctx.source(g_rows), tenant, tenant,
                                          f"{items[it]} is a feature switch, not a seat count: not billed", {}))
        groups = _groups(rows[keep], tenant_codes[keep], item_codes[keep], np.flatnonzero(keep))
        with decimal.localcontext(EXACT_CONTEXT):  # ints and Decimals summed exactly (no 28-digit rounding)
            raws = [Decimal(sum(values[idx].tolist())) for _, _, _, idx in groups]
        for (g_rows, t, it, idx), raw in zip(groups, raws):
            tenant, item = tenants[t], items[it]
            kind = kinds[kc[idx[0]]]
            column = USAGE[column_of[(it, kc[idx[0]])]]
            label = (label_list[idx[0]].strip() if label_list else "") or tenant
            measure, unit = item_kind(item)
            if unit == "point":
                quantity = rules.seconds_to_points(raw)       # FORMATS.md: seconds / 3600
            elif unit == "GB":
                with decimal.localcontext(EXACT_CONTEXT):
                    quantity = rules.bytes_to_gb(raw)         # seeds/004: GB = 1024^3 bytes
            else:
                quantity = raw
            if quantity == 0:
                # seeds/004: zero-quantity records are not shown and not billed.
                out.skipped.append(SkippedRow(ctx.source(g_rows), tenant, label, "zero quantity: not billed", {}))
                continue
            if len(edition_values) == 1:  # one edition in the whole file (the usual case)
                edition = edition_values[0]
            else:
                edition = ";".join(edition_values[e] for e in dict.fromkeys(edition_codes[idx].tolist()))
            details = {"tenant_kind": kind, "edition": edition, "usage_field": column,
                       "raw_quantity": format(raw, "f"),
                       "raw_unit": "bytes" if unit == "GB" else ("seconds" if unit == "point" else unit)}
            out.records.append(UsageRecord(VENDOR, tenant, label, item, quantity, unit, ctx.source(g_rows),
                                           details=details))
        if any(not k for k in kinds):
            out.problem("blank_tenant_kind", "some rows have a blank tenant.kind: billed on usage.*.total (customer tenant)")
        return out


def _texts(ctx: Context, name: str):
    """A text column as a pandas string Series, trimmed (workbook cells via cell_text)."""
    import pandas as pd

    s = ctx.series(name)
    if s.dtype == object:
        s = pd.Series([cell_text(v) for v in s.tolist()], dtype=str)
    return s.fillna("").astype(str).str.strip()


def _groups(rows, tenant_codes, item_codes, index=None):
    """(rows, tenant code, item code[, original indices]) per (tenant, item), in order of first row."""
    import numpy as np

    if not len(rows):
        return []
    key = tenant_codes.astype(np.int64) * (int(item_codes.max()) + 1) + item_codes
    order = np.argsort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    parts = np.split(order, bounds)
    parts.sort(key=lambda g: g[0])
    out = []
    for g in parts:
        item = (rows[g].tolist(), int(tenant_codes[g[0]]), int(item_codes[g[0]]))
        out.append(item + ((index[g],) if index is not None else ()))
    return out
