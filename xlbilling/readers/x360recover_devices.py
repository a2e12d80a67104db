"""Axcient x360Recover device table (seeds/002): the API's device list as CSV or
XLSX (canonical columns of docs/architecture.md, or the API's own names with
`vaults` as JSON) -> endpoint counts per client, type and tier, and cloud GB.
"""
from __future__ import annotations

import json
from decimal import Decimal

from xlbilling.core.records import UsageRecord
from xlbilling.core.rules import x360recover as rules
from xlbilling.errors import RuleInputError
from xlbilling.readers.cells import cell_text
from xlbilling.readers.headers import Col
from xlbilling.readers.reader import Context, Reader, ReaderOutput

VENDOR = "x360recover"

# Decision (docs/readers.md): x360Recover sizes are bytes and its GB is 10^9
# bytes, consistent with BILLING_RULES.md 2's pool decision 1 TB = 1000 GB.
# (Acronis' GB is 1024^3: that is Acronis' own definition, seeds/004.)
X360_BYTES_PER_GB = Decimal(10) ** 9

ITEM_ORDER = ("endpoint_server", "endpoint_workstation", "d2c_server", "d2c_workstation", "cloud_gb")
TIER_ORDER = rules.TIERS + ("",)
TYPES = {"server": "server", "workstation": "workstation"}


def device_kind(text: str) -> str | None:
    """SERVER / WORKSTATION as the API writes them (any case, 'Windows Server' too)."""
    t = text.casefold()
    if t in TYPES:
        return TYPES[t]
    if "server" in t:
        return "server"
    if "workstation" in t or "desktop" in t or "laptop" in t:
        return "workstation"
    return None


def vault_types(raw: str) -> list[str] | None:
    """Vault types from a JSON list of vaults ({"type": "Cloud"}), a Python-style
    list, a list of names, or plain text 'Cloud;Private'.  None if unreadable."""
    import ast

    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(raw)
        except (ValueError, SyntaxError, TypeError):
            continue
        if isinstance(value, dict):
            value = [value]
        if isinstance(value, (list, tuple)):
            out = []
            for v in value:
                if isinstance(v, dict):
                    out.append(str(v.get("type", v.get("vault_type", ""))).strip())
                elif isinstance(v, str):
                    out.append(v.strip())
                else:
                    return None
            return [t for t in out if t]
        return None
    return [t.strip() for t in raw.replace("|", ";").replace(",", ";").split(";") if t.strip()]
_TIER_SPELLINGS = {"bundled": "bundled", "selfhosted": "self-hosted", "cloudonly": "cloud-only",
                   "self": "self-hosted", "cloud": "cloud-only"}


class X360DevicesReader(Reader):
    name = "x360recover-devices"
    vendor = VENDOR
    report_type = "device-usage"
    description = "x360Recover device list (client_id, type, vaults/tier, cloud_usage)"
    cols = (
        Col("client_id", ("Client ID", "clientId", "client id", "ClientNo")),
        Col("client_name", ("Client Name", "clientName", "Client", "Customer", "Customer Name"), required=False),
        Col("id", ("device_id", "Device ID", "deviceId"), required=False),
        Col("name", ("device_name", "Device Name", "Device", "Hostname", "Protected System"), required=False),
        Col("type", ("device_type", "Device Type", "Type")),
        Col("os", ("Operating System", "OS Name"), required=False),
        Col("d2c", ("D2C", "is_d2c", "Direct to Cloud", "DirectToCloud"), required=False),
        Col("vault_types", ("Vault Types", "vaultTypes", "Vault Type", "vaults.type", "vaults_type",
                            "vault_type"), required=False),
        Col("vaults", ("Vaults",), required=False),
        Col("on_appliance", ("On Appliance", "onAppliance", "appliance"), required=False),
        Col("local_usage", ("Local Usage", "localUsage"), required=False),
        Col("cloud_usage", ("Cloud Usage", "cloudUsage", "cloud_usage_bytes")),
        Col("vault_usage", ("Vault Usage", "vaultUsage"), required=False),
        Col("tier", ("Tier", "License Tier", "Rate Tier"), required=False),
        Col("client_active", ("Client Active", "active"), required=False),
        Col("client_health_status", ("Client Health Status", "health_status"), required=False),
    )
    one_of = (("tier", "vault_types", "vaults"),)
    numeric_cols = ("cloud_usage", "local_usage", "vault_usage")

    def read(self, ctx: Context) -> ReaderOutput:
        out = ReaderOutput([])
        counts, cloud_bytes, customers, d2c_devices, assumed_appliance = self._count_devices(ctx)
        if ctx.cells.problems:
            return out
        _device_records(ctx, out, counts, cloud_bytes, customers)
        self._device_problems(ctx, out, customers, d2c_devices, assumed_appliance)
        return out

    def _count_devices(self, ctx: Context):
        """Each row checked and counted: ({(client, item, tier): rows},
        {client: (cloud bytes, rows)}, {client: name}, d2c devices, whether a
        tier was assumed); every bad cell collected."""
        c = ctx.cells
        counts: dict[tuple[str, str, str], list[int]] = {}
        cloud_bytes: dict[str, tuple[Decimal, list[int]]] = {}
        customers: dict[str, str] = {}
        d2c_devices = 0
        assumed_appliance = False
        cols = {n: ctx.col(n) for n in ("client_id", "client_name", "type", "d2c", "vault_types", "vaults",
                                         "on_appliance", "cloud_usage", "tier", "local_usage")}
        for i, row in enumerate(ctx.row_numbers):
            client = cell_text(cols["client_id"][i])
            if not client:
                c.bad(row, ctx.header_of("client_id"), cols["client_id"][i] or "", "a client id")
                continue
            customers.setdefault(client, cell_text(cols["client_name"][i]) or client)
            kind = device_kind(cell_text(cols["type"][i]))
            if kind is None:
                c.bad(row, ctx.header_of("type"), cols["type"][i], "SERVER or WORKSTATION")
            d2c = c.flag(cols["d2c"][i], row, ctx.header_of("d2c")) if ctx.has("d2c") else False
            used = c.number(cols["cloud_usage"][i], row, ctx.header_of("cloud_usage"), integer=False)
            tier = self._tier(ctx, i, row, bool(d2c), cols)
            if tier == "assumed":
                assumed_appliance = True
                tier = self._derive(ctx, i, row, True, cols)
            if kind is None or used is None or tier is None or d2c is None:
                continue
            if d2c:
                # Decision (docs/readers.md): Direct-to-Cloud devices are not
                # appliance-based licensing (seeds/002 covers appliances only):
                # counted apart as d2c_server / d2c_workstation, not in cloud_gb.
                d2c_devices += 1
                counts.setdefault((client, "d2c_" + kind, ""), []).append(row)
                continue
            counts.setdefault((client, "endpoint_" + kind, tier), []).append(row)
            total, rows = cloud_bytes.get(client, (Decimal(0), []))
            rows.append(row)
            cloud_bytes[client] = (total + used, rows)
        return counts, cloud_bytes, customers, d2c_devices, assumed_appliance

    def _device_problems(self, ctx: Context, out: ReaderOutput, customers: dict[str, str], d2c_devices: int,
                         assumed_appliance: bool) -> None:
        # the clients each problem concerns: pricing names their customer when they map to one
        d2c_clients = _clients(out.records, lambda item: item.startswith("d2c_"))
        endpoint_clients = _clients(out.records, lambda item: item.startswith("endpoint_"))
        if d2c_devices:
            out.problem("d2c_devices", f"{d2c_devices} Direct-to-Cloud (d2c) device(s) counted as d2c_server/"
                                "d2c_workstation, outside endpoint licensing and cloud_gb", account=d2c_clients)
        self._client_states(ctx, customers, out)
        if assumed_appliance:
            out.problem("assumed_tier", "no on_appliance or local_usage column: non-d2c devices on a cloud vault are taken"
                                " as on an appliance (bundled); cloud-only systems cannot be told apart",
                        account=endpoint_clients)
        elif not ctx.has("on_appliance") and not ctx.has("tier"):
            out.problem("assumed_tier", "no on_appliance column: devices with local_usage 0 on a cloud vault are taken as"
                                " cloud-only (no copy on an appliance), the others as on an appliance",
                        account=endpoint_clients)

    def _client_states(self, ctx: Context, customers: dict[str, str], out: ReaderOutput) -> None:
        """Inactive and parked clients (the API's `active`, `health_status`)
        are billed as the table says, and listed for review: a client the
        vendor marks inactive may be one the partner forgot to stop billing."""
        if not (ctx.has("client_active") or ctx.has("client_health_status")):
            return
        active, health, clients = ctx.col("client_active"), ctx.col("client_health_status"), ctx.col("client_id")
        found: dict[tuple[str, str], list[int]] = {}
        for i, row in enumerate(ctx.row_numbers):
            state = rules.client_state(cell_text(active[i]), cell_text(health[i]))
            if state:
                found.setdefault((cell_text(clients[i]), state), []).append(row)
        for (client, state), rows in found.items():
            out.problem("inactive_client", f"client {client} ({customers.get(client, client)}) is {state} in "
                        f"x360Recover but has {len(rows)} protected system(s) in this table (rows "
                        f"{', '.join(map(str, rows[:5]))}): review before billing",
                        account=client, customer=customers.get(client, client), source=str(ctx.source(rows)))

    def _tier(self, ctx: Context, i: int, row: int, d2c: bool, cols) -> str | None:
        if ctx.has("tier") and cell_text(cols["tier"][i]):
            raw = cell_text(cols["tier"][i])
            tier = _TIER_SPELLINGS.get(raw.casefold().replace("-", "").replace(" ", "").replace("_", ""))
            if tier is None:
                ctx.cells.bad(row, ctx.header_of("tier"), raw, "bundled, self-hosted or cloud-only")
            return tier
        if not ctx.has("on_appliance"):
            if d2c:
                return self._derive(ctx, i, row, False, cols)
            if ctx.has("local_usage"):
                # Decision (docs/readers.md): without on_appliance, a system with no
                # data on the appliance (local_usage 0) is taken as cloud-only.
                local = ctx.cells.number(cols["local_usage"][i], row, ctx.header_of("local_usage"))
                return None if local is None else self._derive(ctx, i, row, local > 0, cols)
            return "assumed"
        return self._derive(ctx, i, row, None, cols)

    def _derive(self, ctx: Context, i: int, row: int, on_appliance: bool | None, cols) -> str | None:
        """seeds/002 via rules.endpoint_tier: bundled / self-hosted / cloud-only."""
        if on_appliance is None:
            on_appliance = ctx.cells.flag(cols["on_appliance"][i], row, ctx.header_of("on_appliance"))
            if on_appliance is None:
                return None
        types: list[str] | None = []
        col = "vault_types" if ctx.has("vault_types") and cell_text(cols["vault_types"][i]) else "vaults"
        raw = cell_text(cols[col][i]) if ctx.has(col) else ""
        if raw and raw not in ("[]", "{}"):
            types = vault_types(raw)
            if types is None:
                ctx.cells.bad(row, ctx.header_of(col), raw,
                              'vault types: a JSON list like [{"type": "Cloud"}, {"type": "Private"}] or Cloud;Private')
                return None
        bad = [t for t in types if t.casefold() not in ("cloud", "private")]
        if bad:
            ctx.cells.bad(row, ctx.header_of(col), bad[0], "vault type Cloud or Private")
            return None
        on_cloud = any(t.casefold() == "cloud" for t in types)
        try:
            return rules.endpoint_tier(int(on_appliance), int(on_cloud))
        except RuleInputError as err:  # pragma: no cover - flags are already parsed
            ctx.cells.bad(row, None, on_appliance, str(err))
            return None


def _clients(records, wanted) -> str:
    """The client ids (in report order) of the records whose item is wanted, joined by ', '."""
    return ", ".join(dict.fromkeys(r.account for r in records if wanted(r.item)))


def _device_records(ctx: Context, out: ReaderOutput, counts, cloud_bytes, customers: dict[str, str]) -> None:
    """One record per client, item and tier (device counts) and per client (cloud GB), in client order."""
    for (client, item, tier), rows in counts.items():
        out.records.append(UsageRecord(VENDOR, client, customers[client], item, Decimal(len(rows)), "device",
                                       ctx.source(rows), tier=tier,
                                       details={"devices": str(len(rows))}))
    for client, (total, rows) in cloud_bytes.items():
        if total == 0:
            continue
        gb = total / X360_BYTES_PER_GB  # exact: a power of ten
        out.records.append(UsageRecord(VENDOR, client, customers[client], "cloud_gb", gb, "GB",
                                       ctx.source(rows), details={"cloud_usage_bytes": str(total),
                                                                  "bytes_per_gb": str(X360_BYTES_PER_GB)}))
    client_order = {c: i for i, c in enumerate(customers)}
    out.records.sort(key=lambda r: (client_order[r.account], ITEM_ORDER.index(r.item), TIER_ORDER.index(r.tier)))
