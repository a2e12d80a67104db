"""The x360Recover device table, joined from what the API gave (pure: no
HTTP).  One row per protected system, canonical columns (docs/architecture.md).

Field meanings from the x360Recover OpenAPI document 0.3.1 (docs/fetch.md):
- `org_level_device` (`/device`, `/client/{id}/device`): `local_usage` (on the
  appliance), `cloud_usage` (in the cloud), `vault_usage` (on the private
  vault), `vaults[]` {id, type Cloud|Private, device_usage};
- `org_level_short_device` (a `/vault` entry): `vault_usage` "on the vault",
  `local_usage`, `appliance_id`, `client`, `type`, `os` - no `cloud_usage`;
- `org_level_appliance.devices[]` (`/appliance?include_devices=true`): the
  protected systems on each appliance;
- `org_level_client`: `active`, `health_status`, `devices_counters`.

Tier derivation (seeds/002, docs/fetch.md): on an Axcient cloud vault = on
any vault of type Cloud; on an appliance = listed by `/appliance` (never a
vault entry's `appliance_id`, which an archived system keeps); d2c systems are
never on an appliance.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from xlbilling.core.rules.x360recover import client_state, endpoint_tier
from xlbilling.core.words import count, plural
from xlbilling.errors import FetchError

COLUMNS = ("client_id", "client_name", "id", "name", "type", "os", "d2c", "vault_types",
           "on_appliance", "local_usage", "cloud_usage", "vault_usage", "tier",
           "client_active", "client_health_status")


@dataclass(frozen=True, slots=True)
class DeviceTable:
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    clients: int
    warnings: tuple[str, ...]
    fetched_at: dt.datetime


@dataclass(slots=True)
class _Vaults:
    """What the /vault listing says per device id."""

    type_of: dict[str, str]                          # vault id -> Cloud / Private
    entries: dict[str, list[tuple[str, dict]]]       # device id -> [(vault type, short device entry)]


def _index_vaults(vaults: list[dict]) -> _Vaults:
    out = _Vaults({}, {})
    for v in vaults:
        vtype = _vault_type(v.get("type"))
        out.type_of[_key(_id(v, "vault"))] = vtype
        for short in v.get("devices") or []:
            out.entries.setdefault(_key(_id(short, "vault device")), []).append((vtype, short))
    return out


def _on_appliances(appliances: list[dict] | None) -> set[str] | None:
    if appliances is None:
        return None
    return {_key(_id(d, "appliance device")) for a in appliances for d in a.get("devices") or []}


def build_table(clients: dict[str, dict], devices: dict[str, tuple[object, dict]], vaults: list[dict],
                appliances: list[dict] | None = None, *, fetched_at: dt.datetime) -> DeviceTable:
    """Join clients, devices, appliances and vaults into the canonical rows.
    `clients` and `devices` are keyed by id as text; `appliances` None = the
    API has no /appliance (presence then from local backup data, warned)."""
    warnings: list[str] = []
    index = _index_vaults(vaults)
    on_appliance = _on_appliances(appliances)
    devices = dict(devices)
    _add_vault_only(devices, index, warnings)
    rows, archived, stale = [], Counter(), []
    for did, (cid, d) in devices.items():
        row, is_archived = _row(did, cid, d, clients, index, on_appliance, stale)
        rows.append(row)
        archived[None if cid is None else _key(cid)] += is_archived
    rows.sort(key=lambda r: (str(r[1]).lower(), str(r[0]), str(r[3]).lower(), str(r[2])))
    if on_appliance is None:
        warnings.append("the API gave no appliance list (/appliance): a system counts as on an appliance when it "
                        "has local backup data (local_usage > 0 or latest_local_rp)")
    if stale:
        warnings.append(f"{len(stale)} system(s) keep an appliance_id on a vault entry but no appliance lists them "
                        f"(archived?): taken as not on an appliance (first: id {stale[0][0]}, appliance_id "
                        f"{stale[0][1]})")
    warnings.extend(_row_warnings(rows, clients))
    warnings.extend(_check_counters(clients, archived))
    warnings.extend(_client_status_warnings(clients, rows))
    return DeviceTable(COLUMNS, tuple(rows), len(clients), tuple(warnings), fetched_at)


def _add_vault_only(devices: dict, index: _Vaults, warnings: list[str]) -> None:
    """A system on a vault but in no device list (left on a cloud vault after
    removal from the appliance, seeds/002) is still billable: included with
    what its vault entries give, when they say whose it is and what it is."""
    only = [did for did in index.entries if did not in devices]
    usable = []
    for did in only:
        first = index.entries[did][0][1]
        if _client_id(first) is not None and first.get("type"):
            devices[did] = (_client_id(first), first)
            usable.append(did)
    if usable:
        warnings.append(f"{len(usable)} system(s) appear only in vault listings (not in the device lists); "
                        f"included with the vault entries' data, usage from their vault_usage (first: id {usable[0]})")
    skipped = [did for did in only if did not in usable]
    if skipped:
        warnings.append(f"{len(skipped)} device id(s) appear only in vault listings without a client or type "
                        f"and were left out: {', '.join(skipped[:10])}")


def _row(did: str, cid: object, d: dict, clients: dict, index: _Vaults, on_appliance: set[str] | None,
         stale: list) -> tuple[tuple, bool]:
    raw_id = _id(d, "device")
    entries = index.entries.get(did, [])
    per_vault = [s if isinstance(s, dict) else {"id": s} for s in d.get("vaults") or []
                 if isinstance(s, (dict, int, str)) and not isinstance(s, bool)]
    types = {vtype for vtype, _ in entries}
    for short in per_vault:
        types.add(_vault_type(short.get("type")) if short.get("type")
                  else index.type_of.get(_key(short.get("id", short.get("id_"))), "Unknown"))
    types.discard("Unknown")
    d2c = _flag(d.get("d2c"), "d2c", raw_id)
    appliance = _appliance(did, d, entries, d2c, on_appliance, stale)
    client = clients.get(None if cid is None else _key(cid)) or {}
    name = client.get("name")
    if name is None and isinstance(d.get("client"), dict):
        name = d["client"].get("name")
    local, cloud, vault = _usage(d, per_vault, entries, index, raw_id)
    active = client.get("active")
    row = (cid, name or "", raw_id, d.get("name") or "", str(d.get("type") or "").upper(), _os(d.get("os")),
           int(d2c), ";".join(sorted(types)), int(appliance), local, cloud, vault,
           endpoint_tier(int(appliance), int("Cloud" in types)),
           "" if not isinstance(active, bool) else int(active), str(client.get("health_status") or ""))
    return row, (not d2c and not appliance)


def _appliance(did: str, d: dict, entries: list, d2c: bool, on_appliance: set[str] | None, stale: list) -> bool:
    if d2c:
        return False
    if on_appliance is not None:
        listed = did in on_appliance
        if not listed:
            kept = [s.get("appliance_id") for _, s in entries if s.get("appliance_id") not in (None, "", 0)]
            if kept:
                stale.append((d.get("id", did), kept[0]))
        return listed
    # No appliance list: the document's own evidence of an appliance copy.
    return _size(d, "local_usage", did) > 0 or bool(d.get("latest_local_rp"))


def _usage(d: dict, per_vault: list[dict], entries: list, index: _Vaults, did: object) -> tuple[int, int, int]:
    """(local, cloud, private-vault) bytes.  cloud: the device's cloud_usage;
    else its device_usage on Cloud vaults (vaults[]); else its vault entries'
    vault_usage on Cloud vaults (a vault-only system: the document gives vault
    entries vault_usage "on the vault" and no cloud_usage)."""
    local = _size(d, "local_usage", did)
    if d.get("cloud_usage") is not None:
        cloud = _size(d, "cloud_usage", did)
    elif any(s.get("device_usage") is not None for s in per_vault):
        cloud = sum(_size(s, "device_usage", did) for s in per_vault
                    if _vault_type(s.get("type") or index.type_of.get(_key(s.get("id", s.get("id_"))))) == "Cloud")
    else:
        cloud = sum(_size(s, "vault_usage", did) for vtype, s in entries if vtype == "Cloud")
    if "vaults" in d or d.get("cloud_usage") is not None:     # an org_level_device
        vault = _size(d, "vault_usage", did)
    else:                                                     # a vault entry only
        vault = sum(_size(s, "vault_usage", did) for vtype, s in entries if vtype == "Private")
    return local, cloud, vault


def _row_warnings(rows: list[tuple], clients: dict) -> list[str]:
    out = []
    orphans = [r for r in rows if r[0] is None or _key(r[0]) not in clients]
    if orphans:
        out.append(f"{count(len(orphans), 'device')} {plural('belongs', len(orphans), 'belong')} to no listed client (first: device {orphans[0][2]}, "
                   f"client_id {orphans[0][0]!r})")
    unknown = [r for r in rows if r[4] not in ("SERVER", "WORKSTATION")]
    if unknown:
        out.append(f"{count(len(unknown), 'device')} {plural('has', len(unknown), 'have')} a type other than"
                   " SERVER/WORKSTATION "
                   f"(first: id {unknown[0][2]} {unknown[0][4]!r})")
    return out


def _client_status_warnings(clients: dict, rows: list[tuple]) -> list[str]:
    systems = Counter(_key(r[0]) for r in rows if r[0] is not None)
    out = []
    for ckey, client in clients.items():
        state = client_state(client.get("active"), client.get("health_status"))
        if state:
            out.append(f"client {ckey} ({client.get('name')}) is {state} (active={client.get('active')!r}, "
                       f"health_status={client.get('health_status')!r}) with {systems.get(ckey, 0)} protected "
                       f"system(s): review before billing")
    return out


def _check_counters(clients: dict, archived_by_client: Counter) -> list[str]:
    """Cross-check the cloud-only derivation against each client's
    devices_counters.cloud_archive (the API's own count): a difference is
    reported, never silently corrected."""
    out = []
    for ckey, client in clients.items():
        counters = client.get("devices_counters")
        if not isinstance(counters, dict) or not isinstance(counters.get("cloud_archive"), list):
            continue
        expected = sum(int(c.get("count") or 0) for c in counters["cloud_archive"] if isinstance(c, dict))
        if expected != archived_by_client.get(ckey, 0):
            out.append(f"client {ckey} ({client.get('name')}): the API counts {expected} cloud-archive "
                       f"device(s), the device data gives {archived_by_client.get(ckey, 0)}; check the tiers")
    return out


def month_note(month: dt.date, fetched_at: dt.datetime) -> str | None:
    """The API gives the current state, not a month's history."""
    current = dt.date(fetched_at.year, fetched_at.month, 1)
    if month < current:
        return (f"warning: --month {month:%Y-%m} is in the past, but the x360Recover API gives the state as of "
                f"now ({fetched_at:%Y-%m-%d %H:%M} UTC); the table describes today, not {month:%Y-%m}")
    if month > current:
        return f"warning: --month {month:%Y-%m} is in the future; the table describes today"
    return None


def _id(item: dict, what: str) -> object:
    value = item.get("id", item.get("id_"))
    if value is None or isinstance(value, (dict, list, bool)):
        raise FetchError(f"x360Recover {what}: a record without an id: {sorted(item)[:8]}")
    return value


def _key(value: object) -> str:
    return str(value).strip()


def _client_id(item: dict) -> object:
    value = item.get("client_id")
    if value is None and isinstance(item.get("client"), dict):
        value = item["client"].get("id", item["client"].get("id_"))
    return value


def _vault_type(value: object) -> str:
    text = str(value or "").strip().lower()
    return {"cloud": "Cloud", "private": "Private"}.get(text, "Unknown" if not text else str(value).strip())


def _flag(value: object, what: str, did: object) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    raise FetchError(f"x360Recover device {did}: {what} should be true/false, found {value!r}")


def _size(d: dict, field_name: str, did: object) -> int:
    """Sizes are integer bytes as the API gives them; absent = 0."""
    value = d.get(field_name)
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise FetchError(f"x360Recover device {did}: {field_name} should be a byte count, found {value!r}")
    if isinstance(value, int):
        size = value
    elif isinstance(value, float) and value.is_integer():
        size = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        size = int(value.strip())
    else:
        raise FetchError(f"x360Recover device {did}: {field_name} should be a whole number of bytes, "
                         f"found {value!r}")
    if size < 0:
        raise FetchError(f"x360Recover device {did}: {field_name} is negative ({size})")
    return size


def _os(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("os_name") or value.get("os_type") or "")
    return "" if value is None else str(value)
