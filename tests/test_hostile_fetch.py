"""Issue 11, misbehaving servers over real sockets on 127.0.0.1: a body that
drips past the whole-answer deadline, bodies larger than the cap, and servers
echoing the API key in every form - none of it reaches a message or a file."""
from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from xlbilling.errors import FetchError
from xlbilling.fetch import http
from xlbilling.fetch.secrets import ApiKey, key_in, server_summary

KEY = "Zx9+Qm/4TrLw8kPa2vNc7YhB3eJ"   # 27 characters with + and /, like a base64 key


class Server:
    """One canned behaviour per path; runs in a thread."""

    def __init__(self):
        self.routes: dict[str, callable] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                try:
                    outer.routes[self.path.split("?")[0]](self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.stop()


def _get(url: str, **settings) -> http.Answer:
    cfg = http.HttpSettings(retries=0, **settings)
    with http.make_client(http.check_url(url, what="url"), cfg) as client:
        return http.get(client, url, key_header="X-API-KEY", key=ApiKey(KEY, "test"), settings=cfg,
                        retry_safe_failures=False)


def _send(handler, status: int, body: bytes, *, length: bool = True, ctype: str = "text/plain"):
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    else:
        handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    if length:
        handler.wfile.write(body)
    else:
        handler.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))


def test_a_dripping_body_is_cut_off_at_the_whole_answer_deadline(server):
    def drip(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/csv")
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(1000):     # one byte every 0.4 s: each read is quick, the whole takes 400 s
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.4)
    server.routes["/drip"] = drip
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"did not finish its answer within 2 s"):
        _get(server.url("/drip"), read_timeout_s=2)
    assert time.monotonic() - started < 6   # deadline 2 s plus one drip interval, not 400 s


def test_announced_and_streamed_bodies_above_the_cap_are_refused(server):
    server.routes["/big"] = lambda h: _send(h, 200, b"x" * 5000)
    server.routes["/chunked"] = lambda h: _send(h, 200, b"y" * 5000, length=False)
    with pytest.raises(FetchError, match=r"announced an answer of 5,000 bytes; answers above 1,000 bytes"):
        _get(server.url("/big"), max_body_bytes=1000)
    with pytest.raises(FetchError, match=r"sent more than 1,000 bytes"):
        _get(server.url("/chunked"), max_body_bytes=1000)
    assert _get(server.url("/big"), max_body_bytes=5000).body == b"x" * 5000


ZW = "\u200b"
ECHOES = {
    "plain": KEY,
    "json_escaped_slash": KEY.replace("/", "\\/"),
    "json_unicode_plus": KEY.replace("+", "\\u002B").replace("/", "\\u002f"),
    "url_encoded": urllib.parse.quote(KEY, safe=""),
    "url_encoded_twice": urllib.parse.quote(urllib.parse.quote(KEY, safe=""), safe=""),
    "nul_split": "\0".join(KEY),
    "zero_width_split": ZW.join(KEY),
    "html_entities": "".join(f"&#{ord(c)};" for c in KEY),
    "half_the_key": KEY[6:20],                    # 14 of 27 characters
    "beyond_400_bytes": "x" * 5000 + KEY,
}


@pytest.mark.parametrize("form", sorted(ECHOES))
def test_no_form_of_an_echoed_key_reaches_the_message(server, form):
    echo = ECHOES[form]
    body = json.dumps({"message": f"invalid key {echo}"}, ensure_ascii=False).encode("utf-8")
    if form == "json_unicode_plus":
        body = b'{"message": "invalid key ' + echo.encode() + b'"}'
    server.routes["/echo"] = lambda h: _send(h, 401, body, ctype="application/json")
    answer = _get(server.url("/echo"))
    summary = server_summary(answer.body, ApiKey(KEY, "t"))
    assert summary.startswith("<hidden>")
    squashed = "".join(ch for ch in summary if ch.isalnum()).lower()
    assert not any(KEY.lower()[i:i + 6].replace("+", "").replace("/", "") in squashed
                   for i in range(0, len(KEY) - 6))


def test_an_ordinary_error_body_is_still_summarised(server):
    server.routes["/err"] = lambda h: _send(h, 403, json.dumps({"message": "IP 203.0.113.9 not allowed"}).encode(),
                                            ctype="application/json")
    answer = _get(server.url("/err"))
    assert server_summary(answer.body, ApiKey(KEY, "t")) == "IP 203.0.113.9 not allowed"
    # control and bidi characters dropped (the ESC goes, so '[2J' is inert text)
    assert server_summary("\x1b[2Jbad\x00 thing\u202e".encode(), ApiKey(KEY, "t")) == "[2Jbad thing"


def test_a_success_body_holding_the_key_is_never_saved(server):
    server.routes["/report"] = lambda h: _send(h, 200, ("Customer,Key\nA," + ECHOES["url_encoded"]).encode())
    with pytest.raises(FetchError, match="contains the API key; nothing was saved"):
        _get(server.url("/report"))


def test_key_detection_has_no_false_alarm_on_ordinary_text():
    key = ApiKey(KEY, "t")
    assert not key_in(b"Customer,Object Name\nContoso,Alice Smith\n" * 100, key)
    assert key_in(KEY.encode(), key)


def test_fetch_cli_drip_and_echo_end_clean(server, tmp_path, monkeypatch, capsys):
    from xlbilling.commands.cli import main

    monkeypatch.setenv("XLBILLING_ALTARO_API_KEY", KEY)
    monkeypatch.setenv("XLBILLING_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "state").mkdir()
    server.routes["/altaro/r/1"] = lambda h: _send(h, 401, ("nope " + ECHOES["nul_split"]).encode())
    out = tmp_path / "a.csv"
    code = main(["fetch", "altaro", "--link", server.url("/altaro/r/1"), "--month", "2026-10", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "HTTP 401" in err and "<hidden>" in err and not out.exists()
    assert "Traceback" not in err and KEY[:8] not in err
    code = main(["fetch", "altaro", "--link", server.url("/altaro/r/1"), "--month", "2026-10", "--out", str(out),
                 "--timeout", "nan"])
    assert code == 2 and "--timeout: expected seconds" in capsys.readouterr().err


def test_a_server_dripping_its_headers_is_cut_off_too(server):
    def drip_everything(h):
        h.close_connection = True
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 3\r\n\r\nabc":
            h.wfile.write(bytes([byte]))   # the status line and headers a byte at a time
            h.wfile.flush()
            time.sleep(0.4)
    server.routes["/slowhead"] = drip_everything
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"did not finish its answer within 2 s"):
        _get(server.url("/slowhead"), read_timeout_s=2)
    assert time.monotonic() - started < 5   # ~2.5 s, not the ~30 s the whole answer takes
