"""Axcient x360Recover public API client: organization, clients, devices,
appliances and vaults in, the canonical device usage table out
(docs/architecture.md), one row per protected system with its tier from
`rules.x360recover.endpoint_tier`.  The joining is pure (`x360recover_table`).

API facts used (docs/fetch.md gives the sources): Axcient's OpenAPI document
"x360Recover API" 0.3.1 (production server https://axapi.axcient.com/x360recover;
kept in github.com/adamburley/AxcientAPI, x360Recover.yaml) and the public
clients reading it (adamburley/AxcientAPI ApiNotes.md, WYRE-AI/node-axcient,
derpenstiltskin/immybot-axcient-x360recover):
- key in the `x-api-key` header.  A bad key answers 401 {"message":
  "Unauthorized"}; an unknown route or a non-numeric id ALSO answers 401, as
  {"code": 401, "msg": "Unauthorized"} - so the first call probes a route every
  version has (`/organization`) and reasons from the answer (`_probe`);
- `/device` pages with limit/offset; `/vault` takes `limit` and NO offset: it
  is read in one call and refused when it may be cut (`_vaults`);
- `/appliance?include_devices=true` lists the protected systems on each
  appliance: that, not a vault entry's `appliance_id` (kept by archived
  systems), decides "on an appliance";
- no published rate limit: 429 is retried after `Retry-After` (capped), 403
  once judged possible DDoS protection after 5 minutes, 504 after 60 s, each
  at most `busy_retries` times, as the public clients do (`_Api.get_json`).
"""
from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import httpx

from xlbilling.core.words import count
from xlbilling.errors import AuthError, FetchError, NotAllowedError, RateLimitedError
from xlbilling.fetch import http
from xlbilling.fetch.secrets import ApiKey
from xlbilling.fetch.x360recover_table import COLUMNS, DeviceTable, build_table, month_note  # noqa: F401
from xlbilling.fetch.x360recover_table import _client_id, _id, _key

KEY_HEADER = "x-api-key"
DEFAULT_BASE_URL = "https://axapi.axcient.com/x360recover"
DOCUMENTED_PATH = "/x360recover"
MAX_PAGES = 10_000  # a server that never stops paging is a bug, not a big partner
# Waits as derpenstiltskin/immybot-axcient-x360recover uses them (3 retries each).
WAIT_429_S, WAIT_403_S, WAIT_504_S = 60.0, 300.0, 60.0
BUSY = {429: "rate limit", 403: "possible DDoS protection", 504: "gateway timeout"}


@dataclass(frozen=True, slots=True)
class X360Settings:
    base_url: str = DEFAULT_BASE_URL
    page_size: int = 100
    vault_limit: int = 1000      # /vault has no offset: one call asking this many
    max_wait_s: float = 300.0    # cap on any one wait (429 Retry-After, 403, 504)
    busy_retries: int = 3
    http: http.HttpSettings = field(default_factory=http.HttpSettings)


def fetch_device_table(key: ApiKey, *, settings: X360Settings = X360Settings(),
                       progress: Callable[[str], None] | None = None,
                       now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)) -> DeviceTable:
    say = progress or (lambda _m: None)
    base = http.check_url(settings.base_url, what="--base-url")
    api = _Api(base, key, settings, say)
    with http.make_client(base, settings.http) as client:
        api.client = client
        _probe(api)
        clients = {_key(_id(item, "client")): item for item in api.records("/client", None)}
        say(f"{len(clients)} client(s)")
        devices = _devices(api, clients)
        say(f"{len(devices)} device(s)")
        appliances = api.records("/appliance", {"include_devices": "true"}, optional=True)
        say("/appliance not available: appliance presence taken from local backup data" if appliances is None
            else f"{len(appliances)} appliance(s)")
        vaults = _vaults(api, devices)
        say(f"{len(vaults)} vault(s)")
    return build_table(clients, devices, vaults, appliances, fetched_at=now())


def _devices(api: "_Api", clients: dict[str, dict]) -> dict[str, tuple[object, dict]]:
    devices: dict[str, tuple[object, dict]] = {}
    org_devices = api.list("/device", optional=True)
    if org_devices and all(_client_id(d) is not None for d in org_devices):
        for d in org_devices:
            devices[_key(_id(d, "device"))] = (_client_id(d), d)
        return devices
    # /device is absent (401 for an unknown route on an older version) or does
    # not say whose a device is: ask per client.
    for n, client in enumerate(clients.values(), 1):
        cid = _path_id(_id(client, "client"), "client")
        api.say(f"devices of client {n}/{len(clients)}")
        for d in api.records(f"/client/{cid}/device", None):
            devices[_key(_id(d, "device"))] = (cid, d)
    return devices


def _vaults(api: "_Api", devices: dict[str, tuple[object, dict]]) -> list[dict]:
    """/vault in one call (no offset exists); refused when it may be cut: as
    many vaults as asked for, or a device naming a vault the listing lacks
    (systems only on that vault would silently go unbilled)."""
    limit = api.settings.vault_limit
    vaults = api.records("/vault", {"limit": limit, "include_devices": "true"})
    if len(vaults) >= limit:
        raise FetchError(f"x360Recover /vault returned {count(len(vaults), 'vault')}, as many as asked for (limit {limit}): "
                         f"the listing may be cut off and /vault has no offset to read the rest; nothing was "
                         f"written. Run again with a larger --vault-limit")
    listed = {_key(_id(v, "vault")) for v in vaults}
    for did, (_cid, d) in devices.items():
        for short in d.get("vaults") or []:
            raw = short.get("id", short.get("id_")) if isinstance(short, dict) else short
            vid = None if raw is None else _key(raw)
            if vid is not None and vid not in listed:
                raise FetchError(f"x360Recover /vault returned {count(len(vaults), 'vault')} but device {did} is on vault "
                                 f"{vid}, which the listing lacks: the listing looks incomplete (cut by the "
                                 f"server?); nothing was written. Try again, or a larger --vault-limit")
    return vaults


def _probe(api: "_Api") -> None:
    """First call: a route every 0.3.x API has.  Tells a bad key from a wrong
    base URL, which both answer 401 (the two bodies differ: ApiNotes.md)."""
    answer = api.raw("/organization", None)
    if answer.status == 200:
        org = api.decode(answer)
        name = org.get("name") if isinstance(org, dict) else None
        api.say(f"key accepted for organization {name!r}" if name else "key accepted")
        api.probed = True
        return
    if answer.status == 401 and _route_shape(answer):
        # /organization unknown here: ask /client, the route the fetch needs anyway,
        # before calling the base URL wrong (a server may lack /organization).
        second = api.raw("/client", None)
        if second.status == 200:
            api.say("/organization is not available here; key accepted by /client")
            api.probed = True
            return
        answer = second if second.status == 401 else answer
    if answer.status == 401:
        raise _unauthorised(answer, api, probing=True)
    if answer.status == 404:
        raise FetchError(f"HTTP 404 from x360Recover /organization at {http.describe_url(str(api.base))}: "
                         f"likely a wrong --base-url - the x360Recover API answers unknown routes with 401, "
                         f"so a 404 comes from another server (documented base: {DEFAULT_BASE_URL})")
    raise _status_error(answer, api.key, api.base)


def _route_shape(answer: http.Answer) -> bool:
    """401 {"code": 401, "msg": ...}: the API's answer to an unknown route or a
    non-numeric id (not to a bad key, which is {"message": ...})."""
    body = _json_or_none(answer.body)
    return isinstance(body, dict) and body.get("code") == 401 and "msg" in body


def _unauthorised(answer: http.Answer, api: "_Api", *, probing: bool) -> FetchError:
    path = httpx.URL(answer.url).path
    where = f"x360Recover {path} at {http.describe_url(str(api.base))}"
    body = _json_or_none(answer.body)
    route_shape = _route_shape(answer)
    key_shape = isinstance(body, dict) and set(body) == {"message"}
    wrong_path = not api.base.path.rstrip("/").endswith(DOCUMENTED_PATH)
    if not probing:
        return FetchError(f"HTTP 401 from {where}, although the key was accepted moments ago: the API answers "
                          f"401 for a route it does not have or a non-numeric id, so this API version likely "
                          f"lacks {path}")
    if route_shape or (wrong_path and not key_shape):
        return FetchError(f"HTTP 401 from {where}: likely a wrong --base-url, not a bad key - the answer has the "
                          f"shape the API gives unknown routes, for /organization and /client, routes every "
                          f"version has. The documented base is {DEFAULT_BASE_URL}")
    hint = (" The base URL does not end in /x360recover: check it as well." if wrong_path else "")
    return AuthError(f"HTTP 401 from {where}: likely a bad API key (the answer has the API's bad-key shape, for "
                     f"/organization, a route every version has). Create a key in x360Portal > Settings > API "
                     f"Keys and store it with `xlbilling auth set x360recover`.{hint}")


class _Api:
    """GETs against the base URL: busy-answer backoff, status mapping, paging."""

    def __init__(self, base: httpx.URL, key: ApiKey, settings: X360Settings, say: Callable[[str], None],
                 sleep: Callable[[float], None] = time.sleep):
        self.base, self.key, self.settings, self.say, self.sleep = base, key, settings, say, sleep
        self.client: httpx.Client | None = None
        self.probed = False

    def url(self, path: str) -> httpx.URL:
        return self.base.copy_with(path=self.base.path.rstrip("/") + path)

    def raw(self, path: str, params: dict | None) -> http.Answer:
        """One GET, waiting out 429/403/504 a bounded number of times."""
        for attempt in range(self.settings.busy_retries + 1):
            answer = http.get(self.client, self.url(path), key_header=KEY_HEADER, key=self.key, params=params,
                              accept="application/json", settings=self.settings.http,
                              retry_safe_failures=True, on_retry=self.say, caller_retries=(504,))
            if answer.status not in BUSY or _permission_refusal(answer):
                return answer
            if attempt == self.settings.busy_retries:
                raise _busy_error(answer, self, attempt + 1)
            wait_s, why = _busy_wait(answer, self.settings.max_wait_s)
            self.say(f"HTTP {answer.status} from {path} ({BUSY[answer.status]}): {why}; waiting {wait_s:g} s "
                     f"(retry {attempt + 1} of {self.settings.busy_retries})")
            self.sleep(wait_s)
        raise AssertionError("unreachable")

    def decode(self, answer: http.Answer):
        try:
            return json.loads(answer.body.decode("utf-8-sig"))
        except ValueError:
            raise FetchError(f"x360Recover {httpx.URL(answer.url).path}: the answer is not valid JSON "
                             f"(truncated?); nothing was written, try again") from None

    def get_json(self, path: str, params: dict | None, *, optional: bool = False):
        """JSON of a 200; None for an optional route the API does not have
        (404, or 401 after the probe showed the key is good)."""
        answer = self.raw(path, params)
        if answer.status == 200:
            return self.decode(answer)
        if optional and (answer.status == 404 or (answer.status == 401 and self.probed)):
            return None
        if answer.status == 401:
            raise _unauthorised(answer, self, probing=not self.probed)
        raise _status_error(answer, self.key, self.base)

    def records(self, path: str, params: dict | None, *, optional: bool = False) -> list[dict] | None:
        data = self.get_json(path, params, optional=optional)
        return None if data is None else _unwrap(data, path)

    def list(self, path: str, *, optional: bool = False) -> list[dict] | None:
        items: list[dict] = []
        seen: set = set()
        for page_no, page in enumerate(self._pages(path, optional=optional), 1):
            if page is None:
                return None
            fresh = [x for x in page if _key(_id(x, path)) not in seen]
            seen.update(_key(_id(x, path)) for x in fresh)
            items.extend(fresh)
            if page and (page_no > 1 or len(page) >= self.settings.page_size):
                self.say(f"{path}: page {page_no}, {len(items)} so far")
        return items

    def _pages(self, path: str, *, optional: bool) -> Iterator[list[dict] | None]:
        """limit/offset paging (the document's `/device`), tolerant of a server
        that ignores it: next offset until a page is empty, longer than `limit`
        (paging ignored) or repeats ids (offset ignored).  A short page is not
        the last: a server may cap the page size below `limit`."""
        limit, offset = self.settings.page_size, 0
        seen_ids: set = set()
        for _ in range(MAX_PAGES):
            data = self.get_json(path, {"limit": limit, "offset": offset}, optional=optional and offset == 0)
            if data is None:
                yield None
                return
            items = _unwrap(data, path)
            ids = [_key(_id(x, path)) for x in items]
            repeated = bool(ids) and all(i in seen_ids for i in ids)
            seen_ids.update(ids)
            yield items
            offset += len(items)
            if repeated or not items or len(items) > limit:
                return
        raise FetchError(f"x360Recover {path}: more than {MAX_PAGES} pages - the server keeps paging; "
                         f"nothing was written")


def _permission_refusal(answer: http.Answer) -> bool:
    """A 403 the API explains as missing permissions (problem+json
    ForbiddenException / "Not enough permissions") is not DDoS protection."""
    if answer.status != 403:
        return False
    body = _json_or_none(answer.body)
    return isinstance(body, dict) and (body.get("type") == "ForbiddenException"
                                       or "permission" in str(body.get("detail", "")).lower())


def _busy_wait(answer: http.Answer, cap_s: float) -> tuple[float, str]:
    if answer.status == 429:
        asked = _retry_after_s(answer.headers.get("retry-after"))
        wanted, why = (asked, f"Retry-After {asked:g} s") if asked is not None else (WAIT_429_S, "no Retry-After")
    elif answer.status == 403:
        wanted, why = WAIT_403_S, "a 403 without a permission message may be DDoS protection"
    else:
        wanted, why = WAIT_504_S, "the API's gateway gave up waiting for the service"
    if wanted > cap_s:
        why += f", capped at --max-wait {cap_s:g} s"
    return min(wanted, cap_s), why


def _retry_after_s(value: str | None) -> float | None:
    """Retry-After as seconds or an HTTP date (RFC 9110); None if absent/unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def _busy_error(answer: http.Answer, api: _Api, attempts: int) -> FetchError:
    path = httpx.URL(answer.url).path
    where = f"x360Recover {path} at {http.describe_url(str(api.base))}"
    tried = f"after {attempts} attempts"
    if answer.status == 429:
        retry = _retry_after_s(answer.headers.get("retry-after"))
        return RateLimitedError(f"HTTP 429 from {where} {tried}: the API's rate limit (none is published); wait "
                                f"{f'{retry:g} s' if retry is not None else 'a few minutes'} and run again",
                                retry_after_s=retry)
    if answer.status == 403:
        return NotAllowedError(f"HTTP 403 from {where} {tried}, waiting between: likely DDoS protection blocking "
                               f"this address for longer, or the key lacks permission for {path} (x360Portal > "
                               f"Settings > API Keys); try later, then check the key")
    return FetchError(f"HTTP 504 from {where} {tried}: the API's gateway timed out each time (a vendor-side "
                      f"problem, often a large listing); try again later")


def _unwrap(data: object, path: str) -> list[dict]:
    """A JSON array of records; a single record object (as the document
    literally describes `/vault`, `/appliance` and `/client`) is a list of one."""
    if isinstance(data, dict) and ("id" in data or "id_" in data):
        data = [data]
    if not isinstance(data, list):
        keys = sorted(data)[:10] if isinstance(data, dict) else type(data).__name__
        raise FetchError(f"x360Recover {path}: expected a JSON list of records, found {keys}")
    bad = [x for x in data if not isinstance(x, dict)]
    if bad:
        raise FetchError(f"x360Recover {path}: expected objects in the list, found {type(bad[0]).__name__}")
    return data


def _status_error(answer: http.Answer, key: ApiKey, base: httpx.URL) -> FetchError:
    path = httpx.URL(answer.url).path
    where = f"x360Recover {path} at {http.describe_url(str(base))}"
    detail = _detail(answer.body, key)
    said = f" The server said: {detail!r}." if detail else ""
    if answer.status == 403:
        return NotAllowedError(f"HTTP 403 from {where}: the key lacks permission for this endpoint. Edit the key "
                               f"in x360Portal > Settings > API Keys and enable x360Recover access.{said}")
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


def _json_or_none(body: bytes):
    try:
        return json.loads(body[:2000].decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return None


def _detail(body: bytes, key: ApiKey) -> str:
    from xlbilling.fetch.secrets import server_summary

    return server_summary(body, key)  # key-free in every encoding, or nothing


def _path_id(value: object, what: str) -> str:
    """An id put in a path must be a number: the API answers a non-numeric id
    with 401, which would look like a bad key."""
    text = str(value).strip()
    if not text.isdigit():
        raise FetchError(f"x360Recover: {what} id {value!r} is not a number; the API would answer 401 for it")
    return text
