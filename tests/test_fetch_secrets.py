"""API keys: `xlbilling auth`, the keyring/environment lookup, and that a key
never appears in any output, log or file - checked end to end with the real
command in a subprocess against the local vendor server."""
from __future__ import annotations

import io
import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

try:
    from fetch_helpers import (KEY, keys, memory_keyring, no_reader, run_cli,  # noqa: F401
                               state_dir, vendor)
except ModuleNotFoundError:
    from tests.fetch_helpers import (KEY, keys, memory_keyring, no_reader, run_cli,  # noqa: F401
                                     state_dir, vendor)

from xlbilling.errors import AuthError
from xlbilling.fetch import secrets

ROOT = Path(__file__).resolve().parents[1]


def test_api_key_hides_itself():
    key = secrets.ApiKey("s3cr3t-value", "test")
    for text in (repr(key), str(key), f"{key}", f"{key!r}", "%s" % key, repr([key]), repr({"k": key})):
        assert "s3cr3t-value" not in text
    assert key.reveal() == "s3cr3t-value"
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_environment_variable_beats_keyring(monkeypatch, memory_keyring):
    memory_keyring.set_password("xlbilling", "x360recover", "from-keyring")
    monkeypatch.delenv("XLBILLING_X360RECOVER_API_KEY", raising=False)
    assert secrets.get_key("x360recover").reveal() == "from-keyring"
    monkeypatch.setenv("XLBILLING_X360RECOVER_API_KEY", " from-env \n")
    key = secrets.get_key("x360recover")
    assert key.reveal() == "from-env" and "environment variable" in key.source


def test_control_characters_are_refused_without_echoing(monkeypatch, memory_keyring):
    monkeypatch.setenv("XLBILLING_ALTARO_API_KEY", "abc\r\nX-Injected: 1")
    with pytest.raises(AuthError) as err:
        secrets.get_key("altaro")
    assert "abc" not in str(err.value) and "control characters" in str(err.value)


def test_auth_set_from_stdin_stores_per_link_and_never_prints(monkeypatch, capsys, memory_keyring):
    monkeypatch.delenv("XLBILLING_ALTARO_API_KEY", raising=False)
    link_a, link_b = "https://cmc.example/api/a", "https://cmc.example/api/b"
    monkeypatch.setattr(sys, "stdin", io.StringIO("key-for-link-a\n"))
    assert run_cli(["auth", "set", "altaro", "--link", link_a]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("general-altaro-key\n"))
    assert run_cli(["auth", "set", "altaro"]) == 0
    assert run_cli(["auth", "status", "altaro", "--link", link_a]) == 0
    captured = capsys.readouterr()
    assert "key-for-link-a" not in captured.out + captured.err
    assert "general-altaro-key" not in captured.out + captured.err
    assert f"altaro:{secrets.link_id(link_a)}" in captured.out          # where, never what
    assert secrets.get_key("altaro", link=link_a).reveal() == "key-for-link-a"
    assert secrets.get_key("altaro", link=link_b).reveal() == "general-altaro-key"
    assert run_cli(["auth", "delete", "altaro", "--link", link_a]) == 0
    assert secrets.get_key("altaro", link=link_a).reveal() == "general-altaro-key"


def test_auth_set_without_a_keyring_points_to_the_environment_variable(monkeypatch, capsys):
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        monkeypatch.setattr(sys, "stdin", io.StringIO("some-key-value\n"))
        assert run_cli(["auth", "set", "x360recover"]) == 2
    finally:
        keyring.set_keyring(previous)
    err = capsys.readouterr().err
    assert "XLBILLING_X360RECOVER_API_KEY" in err and "some-key-value" not in err


def test_key_is_not_in_debug_logs(vendor, tmp_path, state_dir, caplog):
    caplog.set_level(logging.DEBUG)
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10",
                    "--out", str(tmp_path / "a.csv")]) == 0
    assert caplog.records                                  # httpx/httpcore did log
    assert KEY not in caplog.text


def _cli(args, env, cwd):
    code = ("import sys, xlbilling.commands.cli as c; "
            "c.COMMANDS = ('xlbilling.commands.fetch', 'xlbilling.commands.auth'); "
            "sys.modules['xlbilling.readers'] = type(sys)('xlbilling.readers'); "
            "raise SystemExit(c.main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=cwd, capture_output=True,
                          timeout=60)


def test_key_appears_in_no_output_log_or_file_end_to_end(vendor, tmp_path):
    """The issue's check: run the real commands (success, refusals, failures),
    then search every output and every file produced for the key."""
    secret = "ZZ-unique-key-4b1d-9e77-do-not-leak"
    vendor.behaviour.api_key = secret
    work, state = tmp_path / "work", tmp_path / "state"
    work.mkdir()
    env = {**os.environ, "XLBILLING_STATE_DIR": str(state), "XLBILLING_ALTARO_API_KEY": secret,
           "XLBILLING_X360RECOVER_API_KEY": secret, "PYTHONPATH": str(ROOT)}
    vendor.behaviour.clients = [{"id": 1, "name": "Contoso"}]
    vendor.behaviour.devices = [{"id": 9, "client_id": 1, "name": "DC", "type": "SERVER", "d2c": False,
                                 "vaults": [{"id": 3, "type": "Cloud"}], "local_usage": 5, "cloud_usage": 6}]
    vendor.behaviour.vaults = [{"id": 3, "type": "Cloud", "devices": [{"id": 9}]}]  # /vault lists the device's vault
    link = vendor.altaro_link()
    runs = [
        _cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", "a.csv"], env, work),
        _cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", "b.csv"], env, work),  # too soon
        _cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", "c.csv", "--reuse-last"], env, work),
        _cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", "-", "--reuse-last"], env, work),
        _cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", "d.csv",
              "--min-interval-s", "0"], env, work),                                           # server's 403
        _cli(["fetch", "x360recover", "--base-url", f"{vendor.base}/x360recover", "--month", "2026-10",
              "--out", "x.csv"], env, work),
        _cli(["fetch", "x360recover", "--base-url", f"{vendor.base}/x360recover", "--month", "2026-10",
              "--out", "x.xlsx"], env, work),
        _cli(["auth", "status", "altaro"], env, work),
    ]
    vendor.behaviour.echo_key_in_errors = True
    wrong_env = {**env, "XLBILLING_ALTARO_API_KEY": secret + "-wrong"}
    runs.append(_cli(["fetch", "altaro", "--link", vendor.altaro_link("other"), "--month", "2026-10",
                      "--out", "e.csv"], wrong_env, work))
    vendor.behaviour.truncate = True
    runs.append(_cli(["fetch", "x360recover", "--base-url", f"{vendor.base}/x360recover", "--month", "2026-10",
                      "--out", "y.csv"], env, work))
    assert [r.returncode for r in runs] == [0, 2, 0, 0, 2, 0, 0, 0, 2, 2], [r.stderr for r in runs]
    needle = secret.encode()
    for r in runs:
        assert needle not in r.stdout and needle not in r.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {p.name for p in work.iterdir()} == {"a.csv", "c.csv", "x.csv", "x.xlsx"}
    assert any(p.parent == state for p in files)
    for path in files:
        assert needle not in path.read_bytes(), path
        if path.suffix == ".xlsx":                        # compressed: look inside too
            import zipfile
            with zipfile.ZipFile(path) as z:
                assert all(needle not in z.read(n) for n in z.namelist())
    # and the server really received it, so the search above could have found it
    assert all(r["headers"].get("x-api-key", "").startswith(secret) for r in vendor.requests)


def test_non_ascii_key_is_refused_without_echoing(monkeypatch):
    monkeypatch.setenv("XLBILLING_ALTARO_API_KEY", "abc\u00a0def\u201d")
    with pytest.raises(AuthError) as err:
        secrets.get_key("altaro")
    assert "abc" not in str(err.value) and "non-ASCII" in str(err.value)


def test_tls_certificates_are_always_verified(tmp_path, state_dir, capsys, keys):
    """An https server on loopback with a self-signed certificate is refused:
    verification is on even where plain http would be allowed."""
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    cert, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(key_file), "-out", str(cert)], check=True, capture_output=True)
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.headers.get("X-API-KEY"))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        link = f"https://127.0.0.1:{server.server_address[1]}/altaro/x"
        assert run_cli(["fetch", "altaro", "--link", link, "--month", "2026-10",
                        "--out", str(tmp_path / "a.csv")]) == 2
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert "TLS certificate" in err and "could not be verified" in err
    assert hits == []                                  # the key never went over the unverified connection
    assert not (tmp_path / "a.csv").exists()


@pytest.mark.parametrize("url,ok", [
    ("https://cmc.example.com/api/report/1", True),
    ("http://127.0.0.1:8080/x", True),
    ("http://127.9.9.9/x", True),
    ("http://localhost:1/x", True),
    ("http://[::1]:1/x", True),
    ("http://10.0.0.5/x", False),
    ("http://cmc.example.com/x", False),
    ("http://127.0.0.1.evil.example/x", False),
    ("ftp://127.0.0.1/x", False),
    ("not a url", False),
])
def test_only_https_or_loopback_http_is_accepted(url, ok):
    from xlbilling.errors import FetchError
    from xlbilling.fetch.http import check_url

    if ok:
        check_url(url, what="--link")
    else:
        with pytest.raises(FetchError):
            check_url(url, what="--link")
