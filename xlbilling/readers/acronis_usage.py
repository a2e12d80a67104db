"""Acronis Cyber Protect Cloud usage report `csv_v2_0` (FORMATS.md, seeds/004),
plain or .csv.gz: one record per tenant and offering item (storage: per item and
backend, as Acronis' WHMCS module keys it), rows summed across infras, in GB
(1024^3 bytes), points (seconds / 3600, 2 decimals) or the item's own unit."""
from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlbilling.core.records import UsageRecord
from xlbilling.core.rules import acronis as rules
from xlbilling.readers.factorised import EXACT_CONTEXT, group_rows, rows_at, text_codes, texts_at
from xlbilling.readers.headers import Col
from xlbilling.readers.reader import Context, Reader, ReaderOutput, SkippedRow, row_array
from xlbilling.readers.tables.delimited import release_arrow_memory

VENDOR = "acronis"
DEFAULT_EDITION = "standard"  # FORMATS.md: `edition` is missing in older files
# FORMATS.md: a feature switch, not a seat count: never billed as a quantity.
FEATURE_SWITCHES = ("pw_base_m365_mailboxes",)
# Unit by the offering item's ending ("pw_base_workstations" -> workstation).
UNIT_SUFFIXES = (("workstations", "workstation"), ("servers", "server"), ("vms", "vm"), ("seats", "seat"),
                 ("mailboxes", "mailbox"), ("mobiles", "device"), ("devices", "device"), ("websites", "website"),
                 ("hosts", "host"), ("users", "user"), ("sites", "site"), ("nas", "device"))


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


INFRA = ("infra.backend_type", "infra.id", "infra.owner_id")
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
    # 12 of a csv_v2_0 file's 18 columns are all read() needs (infra.* for backends and owners): a million-row file
    # loads those only (the import sheet loads the rest when it is written).
    read_cols = ("name", "tenant.id", "tenant.kind", "tenant.name", "edition") + INFRA + USAGE

    def read(self, ctx: Context) -> ReaderOutput:
        out = ReaderOutput([])
        rows = row_array(ctx)
        codes = _factorise(ctx, len(rows))
        _refuse_blank_ids(ctx, rows, codes)
        usage = _billed_usage(ctx, rows, codes)
        ctx.drop(*USAGE)
        release_arrow_memory()  # the usage columns' buffers: before the records are built
        if ctx.cells.problems:
            return out
        _skip_feature_switches(ctx, out, rows, codes, usage)
        _add_records(ctx, out, rows, codes, usage)
        _report_problems(out, codes.kinds)
        return out


@dataclass(slots=True)
class _Codes:
    """The text columns factorised once (trimmed afterwards, on the distinct
    values): per-value work runs on a few thousand values, not on a million rows."""

    tenant_codes: Any
    tenants: list[str]
    item_codes: Any
    items: list[str]
    kind_codes: Any
    kinds: list[str]          # casefolded
    edition_codes: Any        # None when the whole file has one edition
    edition_values: list[str]
    infra: "_Infra"


@dataclass(slots=True)
class _Usage:
    """Which usage column each row bills and its values, exactly."""

    column_of: dict[tuple[int, int], int]   # (item code, kind code) -> index in USAGE
    switch_row: Any                         # rows of a feature switch (not billed)
    keep: Any                               # rows billed
    whole: Any                              # billed value per row (int64; see _usage_values)
    parsed: dict[int, Decimal]
    customer_keep: Any                      # billed rows of customer tenants (billing `total`)
    prod_whole: Any                         # their production value
    prod_parsed: dict[int, Decimal]


def _factorise(ctx: Context, n: int) -> _Codes:
    tenant_codes, tenants = text_codes(ctx, "tenant.id")
    item_codes, items = text_codes(ctx, "name")
    kind_codes, kinds = text_codes(ctx, "tenant.kind")
    edition_codes, edition_values = (_editions(ctx) if ctx.has("edition") else (None, [DEFAULT_EDITION]))
    infra = _Infra(ctx, n, tenants)
    ctx.drop("tenant.id", "name", "tenant.kind", "edition", *INFRA)  # codes from here on
    return _Codes(tenant_codes, tenants, item_codes, items, kind_codes, [k.casefold() for k in kinds],
                  edition_codes, edition_values or [DEFAULT_EDITION], infra)


def _refuse_blank_ids(ctx: Context, rows, codes: _Codes) -> None:
    """A blank tenant id or offering item name is a bad cell, named by row."""
    import numpy as np

    for code, values, col, what in ((codes.tenant_codes, codes.tenants, "tenant.id", "a tenant id"),
                                    (codes.item_codes, codes.items, "name", "an offering item name")):
        blank = np.array([not v for v in values], dtype=bool)
        if blank.any():
            for r in rows[blank[code]].tolist():
                ctx.cells.bad(r, ctx.header_of(col), "", what)


def _billed_usage(ctx: Context, rows, codes: _Codes) -> _Usage:
    """FORMATS.md: `total` for customer tenants, `production` for partners;
    `delta` for compute points, `absolute` for everything else - the column
    chosen per distinct (item, kind) pair, then each billed row's value."""
    import numpy as np

    n, items, kinds = len(rows), codes.items, codes.kinds
    item_codes, kind_codes = codes.item_codes, codes.kind_codes
    column_of = {(i, k): USAGE.index(f"usage.{item_kind(items[i])[0]}.{rules.billed_usage_field(kinds[k])}")
                 for i in range(len(items)) for k in range(len(kinds))}
    switch_items = [i for i, name in enumerate(items) if name.casefold() in FEATURE_SWITCHES]
    # The usage column each row bills, chosen per distinct (item, kind) pair.
    lookup = np.zeros((max(len(items), 1), max(len(kinds), 1)), dtype=np.int8)
    for (i, k), col in column_of.items():
        lookup[i, k] = col
    chosen = lookup[item_codes, kind_codes] if n else np.zeros(0, dtype=np.int8)
    blank_id = np.array([not v for v in codes.tenants], dtype=bool)[codes.tenant_codes] | \
        np.array([not v for v in items], dtype=bool)[item_codes] if n else np.zeros(0, dtype=bool)
    switch_row = np.isin(item_codes, switch_items) if switch_items else np.zeros(n, dtype=bool)
    keep = ~(blank_id | switch_row)
    whole, parsed = _usage_values(ctx, keep, chosen, rows)
    # Customer tenants bill `total` (production + trial); their production figure is
    # kept beside it for the price book's "Acronis bill customer trial usage" setting.
    customer_kinds = np.array([rules.billed_usage_field(k) == "total" for k in kinds] or [False], dtype=bool)
    customer_keep = keep & customer_kinds[kind_codes] if n else keep
    prod_col = np.array([[USAGE.index(f"usage.{item_kind(i)[0]}.production")] for i in items] or [[0]],
                        dtype=np.int8)[item_codes, 0] if n else chosen
    prod_whole, prod_parsed = _usage_values(ctx, customer_keep, prod_col, rows)
    return _Usage(column_of, switch_row, keep, whole, parsed, customer_keep, prod_whole, prod_parsed)


def _skip_feature_switches(ctx: Context, out: ReaderOutput, rows, codes: _Codes, usage: _Usage) -> None:
    import numpy as np

    for g_rows, first in group_rows(rows, np.flatnonzero(usage.switch_row), codes.tenant_codes, codes.item_codes):
        tenant = codes.tenants[codes.tenant_codes[first]]
        out.skipped.append(SkippedRow(ctx.source(g_rows), tenant, tenant,
                                      f"{codes.items[codes.item_codes[first]]} is a feature switch, not a seat count:"
                                      " not billed", {}))


def _add_records(ctx: Context, out: ReaderOutput, rows, codes: _Codes, usage: _Usage) -> None:
    """One record per tenant and metric (item, or item:backend for storage), its
    rows summed exactly; zero quantities skipped (seeds/004)."""
    import numpy as np

    tenant_codes, tenants, item_codes, items = codes.tenant_codes, codes.tenants, codes.item_codes, codes.items
    kept = np.flatnonzero(usage.keep)
    metric_codes, metrics = codes.infra.metrics(item_codes, items)
    if codes.infra.has_ids:
        _warn_repeats(ctx, out, rows, kept, tenant_codes, item_codes, codes.infra, tenants, items)
    groups = group_rows(rows, kept, tenant_codes, metric_codes, usage.whole, usage.parsed)
    # The customer label is the first row's tenant.name: read at those rows only.
    labels = texts_at(ctx, "tenant.name", [g[1] for g in groups]) if ctx.has("tenant.name") else None
    ctx.drop("tenant.name")
    trial = _trial(rows, kept, usage.customer_keep, tenant_codes, metric_codes, usage.whole, usage.parsed,
                   usage.prod_whole, usage.prod_parsed)
    infra_details = codes.infra.group_details(kept, tenant_codes, metric_codes, metrics)
    for n_group, ((g_rows, first, raw), extra) in enumerate(zip(groups, infra_details)):
        prod = raw - trial.get((int(tenant_codes[first]), int(metric_codes[first])), 0)
        tenant, item, k = tenants[tenant_codes[first]], items[item_codes[first]], int(codes.kind_codes[first])
        label = (labels[n_group] if labels is not None else "") or tenant
        measure, unit = item_kind(item)
        quantity = _convert(raw, unit)
        if quantity == 0:
            # seeds/004: zero-quantity records are not shown and not billed.
            out.skipped.append(SkippedRow(ctx.source(g_rows), tenant, label, "zero quantity: not billed", {}))
            continue
        column = USAGE[usage.column_of[(int(item_codes[first]), k)]]
        details = {"tenant_kind": codes.kinds[k], "edition": _edition(codes, rows, g_rows), "usage_field": column,
                   "raw_quantity": format(raw, "f"),
                   "raw_unit": "bytes" if unit == "GB" else ("seconds" if unit == "point" else unit),
                   "offering_item": item, **extra}
        if column.endswith(".total"):   # without trial usage
            details["production_quantity"] = format(quantity if prod == raw else _convert(prod, unit), "f")
        out.records.append(UsageRecord(VENDOR, tenant, label, metrics[metric_codes[first]], quantity, unit,
                                       ctx.source(g_rows), details=details))


def _edition(codes: _Codes, rows, g_rows) -> str:
    """A record's edition: the file's one edition (the usual case), else its rows' editions joined."""
    if len(codes.edition_values) == 1:
        return codes.edition_values[0]
    mine = codes.edition_codes[rows_at(rows, g_rows)]
    return ";".join(codes.edition_values[e] for e in dict.fromkeys(mine.tolist()))


def _report_problems(out: ReaderOutput, kinds: list[str]) -> None:
    partner = sum(1 for r in out.records if r.details.get("partner_storage") == "1")
    if partner:
        out.problem("partner_storage", f"{partner} storage record(s) on partner-owned infrastructure became "
                    f"*_child_storages items (partner storage, as Acronis' own billing integration does): "
                    f"kept for the partner's own review, not customer storage")
    if any(not k for k in kinds):
        blank = ", ".join(dict.fromkeys(r.account for r in out.records if not r.details.get("tenant_kind")))
        out.problem("blank_tenant_kind", "some rows have a blank tenant.kind: billed on usage.*.total (customer tenant)",
                    account=blank)


def _trial(rows, kept, customer_keep, tenant_codes, metric_codes, whole, parsed, prod_whole, prod_parsed) -> dict:
    """{(tenant code, metric code): trial usage summed} for customer records that
    have any (total - production), from the few rows where the two differ."""
    import numpy as np

    diff = whole - prod_whole
    odd = {i for i in set(parsed) | set(prod_parsed) if customer_keep[i]}
    diff_parsed = {i: Decimal(parsed.get(i, int(whole[i]))) - Decimal(prod_parsed.get(i, int(prod_whole[i])))
                   for i in odd}
    mask = np.zeros(len(rows), dtype=bool)
    mask[kept] = True
    mask &= customer_keep & (diff != 0)
    if odd:
        mask[list(odd)] = True
    at = np.flatnonzero(mask)
    if not len(at):
        return {}
    whole_diff = np.where(mask, diff, 0)
    for i in odd:
        whole_diff[i] = 0
    return {(int(tenant_codes[first]), int(metric_codes[first])): t
            for _, first, t in group_rows(rows, at, tenant_codes, metric_codes, whole_diff, diff_parsed)}


def _convert(raw: Decimal, unit: str) -> Decimal:
    if unit == "point":
        return rules.seconds_to_points(raw)       # Acronis: seconds / 3600, rounded to 2 decimals
    if unit == "GB":
        with decimal.localcontext(EXACT_CONTEXT):
            return rules.bytes_to_gb(raw)         # seeds/004: GB = 1024^3 bytes
    return raw


# Acronis' WHMCS billing module (acronis/acronis-cyber-cloud-whmcs, MetricsFetcher.php,
# childStorageMapping): storage of these items on an infrastructure the platform does
# not own is the partner's storage item, not the customer's.
CHILD_STORAGES = {"pg_storage": "pg_child_storages", "pw_storage": "pg_child_storages",
                  "pw_dr_storage": "pw_dr_child_storages", "fc_storage": "fc_child_storages"}
CHILD_ITEMS = frozenset(CHILD_STORAGES.values())


class _Infra:
    """The infra columns as codes: backend, infra id, owner, and which infras
    are partner-owned.

    Decision (docs/readers.md): the report does not say whether the platform owns
    an infra (the WHMCS module asks the Cloud API for `platform_owned`); an infra
    whose `infra.owner_id` is a tenant of this same report belongs to the
    partner's own tree, so it is not the platform's."""

    def __init__(self, ctx: Context, n: int, tenants: list[str]):
        import numpy as np

        def codes(name):
            return text_codes(ctx, name) if ctx.has(name) else (np.zeros(n, dtype=np.int32), [""])

        self.has_ids = ctx.has("infra.id")
        self.backend_codes, self.backends = codes("infra.backend_type")
        self.id_codes, self.ids = codes("infra.id")
        self.owner_codes, self.owners = codes("infra.owner_id")
        in_report = set(tenants)
        owner_inside = np.array([bool(o) and o in in_report for o in self.owners] or [False], dtype=bool)
        has_id = np.array([bool(i) for i in self.ids] or [False], dtype=bool)
        self.partner = owner_inside[self.owner_codes] & has_id[self.id_codes] if n else np.zeros(0, dtype=bool)

    def metrics(self, item_codes, items: list[str]):
        """(code per row, key per code): storage keyed `item:backend` as the module
        keys `name_<infra.backend_type>`; the four mapped storage items on
        partner-owned infra renamed to their *_child_storages item."""
        import numpy as np
        import pandas as pd

        if not len(item_codes):
            return item_codes, []
        storage = np.array([item_kind(i)[1] == "GB" for i in items], dtype=bool)[item_codes]
        child = np.array([i in CHILD_STORAGES for i in items], dtype=bool)[item_codes] & self.partner
        backend = np.where(storage, self.backend_codes.astype(np.int64), -1)
        key = (item_codes.astype(np.int64) * (len(self.backends) + 1) + backend + 1) * 2 + child
        codes, uniques = pd.factorize(key)
        names = []
        for u in uniques.tolist():
            is_child, rest = u % 2, u // 2
            item, b = divmod(rest, len(self.backends) + 1)
            base = CHILD_STORAGES[items[item]] if is_child else items[item]
            names.append(f"{base}:{self.backends[b - 1]}" if b and self.backends[b - 1] else base)
        # pg_storage and pw_storage both become pg_child_storages: one metric, one record
        # per tenant (their bytes summed), never two records with the same item.
        first_code: dict[str, int] = {}
        remap = np.array([first_code.setdefault(name, len(first_code)) for name in names], dtype=codes.dtype)
        return remap[codes], list(first_code)

    def group_details(self, kept, tenant_codes, metric_codes, metrics: list[str]) -> list[dict[str, str]]:
        """Per record (numbered as `group_rows` numbers them: by first kept row), its
        backends, infra owners and whether it is partner storage - from the
        distinct (record, code) pairs, not row by row."""
        import numpy as np
        import pandas as pd

        if not len(kept):
            return []
        key = tenant_codes[kept].astype(np.int64) * (int(metric_codes.max()) + 1) + metric_codes[kept]
        group, _ = pd.factorize(key)
        n_groups = int(group.max()) + 1
        first_at = np.full(n_groups, -1, dtype=np.int64)
        first_at[group[::-1]] = kept[::-1]               # each group's first kept row
        out = [{} for _ in range(n_groups)]
        for field, codes, values in (("backend_type", self.backend_codes, self.backends),
                                     ("infra_owner_id", self.owner_codes, self.owners)):
            pairs = np.unique(group.astype(np.int64) * (len(values) + 1) + codes[kept])
            for g, code in zip((pairs // (len(values) + 1)).tolist(), (pairs % (len(values) + 1)).tolist()):
                if values[code]:
                    have = out[g].get(field)
                    out[g][field] = values[code] if have is None else f"{have};{values[code]}"
        for g, row in enumerate(first_at.tolist()):
            if metrics[metric_codes[row]].split(":")[0] in CHILD_ITEMS:
                out[g]["partner_storage"] = "1"   # on partner-owned infra: the partner's, not the customer's
        return out


def _warn_repeats(ctx: Context, out: ReaderOutput, rows, kept, tenant_codes, item_codes, infra: _Infra,
                  tenants, items) -> None:
    """The same tenant + item + infra on several rows: summed (Acronis' WHMCS
    module keeps the last one; summing loses nothing), with a typed problem."""
    import numpy as np
    import pandas as pd

    if not len(kept):
        return
    key = ((tenant_codes[kept].astype(np.int64) * (len(items) + 1) + item_codes[kept]) * (len(infra.ids) + 1)
           + infra.id_codes[kept])
    group, _ = pd.factorize(key)
    counts = np.bincount(group)
    repeated = np.flatnonzero(counts > 1)
    if not len(repeated):
        return
    first_group = int(repeated[0])
    at = kept[group == first_group]
    rs = rows[at].tolist()
    t, i, infra_id = tenants[tenant_codes[at[0]]], items[item_codes[at[0]]], infra.ids[infra.id_codes[at[0]]]
    out.problem("repeated_infra_row", f"{len(repeated)} tenant + item + infra combination(s) appear on several "
                f"rows and were summed (first: tenant {t}, {i}, infra {infra_id or '(blank)'}, rows "
                f"{', '.join(map(str, rs[:5]))}); check the report is not a concatenation",
                account=t, source=str(ctx.source(rs)))


def _editions(ctx: Context):
    """The edition column as text_codes gives it, blank -> the default edition; when the
    whole file has one edition (the usual case) its distinct values decide that
    without coding a million rows (codes None)."""
    s = ctx.series("edition")
    if s.dtype != object:
        import pyarrow.compute as pc

        distinct = {str(v).strip() or DEFAULT_EDITION for v in pc.unique(s.array.__arrow_array__()).to_pylist()}
        if len(distinct) <= 1:
            return None, list(distinct)
    return text_codes(ctx, "edition", blank=DEFAULT_EDITION)


def _usage_values(ctx: Context, keep, chosen, rows):
    """Each kept row's billed usage cell, exactly: plain digit cells (nearly all)
    parsed by pyarrow as int64 (under 10^15, so group sums split in 32-bit
    halves cannot overflow); any other cell through the one cell parser
    (decimals, '1,234', bad values -> collected as bad cells).
    Returns (int64 per row, 0 where not plain digits; {row index: Decimal})."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    c = ctx.cells
    whole = np.zeros(len(rows), dtype=np.int64)
    parsed: dict[int, Decimal] = {}
    for k, name in enumerate(USAGE):
        mask = keep & (chosen == k)
        if not mask.any():
            continue
        series = ctx.series(name)
        idx = np.flatnonzero(mask)
        rest = idx
        if series.dtype != object:
            cells = pc.take(series.array.__arrow_array__(), pa.array(idx))
            digits = pc.match_substring_regex(cells, r"^\d{1,15}$")
            whole[idx[digits.to_numpy(zero_copy_only=False)]] = pc.cast(pc.filter(cells, digits), pa.int64()).to_numpy()
            rest = idx[~digits.to_numpy(zero_copy_only=False)]
            del cells, digits
        if len(rest):
            header = ctx.header_of(name)
            values = series.iloc[rest].tolist()
            for i, value in zip(rest.tolist(), values):
                number = c.number(value, int(rows[i]), header)
                if number is not None:
                    parsed[i] = number
    return whole, parsed
