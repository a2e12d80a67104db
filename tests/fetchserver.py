"""A small local stand-in for the two vendor APIs, written from the vendor
documents (seeds/003, BILLING_RULES.md 5, FORMATS.md, Axcient's x360Recover
OpenAPI), served over real sockets on 127.0.0.1 by the tests.

Altaro report link (GET /altaro/<link token>):
  - X-API-KEY must match, else `wrong_key_status` (401 by default);
  - at most one call per `window_s` per link: sooner gets `limited_status`
    (403, or 400: the KB says "Forbidden" or "Bad Request");
  - optional IP allow-list: other callers get 403;
  - serves CSV or JSON.
x360Recover (GET /x360recover/...): answers as the x360Recover API's OpenAPI
document 0.3.1 (tests/data/x360Recover-0.3.1.yaml) and the public clients'
notes on it describe, and every answer it sends is checked against the
document (tests/openapi_doc.py; problems collect in `FakeVendor.schema_problems`
and the fixture fails the test on any):
  - `x-api-key` must match, else 401 {"message": "Unauthorized"} (bad key);
  - an unknown route or a non-numeric id answers 401 {"code": 401, "msg":
    "Unauthorized"} (observed by adamburley/AxcientAPI ApiNotes.md, handled by
    WYRE-AI/node-axcient), never 404; a missing client is 404 problem+json;
  - /organization, /client, /device (limit/offset), /client/<id>/device,
    /appliance?include_devices, /vault (limit, NO offset: the same first
    vaults come back whatever offset says);
  - `busy`: answers to send before behaving, e.g. (429, {"Retry-After": "1"},
    None), (403, {}, None) for DDoS protection, (504, {}, None) for the gateway.
Modelled, not observed: /vault without `limit` answers at most
`vault_default_limit` vaults (the document states no default), and
`vault_cap` makes the server cut any /vault answer silently.
Fault injection for both: `delay_s` (slow), `truncate` (fewer bytes than
Content-Length, then close), `truncate_no_length` (cut mid-line, no
Content-Length), `fail_next` (that many 503s before behaving).
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

try:
    from openapi_doc import check_response
except ModuleNotFoundError:
    from tests.openapi_doc import check_response

ALTARO_CSV = (
    "Customer,Object Type Backed Up,Object Name,Month\r\n"
    "Contoso,Mailbox,Alice Smith,2026-10\r\n"
    "Contoso,OneDrive,Alice Smith,2026-10\r\n"
    "Contoso,Mailbox,Bob Jones,2026-10\r\n"
    "Fabrikam,User Teams Chats,Carol White,2026-10\r\n"
    "Fabrikam,SharePoint Site,Team Site,2026-10\r\n"
)


@dataclass
class Behaviour:
    api_key: str = "k-TEST-not-a-real-key-7f3a9c"
    # altaro
    window_s: float = 300.0
    limited_status: int = 403
    wrong_key_status: int = 401
    allowed_ips: tuple[str, ...] | None = None
    altaro_format: str = "csv"
    altaro_body: bytes | None = None
    count_refused_calls: bool = True       # a refused call restarts the window (worst case)
    # x360recover (shapes: tests/data/x360Recover-0.3.1.yaml)
    organization: dict = field(default_factory=lambda: {"id": 7, "name": "Example MSP", "active": True,
                                                          "brand_id": "brand", "salesforce_id": "sf-1"})
    clients: list[dict] = field(default_factory=list)     # org_level_client
    devices: list[dict] = field(default_factory=list)     # org_level_device, each with client_id
    vaults: list[dict] = field(default_factory=list)      # org_level_vault with org_level_short_device entries
    appliances: list[dict] = field(default_factory=list)  # org_level_appliance with devices
    paging: str = "limit_offset"            # /device: "limit_offset" as documented, "ignore" (all at once)
    max_page_size: int = 1000               # limit_offset: the server's own cap on `limit`
    vault_default_limit: int = 100          # /vault without `limit` (modelled: the document states none)
    vault_cap: int | None = None            # cut every /vault answer to this many, silently (modelled)
    redirect_to: str | None = None          # answer every call with a 302 to this URL
    org_device_endpoint: bool = True        # False: /device is an unknown route (401, as the API answers)
    appliance_endpoint: bool = True         # False: /appliance is an unknown route (401)
    organization_endpoint: bool = True      # False: /organization is an unknown route (401)
    busy: list[tuple[int, dict, bytes | None]] = field(default_factory=list)  # (status, headers, body) first
    # faults
    delay_s: float = 0.0
    truncate: bool = False
    truncate_no_length: bool = False
    fail_next: int = 0
    echo_key_in_errors: bool = False        # a hostile server echoing the key back


class FakeVendor:
    def __init__(self):
        self.behaviour = Behaviour()
        self.requests: list[dict] = []
        self.schema_problems: list[str] = []   # x360Recover answers that are not the document's
        self.last_call: dict[str, float] = {}
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------
    def start(self) -> "FakeVendor":
        vendor = self

        class Handler(_Handler):
            fake = vendor

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def altaro_link(self, token: str = "r/3f9a1c") -> str:
        return f"{self.base}/altaro/{token}"

    def calls(self, prefix: str) -> list[dict]:
        return [r for r in self.requests if r["path"].startswith(prefix)]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeVendor
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        b = self.fake.behaviour
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.fake.lock:
            self.fake.requests.append({"path": parts.path, "query": query,
                                       "headers": {k.lower(): v for k, v in self.headers.items()},
                                       "client": self.client_address[0], "time": time.time()})
            failing = b.fail_next > 0
            if failing:
                b.fail_next -= 1
        if b.delay_s:
            time.sleep(b.delay_s)
        if b.redirect_to:
            self.send_response(302)
            self.send_header("Location", b.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if failing:
            return self._send(503, b'{"message": "Service Unavailable"}', "application/json")
        if parts.path.startswith("/altaro/"):
            return self._altaro(parts.path, b)
        if parts.path.startswith("/x360recover/"):
            return self._x360(parts.path[len("/x360recover"):], query, b)
        return self._send(404, b"not found", "text/plain")

    # -- Altaro ------------------------------------------------------------
    def _altaro(self, path: str, b: Behaviour):
        key = self.headers.get("X-API-KEY")
        if b.allowed_ips is not None and self.client_address[0] not in b.allowed_ips:
            return self._send(403, b"Forbidden", "text/plain")
        if key != b.api_key:
            body = f"Invalid API key {key}" if b.echo_key_in_errors else "Invalid API key"
            return self._send(b.wrong_key_status, body.encode(), "text/plain")
        now = time.time()
        with self.fake.lock:
            last = self.fake.last_call.get(path)
            too_soon = last is not None and now - last < b.window_s
            if not too_soon or b.count_refused_calls:
                self.fake.last_call[path] = now
        if too_soon:
            return self._send(b.limited_status, b"Forbidden" if b.limited_status == 403 else b"Bad Request",
                              "text/plain")
        if b.altaro_body is not None:
            body, ctype = b.altaro_body, "text/csv" if b.altaro_format == "csv" else "application/json"
        elif b.altaro_format == "json":
            lines = ALTARO_CSV.strip().split("\r\n")
            head = lines[0].split(",")
            body = json.dumps([dict(zip(head, ln.split(","))) for ln in lines[1:]]).encode()
            ctype = "application/json"
        else:
            body, ctype = ALTARO_CSV.encode(), "text/csv; charset=utf-8"
        return self._send(200, body, ctype)

    # -- x360Recover -------------------------------------------------------
    def _x360(self, path: str, query: dict, b: Behaviour):
        if self.headers.get("x-api-key") != b.api_key:
            return self._send(401, b'{"message": "Unauthorized"}', "application/json")
        with self.fake.lock:
            busy = b.busy.pop(0) if b.busy else None
        if busy is not None:
            status, headers, body = busy
            if body is None:
                body = (b'{"detail": "Request blocked", "status": 403, "title": "Forbidden"}' if status == 403
                        else json.dumps({"message": f"HTTP {status}"}).encode())
            return self._send(status, body, "application/json", headers=headers, x360_path=path)
        status, body = self._x360_answer([s for s in path.split("/") if s], query, b)
        if status == 401:   # ApiNotes.md: an unknown route or a non-numeric id
            return self._send(401, b'{"code": 401, "msg": "Unauthorized"}', "text/html; charset=utf-8")
        if status == 404:
            problem = {"detail": "Client with such id is not found", "status": 404, "title": "Client not found",
                       "type": "NotFoundException"}
            return self._send(404, json.dumps(problem).encode(), "application/problem+json", x360_path=path)
        return self._send(200, json.dumps(body).encode(), "application/json", x360_path=path, x360_body=body)

    def _x360_answer(self, segs: list[str], query: dict, b: Behaviour) -> tuple[int, object]:
        if segs == ["organization"] and b.organization_endpoint:
            return 200, b.organization
        if segs == ["client"]:
            return 200, b.clients
        if segs == ["device"] and b.org_device_endpoint:
            items = b.devices
            if b.paging == "limit_offset":
                offset = int(query.get("offset", 0))
                limit = min(int(query.get("limit", 1000)), b.max_page_size)
                items = items[offset:offset + limit]
            return 200, items
        if len(segs) == 3 and segs[0] == "client" and segs[2] == "device" and segs[1].isdigit():
            if not any(str(c["id"]) == segs[1] for c in b.clients):
                return 404, None
            return 200, [d for d in b.devices if str(d.get("client_id")) == segs[1]]
        if segs == ["appliance"] and b.appliance_endpoint:
            keep = query.get("include_devices", "true").lower() != "false"
            return 200, [a if keep else {k: v for k, v in a.items() if k != "devices"} for a in b.appliances]
        if segs == ["vault"]:
            # The document's /vault has `limit` and no `offset`: offset is ignored.
            limit = int(query.get("limit", b.vault_default_limit))
            items = b.vaults[:limit]
            return 200, items[:b.vault_cap] if b.vault_cap is not None else items
        return 401, None

    # -- sending -------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str, *, headers: dict | None = None,
              x360_path: str | None = None, x360_body: object = None):
        b = self.fake.behaviour
        if x360_path is not None:
            problems = check_response("GET", x360_path, status, x360_body)
            with self.fake.lock:
                self.fake.schema_problems.extend(problems)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status == 200 and b.truncate_no_length:
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: max(1, len(body) * 2 // 3)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        if status == 200 and b.truncate:
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.end_headers()
        self.wfile.write(body)
