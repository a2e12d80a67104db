"""Issue 11, kind "tracebacks": the CLI's one error boundary (xlbilling/commands/boundary.py)
and the root causes behind the crashes it used to let through (month/date
bounds, payment terms, numbers too large for an invoice).

Faults the test user (root here) cannot produce for real - EACCES, EROFS,
ENOSPC - are modelled by making the OS call raise the OSError the kernel
would; ENAMETOOLONG and EISDIR are real."""
from __future__ import annotations

import decimal
import errno
import os
from decimal import Decimal
from pathlib import Path

import pytest

from xlbilling.commands.cli import main
from xlbilling.commands.sample_data import sample_path
from xlbilling.core.money import round_money
from xlbilling.core.rules.result import fmt
from xlbilling.core.rules.x360recover import parse_day, parse_month
from xlbilling.errors import PriceBookError, RuleInputError
from xlbilling.files import publish as outputs

PB = sample_path("pricebook_sample.xlsx")
ALTARO = sample_path("altaro_itemised_2026-10.csv")


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


@pytest.mark.parametrize("code_, words", [
    (errno.EACCES, "permission denied"),
    (errno.EROFS, "read-only"),
    (errno.ENOSPC, "disk is full"),
])
def test_os_errors_while_writing_are_exit_2_naming_the_output(tmp_path, capsys, monkeypatch, code_, words):
    # modelled: the kernel's answer to writing the temporary beside --out
    def refuse(*a, **k):
        raise OSError(code_, os.strerror(code_), str(tmp_path / ".x.xlsx.abc.tmp"))
    monkeypatch.setattr(outputs.tempfile, "mkstemp", refuse)
    out = tmp_path / "x.xlsx"
    code, _, err = _run(capsys, "build", "--month", "2026-10", "--pricebook", str(PB), str(ALTARO), "--out",
                        str(out), "--quiet")
    assert code == 2 and words in err and str(out) in err and "nothing was written" in err
    assert ".tmp" not in err and list(tmp_path.iterdir()) == []


def test_name_too_long_and_folder_as_report_are_clear(tmp_path, capsys):
    long_out = tmp_path / ("a" * 300 + ".csv")
    code, _, err = _run(capsys, "export", "--format", "xero", "--month", "2026-10", "--pricebook", str(PB),
                        str(ALTARO), "--out", str(long_out))
    assert code == 2 and "too long" in err
    code, _, err = _run(capsys, "read", str(tmp_path))
    assert code == 2 and str(tmp_path.name) in err and "folder" in err


@pytest.mark.parametrize("exc, words", [
    (MemoryError(), "ran out of memory"),
    (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
    (decimal.InvalidOperation([decimal.InvalidOperation]), "value out of range"),
    (OverflowError("date value out of range"), "value out of range"),
    (KeyError("surprise"), "unexpected internal error (KeyError)"),
    (ModuleNotFoundError("No module named 'sqlalchemy'", name="sqlalchemy"), "lacks the 'sqlalchemy' package"),
    (ModuleNotFoundError("No module named 'httpx'", name="httpx"), "pip install 'httpx>=0.27'"),  # optional: exact
    (ModuleNotFoundError("No module named 'xlbilling.nope'", name="xlbilling.nope"),
     "unexpected internal error (ModuleNotFoundError)"),         # our own module missing is a bug, said so
])
def test_last_resort_handler_never_shows_a_traceback(capsys, monkeypatch, exc, words):
    import xlbilling.commands.read as read_cmd

    def boom(*a, **k):
        from xlbilling.errors import working_on
        with working_on("report.csv"):
            raise exc
    monkeypatch.setattr(read_cmd, "read_report", boom)
    code, out, err = _run(capsys, "read", str(ALTARO))
    assert code == 2 and out == "" and words in err and "report.csv" in err


@pytest.mark.parametrize("text", ["9999-12", "26-10", "2026-13", "2026-1", "1999-12", "2026-10-01", "", "２０２６-10"])
def test_month_is_strict_yyyy_mm_in_a_sane_year_range(text, capsys):
    with pytest.raises(RuleInputError, match="expected YYYY-MM"):
        parse_month(text)
    code, _, err = _run(capsys, "lines", "--month", text, "--pricebook", str(PB), str(ALTARO))
    assert code == 2 and "YYYY-MM" in err


def test_month_and_day_accept_the_ordinary_cases():
    assert parse_month("2026-10").isoformat() == "2026-10-01"
    assert parse_month(" 2000-01 ").isoformat() == "2000-01-01"
    assert parse_day("2024-02-29").isoformat() == "2024-02-29"
    for bad in ("9999-12-31", "2023-02-29", "31/10/2026", "2026-10-31T00:00"):
        with pytest.raises(RuleInputError, match="YYYY-MM-DD"):
            parse_day(bad)


def test_invoice_date_9999_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "x.csv"
    code, _, err = _run(capsys, "export", "--format", "qbo", "--month", "2026-10", "--pricebook", str(PB),
                        str(ALTARO), "--out", str(out), "--invoice-date", "9999-12-31")
    assert code == 2 and "--invoice-date" in err and not out.exists()


@pytest.mark.parametrize("terms", [Decimal("1e9"), 3_000_000, 366])
def test_payment_terms_are_bounded(tmp_path, terms):
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.writers.pricebook_template import build_workbook

    path = tmp_path / "pb.xlsx"
    build_workbook(settings={"Payment terms days": terms}).save(path)
    with pytest.raises(PriceBookError, match=r"sheet 'Settings', row \d+, column 'Value'.*(a number <= 365|value out of range)") as e:
        load_pricebook(path)
    assert "20% = 0.2" not in str(e.value)  # the fraction hint is for rates, not days


def test_payment_terms_365_still_accepted(tmp_path):
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.writers.pricebook_template import build_workbook

    path = tmp_path / "pb.xlsx"
    build_workbook(settings={"Payment terms days": 365}).save(path)
    assert load_pricebook(path).settings.payment_terms_days == 365


def test_fmt_is_exact_at_any_size():
    assert fmt(Decimal("1E+400")) == "1" + "0" * 400
    assert fmt(Decimal("1e308")) == "1" + "0" * 308
    # 10^20 + 1/3 (28 significant digits would not hold it): shortened to 10 decimals, no InvalidOperation
    assert fmt(Decimal("100000000000000000000.33333333333333")) == "~100000000000000000000.3333333333"
    assert fmt(Decimal("1.50")) == "1.5" and fmt(Decimal("-0.0")) == "0" and fmt(Decimal("1E+2")) == "100"


def test_round_money_refuses_amounts_beyond_exactness():
    with pytest.raises(RuleInputError, match="value out of range"):
        round_money(Decimal("1e308"), "USD")
    with pytest.raises(RuleInputError, match="value out of range"):
        round_money(Decimal("1E+400"), "USD")
    # just below the bound: exact, half away from zero (…0.005 -> …0.01)
    assert round_money(Decimal("999999999999999999999.005"), "USD") == Decimal("999999999999999999999.01")


@pytest.mark.parametrize("value", ["1e308", "1E+400", "1" + "0" * 40])
def test_huge_report_numbers_are_bad_cells_naming_the_cell(tmp_path, capsys, value):
    src = sample_path("x360recover_devices_2026-10.csv").read_text(encoding="utf-8").splitlines()
    cells = src[1].split(",")
    cells[10] = value  # cloud_usage of the first device (bytes)
    src[1] = ",".join(cells)
    path = tmp_path / "devices.csv"
    path.write_text("\n".join(src) + "\n", encoding="utf-8")
    code, out, err = _run(capsys, "read", str(path), "--format", "csv")
    assert code == 2 and out == ""
    assert "devices.csv, row 2, column 'cloud_usage'" in err and "value out of range" in err


def test_huge_unit_price_is_a_price_book_error(tmp_path):
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.writers.pricebook_template import build_workbook

    path = tmp_path / "pb.xlsx"
    build_workbook(customers=[("Acme", "USD", None, None)],
                   rates=[("altaro", "m365_users", None, None, "user", 1e308, None, None, None, None, None, None,
                           None)]).save(path)
    with pytest.raises(PriceBookError, match=r"sheet 'Rates', row 2, column 'Unit price'.*value out of range"):
        load_pricebook(path)


def test_messages_show_plain_numbers_and_escaped_text():
    from xlbilling.commands.boundary import escape_control
    from xlbilling.errors import CellProblem

    p = CellProblem("r.csv", None, 3, "qty", Decimal("1.50"), "a whole number")
    assert str(p) == "r.csv, row 3, column 'qty': found 1.5, expected a whole number"
    evil = CellProblem("r.csv", None, 4, "name", "\x1b[2J\x1b]0;pwned\x07", "text")
    assert "\x1b" not in str(evil) and "\\x1b[2J" in str(evil)
    assert escape_control("a\x1b[31mb\u202ec\r\nd\te") == "a\\x1b[31mb\\u202ec\\x0d\nd\te"


def test_error_text_from_a_report_cannot_drive_the_terminal(tmp_path, capsys):
    path = tmp_path / "evil\x1b[2J.csv"
    path.write_text("just,some\n1,2\n", encoding="utf-8")
    code, _, err = _run(capsys, "read", str(path))
    assert code == 2 and "\x1b" not in err and "\\x1b[2J" in err


def test_read_table_escapes_terminal_sequences_in_names(tmp_path, capsys):
    path = tmp_path / "altaro.csv"
    path.write_text("Customer,Product,Object Type Backed Up,Object Name,Object Id,Month,Backed Up Size (MB)\n"
                    "\x1b]0;owned\x07Evil\x1b[2J,365 Total Backup,Mailbox,Ann Lee,obj-1,2026-10,1\n",
                    encoding="utf-8")
    code, out, err = _run(capsys, "read", str(path))
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\\x1b]0;owned\\x07Evil\\x1b[2J" in out


def test_rule_messages_show_decimals_plainly():
    from xlbilling.core.money import D
    from xlbilling.core.rules.common import non_negative

    with pytest.raises(RuleInputError, match=r"found -1.5$"):
        non_negative(Decimal("-1.5"), "qty")
    with pytest.raises(RuleInputError, match=r"NaN is not a finite number"):
        D(Decimal("NaN"))
