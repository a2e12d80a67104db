"""The Altaro report API link client, over real sockets against tests/fetchserver.py.

Covers: the key header, CSV and JSON bodies, the 5-minute rule (local refusal,
--reuse-last, and the server's 403/400 right after a call), allow-list and
wrong-key answers, no retries once the server answered, a timeout, truncated
bodies, and that a failed fetch writes nothing."""
from __future__ import annotations

import json
import socket

import pytest

try:  # tests/ is on sys.path (pytest's default rootdir-less import mode) ...
    from fetch_helpers import (KEY, keys, memory_keyring, no_reader, real_reader, run_cli,  # noqa: F401
                               state_dir, vendor)
    from fetchserver import ALTARO_CSV
except ModuleNotFoundError:  # ... or tests is a package
    from tests.fetch_helpers import (KEY, keys, memory_keyring, no_reader, real_reader, run_cli,  # noqa: F401
                                     state_dir, vendor)
    from tests.fetchserver import ALTARO_CSV


def test_fetches_csv_with_key_header_and_saves_it_as_served(vendor, tmp_path, state_dir, capsys):
    out = tmp_path / "altaro.csv"
    code = run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    calls = vendor.calls("/altaro/")
    assert len(calls) == 1 and calls[0]["headers"]["x-api-key"] == KEY
    assert out.read_bytes() == ALTARO_CSV.encode()
    assert captured.out == ""                       # data never goes to stdout unless --out -
    assert "5 row(s)" in captured.err and "month 2026-10" in captured.err
    state = json.loads((state_dir / "altaro-links.json").read_text())
    (record,) = state.values()
    assert record["month"] == "2026-10" and record["last_status"] == 200
    assert vendor.altaro_link() not in json.dumps(state)   # only the link's hash is kept


def test_json_body_is_accepted_and_saved_unchanged(vendor, tmp_path, state_dir, capsys):
    vendor.behaviour.altaro_format = "json"
    out = tmp_path / "altaro.json"
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10", "--out", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert len(rows) == 5 and rows[0]["Object Name"] == "Alice Smith"
    assert "json" in capsys.readouterr().err


def test_out_dash_writes_the_body_to_stdout(vendor, state_dir, capsysbinary):
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10", "--out", "-"]) == 0
    assert capsysbinary.readouterr().out.startswith(b"Customer,Object Type Backed Up")


def test_second_call_within_window_is_refused_without_calling(vendor, tmp_path, state_dir, capsys):
    link = vendor.altaro_link()
    assert run_cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", str(tmp_path / "a.csv")]) == 0
    capsys.readouterr()
    code = run_cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", str(tmp_path / "b.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "wait" in err and "--reuse-last" in err
    assert len(vendor.calls("/altaro/")) == 1       # the vendor never saw the second call
    assert not (tmp_path / "b.csv").exists()


def test_reuse_last_serves_the_saved_copy_inside_the_window(vendor, tmp_path, state_dir, capsys):
    link = vendor.altaro_link()
    assert run_cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", str(tmp_path / "a.csv")]) == 0
    assert run_cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", str(tmp_path / "b.csv"),
                    "--reuse-last"]) == 0
    assert (tmp_path / "b.csv").read_bytes() == (tmp_path / "a.csv").read_bytes()
    assert "reused the copy" in capsys.readouterr().err
    assert len(vendor.calls("/altaro/")) == 1


@pytest.mark.parametrize("limited_status", [403, 400])
def test_server_refusal_right_after_a_call_is_reported_as_the_rate_limit(vendor, tmp_path, state_dir, capsys,
                                                                         limited_status):
    vendor.behaviour.limited_status = limited_status
    link = vendor.altaro_link()
    base = ["fetch", "altaro", "--link", link, "--month", "2026-10", "--min-interval-s", "0"]
    assert run_cli(base + ["--out", str(tmp_path / "a.csv")]) == 0
    capsys.readouterr()
    assert run_cli(base + ["--out", str(tmp_path / "b.csv")]) == 2
    err = capsys.readouterr().err
    assert f"HTTP {limited_status}" in err and "5-minutes limit" in err and "Wait" in err
    assert not (tmp_path / "b.csv").exists()
    assert len(vendor.calls("/altaro/")) == 2       # refused call not retried


def test_allow_list_refusal_says_so_and_is_not_retried(vendor, tmp_path, state_dir, capsys):
    vendor.behaviour.allowed_ips = ("203.0.113.7",)
    code = run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10",
                    "--out", str(tmp_path / "a.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "HTTP 403" in err and "allow-list" in err and "Manage Shared API Links" in err
    assert len(vendor.calls("/altaro/")) == 1
    assert not (tmp_path / "a.csv").exists()


def test_wrong_key_is_an_auth_error_and_the_key_is_not_shown(vendor, tmp_path, state_dir, capsys, monkeypatch):
    wrong = "WRONG-key-0000-should-never-print"
    monkeypatch.setenv("XLBILLING_ALTARO_API_KEY", wrong)
    vendor.behaviour.echo_key_in_errors = True      # even a server echoing the key back must not leak it
    code = run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10",
                    "--out", str(tmp_path / "a.csv")])
    captured = capsys.readouterr()
    assert code == 2
    assert "HTTP 401" in captured.err and "rejected" in captured.err
    assert wrong not in captured.err + captured.out
    assert "<hidden>" in captured.err
    assert not (tmp_path / "a.csv").exists()


def test_wrong_key_answered_with_403_names_the_key_as_a_cause(vendor, tmp_path, state_dir, capsys, monkeypatch):
    vendor.behaviour.wrong_key_status = 403
    monkeypatch.setenv("XLBILLING_ALTARO_API_KEY", "another-wrong-key")
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10",
                    "--out", str(tmp_path / "a.csv")]) == 2
    err = capsys.readouterr().err
    assert "allow-list" in err and "API key does not belong to this link" in err


def test_timeout_is_reported_not_retried_and_writes_nothing(vendor, tmp_path, state_dir, capsys):
    vendor.behaviour.delay_s = 1.5
    code = run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10",
                    "--out", str(tmp_path / "a.csv"), "--timeout", "0.3"])
    err = capsys.readouterr().err
    assert code == 2 and "did not answer within 0.3 s" in err
    assert len(vendor.calls("/altaro/")) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fault,fmt", [("truncate", "csv"), ("truncate_no_length", "csv"),
                                       ("truncate_no_length", "json")])
def test_truncated_body_is_detected_and_nothing_is_saved(vendor, tmp_path, state_dir, capsys, fault, fmt):
    setattr(vendor.behaviour, fault, True)
    vendor.behaviour.altaro_format = fmt
    code = run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10",
                    "--out", str(tmp_path / f"a.{fmt}")])
    err = capsys.readouterr().err
    assert code == 2 and "truncated" in err
    assert list(tmp_path.iterdir()) == []
    record = next(iter(json.loads((state_dir / "altaro-links.json").read_text()).values()))
    assert record["saved_copy"] is None             # no bad copy to --reuse-last later


def test_server_error_is_not_retried(vendor, tmp_path, state_dir, capsys):
    vendor.behaviour.fail_next = 5
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10",
                    "--out", str(tmp_path / "a.csv")]) == 2
    assert "HTTP 503" in capsys.readouterr().err
    assert len(vendor.calls("/altaro/")) == 1


def test_existing_out_is_refused_before_any_call_and_force_replaces_it(vendor, tmp_path, state_dir, capsys):
    out = tmp_path / "a.csv"
    out.write_text("old")
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and vendor.calls("/altaro/") == []
    assert out.read_text() == "old"
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10", "--out", str(out),
                    "--force"]) == 0
    assert out.read_text().startswith("Customer,")


def test_plain_http_to_a_remote_host_is_refused(tmp_path, state_dir, capsys):
    assert run_cli(["fetch", "altaro", "--link", "http://example.com/report", "--month", "2026-10",
                    "--out", str(tmp_path / "a.csv")]) == 2
    assert "plain http" in capsys.readouterr().err


def test_connection_refused_does_not_start_the_window(tmp_path, state_dir, capsys, keys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]                    # closed again: nothing listens there
    link = f"http://127.0.0.1:{port}/altaro/x"
    args = ["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", str(tmp_path / "a.csv")]
    assert run_cli(args) == 2
    assert "could not connect" in capsys.readouterr().err
    assert run_cli(args) == 2                        # not "wait N s": the server never saw a call
    assert "could not connect" in capsys.readouterr().err


def test_missing_key_says_how_to_set_one(vendor, tmp_path, state_dir, capsys, monkeypatch, memory_keyring):
    monkeypatch.delenv("XLBILLING_ALTARO_API_KEY")
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10",
                    "--out", str(tmp_path / "a.csv")]) == 2
    err = capsys.readouterr().err
    assert "xlbilling auth set altaro" in err and "XLBILLING_ALTARO_API_KEY" in err
    assert vendor.calls("/altaro/") == []


def test_reader_summary_is_printed_when_the_reader_exists(vendor, tmp_path, state_dir, capsys, no_reader):
    import types

    seen = []

    def read_report(path, **_):
        seen.append(path)
        rec = types.SimpleNamespace(customer="Contoso", account="Contoso")
        return types.SimpleNamespace(rows_read=5, records=(rec, rec), warnings=("same-name users",))

    no_reader.read_report = read_report
    out = tmp_path / "a.csv"
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert seen == [str(out)]
    assert "reader: 5 row(s), 1 customer(s)" in err and "same-name users" in err


@pytest.mark.parametrize("relative", [False, True])
def test_a_saved_report_the_reader_refuses_is_bad_input_exit_2(vendor, tmp_path, state_dir, capsys, real_reader,
                                                               monkeypatch, relative):
    """README: exit 1 means --strict found un-invoiced usage, 2 an error; a
    report the reader refuses is bad input (2), kept where it was saved, and the
    message says where (the full path too for a relative --out) and why."""
    body = (ALTARO_CSV + ",Mailbox,Dan Brown,2026-10\r\n").encode()     # row 7 has no customer
    vendor.behaviour.altaro_body = body
    out = tmp_path / "altaro.csv"
    monkeypatch.chdir(tmp_path)
    code = run_cli(["fetch", "altaro", "--quiet", "--link", vendor.altaro_link(), "--month", "2026-10",
                    "--out", "altaro.csv" if relative else str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert out.read_bytes() == body                                    # saved as served, for a look
    where = f"altaro.csv ({out})" if relative else str(out)
    assert err.startswith(f"xlbilling fetch: error: {where}: saved there, but xlbilling's reader refuses it"), err
    assert "altaro.csv, row 7, column 'Customer': found '', expected the customer" in err
    assert "Traceback" not in err and "unexpected internal error" not in err


def test_a_saved_report_the_reader_accepts_exits_0(vendor, tmp_path, state_dir, capsys, real_reader):
    out = tmp_path / "altaro.csv"
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10", "--out", str(out)]) == 0
    assert "reader: 5 row(s), 2 customer(s)" in capsys.readouterr().err


def test_rejected_key_does_not_block_the_corrected_retry(vendor, tmp_path, state_dir, capsys, monkeypatch):
    """A 401 is not a counted call: after fixing the key the user can fetch at
    once; if the vendor did count it, its 403 is then explained as the limit."""
    link = vendor.altaro_link()
    monkeypatch.setenv("XLBILLING_ALTARO_API_KEY", "typo-key")
    assert run_cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", str(tmp_path / "a.csv")]) == 2
    monkeypatch.setenv("XLBILLING_ALTARO_API_KEY", KEY)
    assert run_cli(["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", str(tmp_path / "a.csv")]) == 0
    assert len(vendor.calls("/altaro/")) == 2


def test_403_after_a_refused_call_is_explained_as_the_limit(vendor, tmp_path, state_dir, capsys, monkeypatch):
    vendor.behaviour.allowed_ips = ("203.0.113.7",)
    link = vendor.altaro_link()
    args = ["fetch", "altaro", "--link", link, "--month", "2026-10", "--out", str(tmp_path / "a.csv")]
    assert run_cli(args) == 2
    assert "allow-list" in capsys.readouterr().err        # first refusal: allow-list / key
    assert run_cli(args) == 2                              # not refused locally: the user may have fixed it
    err = capsys.readouterr().err
    assert "most likely the vendor's once-per-5-minutes limit" in err and "check the link's IP allow-list" in err


def test_redirect_is_not_followed(vendor, tmp_path, state_dir, capsys):
    vendor.behaviour.redirect_to = "https://elsewhere.example/steal"
    assert run_cli(["fetch", "altaro", "--link", vendor.altaro_link(), "--month", "2026-10",
                    "--out", str(tmp_path / "a.csv")]) == 2
    assert "redirects to https://elsewhere.example/..." in capsys.readouterr().err
    assert len(vendor.requests) == 1
