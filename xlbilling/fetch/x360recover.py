"""Axcient x360Recover public API client: clients, devices and vaults in, the
canonical device usage table out (docs/architecture.md), one row per
protected system with its tier from `rules.x360recover.endpoint_tier`.

API facts used (FORMATS.md; Axcient's OpenAPI "x360Recover API" 0.2.x published
at developer.axcient.com, as mirrored in github.com/adamburley/AxcientAPI
x360Recover.yaml and ApiNotes.md):
- key in the `x-api-key` header; 401 = missing/invalid key, 403 = the key lacks
  a permission (API keys are created under Settings > API Keys in x360Portal);
- list endpoints answer a JSON array; `/device` takes `limit`/`offset`
  (the other lists take them harmlessly or ignore them) - see `_pages`;
- ids are `id` (newer) or `id_` (0.2.x spec); `os` is an object
  {os_type, os_name, bits} or a string; sizes are integers (bytes).

Tier derivation (seeds/002), documented in docs/fetch.md:
- on_axcient_cloud = the device is on any vault of type `Cloud` (from the
  device's `vaults[]`, or from a `/vault` listing that names the device);
- on_appliance = not d2c and not a cloud-archive (cloud-only) copy.  A device
  is taken as being on an appliance when the API says so (`appliance_id`
  present on the device or on a vault's device entry), else when it has local
  backup data (`local_usage` > 0 or a `latest_local_rp`).
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterator

import httpx

from xlbilling.core.rules.x360recover import endpoint_tier
from xlbilling.errors import AuthError, FetchError, NotAllowedError, RateLimitedError
from xlbilling.fetch import http
from xlbilling.fetch.secrets import ApiKey

KEY_HEADER = "x-api-key"
DEFAULT_BASE_URL = "https://axapi.axcient.com/x360recover"
COLUMNS = ("client_id", "client_name", "id", "name", "type", "os", "d2c", "vault_types",
           "on_appliance", "local_usage", "cloud_usage", "vault_usage", "tier")
MAX_PAGES = 10_000  # a server that never stops paging is a bug, not a big partner


@dataclass(frozen=True, slots=True)
class X360Settings:
    base_url: str = DEFAULT_BASE_URL
    page_size: int = 100
    http: http.HttpSettings = field(default_factory=http.HttpSettings)


@dataclass(frozen=True, slots=True)
class DeviceTable:
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    clients: int
    warnings: tuple[str, ...]
    fetched_at: dt.datetime


def fetch_device_table(key: ApiKey, *, settings: X360Settings = X360Settings(),
                       progress: Callable[[str], None] | None = None,
                       now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)) -> DeviceTable:
    say = progress or (lambda _m: None)
    base = http.check_url(settings.base_url, what="--base-url")
    api = _Api(base, key, settings, say)
    with http.make_client(base, settings.http) as client:
        api.client = client
        clients = {_key(_id(item, "client")): item for item in api.list("/client")}
        say(f"{len(clients)} client(s)")
        devices: dict[str, tuple[object, dict]] = {}
        org_devices = api.list("/device", missing_ok=True)
        if org_devices and all(_client_id(d) is not None for d in org_devices):
            for d in org_devices:
                devices[_key(_id(d, "device"))] = (_client_id(d), d)
        else:
            # /device is absent or does not say whose a device is: ask per client.
            for n, client in enumerate(clients.values(), 1):
                cid = _id(client, "client")
                say(f"devices of client {n}/{len(clients)}")
                for d in api.list(f"/client/{cid}/device"):
                    devices[_key(_id(d, "device"))] = (cid, d)
        say(f"{len(devices)} device(s)")
        vaults = api.list("/vault")
        say(f"{len(vaults)} vault(s)")
    return build_table(clients, devices, vaults, fetched_at=now())


def build_table(clients: dict[str, dict], devices: dict[str, tuple[object, dict]], vaults: list[dict], *,
                fetched_at: dt.datetime) -> DeviceTable:
    """Join clients, devices and vaults into the canonical rows (pure).
    `clients` and `devices` are keyed by id as text (`_key`)."""
    warnings: list[str] = []
    vault_type: dict[str, str] = {}
    on_vault: dict[str, set[str]] = {}
    vault_entry: dict[str, dict] = {}
    for v in vaults:
        vtype = _vault_type(v.get("type"))
        vault_type[_key(_id(v, "vault"))] = vtype
        for short in v.get("devices") or []:
            did = _key(_id(short, "vault device"))
            on_vault.setdefault(did, set()).add(vtype)
            vault_entry.setdefault(did, short)
    # A device on a vault but in no device list (e.g. left on a cloud vault
    # after removal from the appliance, seeds/002) is still billable: include
    # it when the vault listing says whose it is and what it is.
    only_on_vaults = [did for did in on_vault if did not in devices]
    usable = [did for did in only_on_vaults
              if _client_id(vault_entry[did]) is not None and vault_entry[did].get("type")]
    for did in usable:
        devices[did] = (_client_id(vault_entry[did]), vault_entry[did])
    if usable:
        warnings.append(f"{len(usable)} device(s) appear only in vault listings (not in the device lists); "
                        f"included with the data the vault listing gives (first: id {usable[0]})")
    skipped = [did for did in only_on_vaults if did not in usable]
    if skipped:
        warnings.append(f"{len(skipped)} device id(s) appear only in vault listings without a client or type "
                        f"and were left out: {', '.join(skipped[:10])}")

    rows = []
    archived_by_client: Counter = Counter()
    for did, (cid, d) in devices.items():
        raw_id = _id(d, "device")
        types = set(on_vault.get(did, set()))
        per_vault = [s if isinstance(s, dict) else {"id": s} for s in d.get("vaults") or []
                     if isinstance(s, (dict, int, str)) and not isinstance(s, bool)]
        for short in per_vault:
            short_type = short.get("type")
            types.add(_vault_type(short_type) if short_type
                      else vault_type.get(_key(short.get("id", short.get("id_"))), "Unknown"))
        types.discard("Unknown")
        d2c = _flag(d.get("d2c"), "d2c", raw_id)
        appliance = _on_appliance(d, vault_entry.get(did), d2c, raw_id)
        ckey = None if cid is None else _key(cid)
        if not d2c and not appliance:
            archived_by_client[ckey] += 1
        client = clients.get(ckey) or {}
        name = client.get("name")
        if name is None and isinstance(d.get("client"), dict):
            name = d["client"].get("name")
        local = _size(d, "local_usage", raw_id)
        cloud = _size(d, "cloud_usage", raw_id)
        vault = _size(d, "vault_usage", raw_id)
        if d.get("cloud_usage") is None and per_vault:
            # not given: the sum of this device's usage on Axcient cloud vaults
            cloud = sum(_size(s, "device_usage", raw_id) for s in per_vault
                        if _vault_type(s.get("type") or vault_type.get(_key(s.get("id", s.get("id_"))))) == "Cloud")
        rows.append((cid, name or "", raw_id, d.get("name") or "", str(d.get("type") or "").upper(),
                     _os(d.get("os")), int(d2c), ";".join(sorted(types)), int(appliance), local, cloud, vault,
                     endpoint_tier(int(appliance), int("Cloud" in types))))
    orphans = [r for r in rows if r[0] is None or _key(r[0]) not in clients]
    if orphans:
        warnings.append(f"{len(orphans)} device(s) belong to no listed client (first: device {orphans[0][2]}, "
                        f"client_id {orphans[0][0]!r})")
    rows.sort(key=lambda r: (str(r[1]).lower(), str(r[0]), str(r[3]).lower(), str(r[2])))
    warnings.extend(_check_counters(clients, archived_by_client))
    unknown = [r for r in rows if r[4] not in ("SERVER", "WORKSTATION")]
    if unknown:
        warnings.append(f"{len(unknown)} device(s) have a type other than SERVER/WORKSTATION "
                        f"(first: id {unknown[0][2]} {unknown[0][4]!r})")
    return DeviceTable(COLUMNS, tuple(rows), len(clients), tuple(warnings), fetched_at)


class _Api:
    """Paged GETs against the base URL, with the status mapping done once."""

    def __init__(self, base: httpx.URL, key: ApiKey, settings: X360Settings, say: Callable[[str], None]):
        self.base, self.key, self.settings, self.say = base, key, settings, say
        self.client: httpx.Client | None = None

    def url(self, path: str) -> httpx.URL:
        return self.base.copy_with(path=self.base.path.rstrip("/") + path)

    def get_json(self, url: httpx.URL | str, params: dict | None, *, missing_ok: bool = False):
        answer = http.get(self.client, url, key_header=KEY_HEADER, key=self.key, params=params,
                          accept="application/json", settings=self.settings.http,
                          retry_safe_failures=True, on_retry=self.say)
        if answer.status == 404 and missing_ok:
            return None
        if answer.status != 200:
            raise _status_error(answer, self.key, self.base)
        try:
            return json.loads(answer.body.decode("utf-8-sig"))
        except ValueError:
            raise FetchError(f"x360Recover {httpx.URL(answer.url).path}: the answer is not valid JSON "
                             f"(truncated?); nothing was written, try again") from None

    def list(self, path: str, *, missing_ok: bool = False) -> list[dict] | None:
        items: list[dict] = []
        seen: set = set()
        pages = self._pages(path, missing_ok=missing_ok)
        for page_no, page in enumerate(pages, 1):
            if page is None:
                return None
            fresh = [x for x in page if _key(_id(x, path)) not in seen]
            seen.update(_key(_id(x, path)) for x in fresh)
            items.extend(fresh)
            if page and (page_no > 1 or len(page) >= self.settings.page_size):
                self.say(f"{path}: page {page_no}, {len(items)} so far")
        return items

    def _pages(self, path: str, *, missing_ok: bool) -> Iterator[list[dict] | None]:
        """Paging, as the API does it (limit/offset, as for /device in the
        public spec), tolerant of servers that ignore it:
        - a bare JSON array: next offset until a page is empty, longer than
          `limit` (paging ignored), or repeats ids (offset ignored);
        - an object holding one list (`data`/`items`/`results`/...): the same,
          or follow its `next` link / stop at its `total` when it gives them.
        """
        limit = self.settings.page_size
        offset = 0
        url: httpx.URL | str = self.url(path)
        params: dict | None = {"limit": limit, "offset": offset}
        seen_ids: set = set()
        for _ in range(MAX_PAGES):
            data = self.get_json(url, params, missing_ok=missing_ok and offset == 0)
            if data is None:
                yield None
                return
            items, next_link, total = _unwrap(data, path)
            ids = [_key(_id(x, path)) for x in items]
            repeated = bool(ids) and all(i in seen_ids for i in ids)
            seen_ids.update(ids)
            yield items
            if repeated:
                return
            if next_link:
                url, params = self._same_origin(next_link), None
                continue
            offset += len(items)
            if total is not None and offset >= total:
                return
            if not items or params is None or len(items) > limit:
                return  # empty page = the end; longer than asked = the server ignored `limit`
            # A short page is not taken as the last: a server may cap the page
            # size below `limit`.  The listing ends at the first empty page.
            params = {"limit": limit, "offset": offset}
        raise FetchError(f"x360Recover {path}: more than {MAX_PAGES} pages - the server keeps paging; "
                         f"nothing was written")

    def _same_origin(self, link: str) -> httpx.URL:
        target = self.base.join(link)
        if (target.scheme, target.host, target.port) != (self.base.scheme, self.base.host, self.base.port):
            raise FetchError(f"x360Recover: the next-page link points to {http.describe_url(str(target))}, "
                             f"another host; not followed so the key stays with the API host")
        return target


def _unwrap(data: object, path: str) -> tuple[list[dict], str | None, int | None]:
    if isinstance(data, list):
        items, next_link, total = data, None, None
    elif isinstance(data, dict):
        lists = {k: v for k, v in data.items() if isinstance(v, list)}
        preferred = [k for k in ("data", "items", "results", "clients", "devices", "vaults") if k in lists]
        if preferred:
            items = lists[preferred[0]]
        elif len(lists) == 1:
            items = next(iter(lists.values()))
        else:
            raise FetchError(f"x360Recover {path}: expected a list of records, found an object with keys "
                             f"{sorted(data)[:10]}")
        links = data.get("links") if isinstance(data.get("links"), dict) else {}
        next_link = data.get("next") or data.get("next_page") or links.get("next")
        next_link = next_link if isinstance(next_link, str) and next_link else None
        total = data.get("total", data.get("total_count", data.get("count")))
        total = total if isinstance(total, int) and not isinstance(total, bool) else None
    else:
        raise FetchError(f"x360Recover {path}: expected a JSON list, found {type(data).__name__}")
    bad = [x for x in items if not isinstance(x, dict)]
    if bad:
        raise FetchError(f"x360Recover {path}: expected objects in the list, found {type(bad[0]).__name__}")
    return items, next_link, total


def _status_error(answer: http.Answer, key: ApiKey, base: httpx.URL) -> FetchError:
    path = httpx.URL(answer.url).path
    where = f"x360Recover {path} at {http.describe_url(str(base))}"
    detail = _detail(answer.body, key)
    said = f" The server said: {detail!r}." if detail else ""
    if answer.status == 401:
        return AuthError(f"HTTP 401 from {where}: the API key is missing or invalid. Create a key in "
                         f"x360Portal > Settings > API Keys and store it with `xlbilling auth set "
                         f"x360recover`.{said}")
    if answer.status == 403:
        return NotAllowedError(f"HTTP 403 from {where}: the key is valid but lacks permission for this "
                               f"endpoint. Edit the key in x360Portal > Settings > API Keys and enable "
                               f"x360Recover access.{said}")
    if answer.status == 429:
        retry = answer.headers.get("retry-after", "")
        return RateLimitedError(f"HTTP 429 from {where}: too many requests; wait "
                                f"{retry + ' s' if retry.isdigit() else 'a minute'} and run again.{said}",
                                retry_after_s=float(retry) if retry.isdigit() else None)
    if answer.status == 404:
        return FetchError(f"HTTP 404 from {where}: not found - check --base-url (the API lives under "
                          f"{DEFAULT_BASE_URL}).{said}")
    if 300 <= answer.status < 400:
        return FetchError(f"HTTP {answer.status} from {where}: redirect not followed (the key must not go "
                          f"elsewhere); use the final https address as --base-url")
    if 500 <= answer.status:
        return FetchError(f"HTTP {answer.status} from {where}: a vendor-side error that persisted through "
                          f"retries; try again later.{said}")
    return FetchError(f"HTTP {answer.status} from {where}: unexpected answer.{said}")


def _detail(body: bytes, key: ApiKey) -> str:
    text = body[:400].decode("utf-8", "replace").replace(key.reveal(), "<hidden>")
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:200]


def _id(item: dict, what: str) -> object:
    value = item.get("id", item.get("id_"))
    if value is None or isinstance(value, (dict, list, bool)):
        raise FetchError(f"x360Recover {what}: a record without an id: {sorted(item)[:8]}")
    return value


def _key(value: object) -> str:
    """Ids compared as text: one endpoint may give 101, another "101"."""
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


def _on_appliance(d: dict, vault_short: dict | None, d2c: bool, did: object) -> bool:
    if d2c:
        return False
    for source in (d, vault_short or {}):
        if "appliance_id" in source:
            return source["appliance_id"] not in (None, "", 0)
    if isinstance(d.get("cloud_archive"), bool):
        return not d["cloud_archive"]
    return _size(d, "local_usage", did) > 0 or bool(d.get("latest_local_rp"))


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


def _check_counters(clients: dict, archived_by_client: Counter) -> list[str]:
    """Cross-check our cloud-only derivation against each client's
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

