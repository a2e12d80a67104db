"""A small local stand-in for the two vendor APIs, written from the vendor
documents (seeds/003, BILLING_RULES.md 5, FORMATS.md, Axcient's x360Recover
OpenAPI), served over real sockets on 127.0.0.1 by the tests.

Altaro report link (GET /altaro/<link token>):
  - X-API-KEY must match, else `wrong_key_status` (401 by default);
  - at most one call per `window_s` per link: sooner gets `limited_status`
    (403, or 400: the KB says "Forbidden" or "Bad Request");
  - optional IP allow-list: other callers get 403;
  - serves CSV or JSON.
x360Recover (GET /x360recover/{client, client/<id>/device, device, vault}):
  - x-api-key must match, else 401 {"message": "Unauthorized"};
  - JSON arrays, paged with limit/offset.
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
    # x360recover
    clients: list[dict] = field(default_factory=list)
    devices: list[dict] = field(default_factory=list)  # each with client_id
    vaults: list[dict] = field(default_factory=list)
    paging: str = "limit_offset"            # "ignore" (everything at once), "wrapped_next"
                                            # ({"data": [...], "next": url} pages of `wrapped_page_size`)
    wrapped_page_size: int = 4
    max_page_size: int = 1000               # limit_offset: the server's own cap on `limit`
    redirect_to: str | None = None          # answer every call with a 302 to this URL
    org_device_endpoint: bool = True        # False: /device answers 404 (older API versions)
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
        segs = [s for s in path.split("/") if s]
        if segs == ["client"]:
            items = b.clients
        elif segs == ["device"] and b.org_device_endpoint:
            items = b.devices
        elif len(segs) == 3 and segs[0] == "client" and segs[2] == "device":
            if not any(str(c["id"]) == segs[1] for c in b.clients):
                return self._send(404, b'{"title": "Client not found", "status": 404}', "application/problem+json")
            items = [{k: v for k, v in d.items() if k != "client_id"} for d in b.devices
                     if str(d.get("client_id")) == segs[1]]
        elif segs == ["vault"]:
            items = b.vaults
        else:
            return self._send(404, b'{"title": "Not found", "status": 404}', "application/problem+json")
        if b.paging == "wrapped_next":
            start = int(query.get("start", 0))
            page = items[start:start + b.wrapped_page_size]
            more = start + b.wrapped_page_size < len(items)
            nxt = f"/x360recover{path}?start={start + b.wrapped_page_size}" if more else None
            return self._send(200, json.dumps({"data": page, "next": nxt}).encode(), "application/json")
        if b.paging == "limit_offset":
            offset = int(query.get("offset", 0))
            limit = min(int(query.get("limit", 1000)), b.max_page_size)
            items = items[offset:offset + limit]
        return self._send(200, json.dumps(items).encode(), "application/json")

    # -- sending -------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str):
        b = self.fake.behaviour
        self.send_response(status)
        self.send_header("Content-Type", ctype)
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
