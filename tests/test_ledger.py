"""The ledger of closed months against a real SQLite file and a real PostgreSQL
server (tests/pg_server.py starts one when $XLBILLING_TEST_POSTGRES_URL is not
set; under CI=true a missing PostgreSQL fails instead of skipping).

Observed, not modelled: two `close` processes at once (the second really waits
on the first's open transaction: the first holds it until the second has
started), a close SIGKILLed while its transaction is open, a ledger created at
schema revision 0001 migrated by opening it, reopen with a reason, invoice
numbers kept through renames, the Changes sheet of a three-month run.

The scenario is small on purpose: Altaro itemised reports (customer, object
type, name, Month) priced at 3.50 USD per user, so every figure is easy to
check by hand."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from xlbilling.commands.cli import main
from xlbilling.core.numbering import validate_format
from xlbilling.errors import PriceBookError
from xlbilling.ledger import Ledger
from xlbilling.writers import layout as L
from xlbilling.writers.pricebook_template import write_pricebook

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PRICE = "3.50"


# --- servers --------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_url():
    from pg_server import ENV_URL, LocalServer, find_bin

    url = os.environ.get(ENV_URL)
    if url:
        yield url
        return
    bindir = find_bin()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is needed in CI: install Debian's postgresql package (.ci/run does) or set"
                        f" {ENV_URL}")
        pytest.skip("no PostgreSQL here (/usr/lib/postgresql/*/bin): apt-get install postgresql")
    server = LocalServer(bindir)
    try:
        yield server.start()
    finally:
        server.stop()


def _fresh_pg_database(pg_url: str) -> str:
    name = "xlb_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(sa.engine.make_url(pg_url).set(drivername="postgresql+psycopg"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.engine.make_url(pg_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "ledger" / "months.sqlite")
    return _fresh_pg_database(request.getfixturevalue("pg_url"))


# --- the scenario -----------------------------------------------------------------

def altaro(path: Path, month: str, users: dict[str, int]) -> Path:
    """An Altaro itemised report: `n` mailboxes per customer (account = customer label)."""
    lines = ["Customer,Object Type Backed Up,Object Name,Month"]
    for customer, n in users.items():
        lines += [f"{customer},Mailbox,user{i}@{customer.replace(' ', '').lower()}.example,{month}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def pricebook(path: Path, customers: list[tuple], accounts: list[tuple], **settings) -> Path:
    """customers: (name, id); accounts: (vendor label, customer)."""
    base = {"Invoice number format": "INV-{n:05d}", "Invoice number start": 1042, "Change threshold %": 0.25,
            "Change threshold amount": 20}
    base.update(settings)
    write_pricebook(path, force=True, protect_templates=False, settings=base,
                    customers=[(name, "USD", None, None, cid) for name, cid in customers],
                    accounts=[("altaro", label, label, cust, "yes", None, None) for label, cust in accounts],
                    rates=[("altaro", "m365_users", None, None, "user", Decimal(PRICE), "USD", None, None, None,
                            None, None, None)])
    return path


def build(tmp, month, pb, report, ledger, *extra, name=None) -> tuple[int, Path]:
    out = tmp / (name or f"billing-{month}-{uuid.uuid4().hex[:6]}.xlsx")
    rc = main(["build", "--quiet", "--month", month, "--pricebook", str(pb), str(report), "--out", str(out),
               "--ledger", ledger, *extra])
    return rc, out


def close(month, pb, report, ledger, *extra) -> int:
    return main(["close", "--month", month, "--pricebook", str(pb), str(report), "--ledger", ledger,
                 "--by", "ann", *extra])


def summary(path: Path) -> dict[str, tuple]:
    ws = openpyxl.load_workbook(path, data_only=True)[L.SUMMARY.name]
    out = {}
    for r in range(L.FIRST_DATA_ROW, ws.max_row + 1):
        customer, number, total = (ws.cell(r, L.SUMMARY.index(k)).value
                                   for k in ("customer", "invoice_number", "python_total"))
        if customer and number:
            out[customer] = (number, Decimal(str(total)))
    return out


def changes(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path, data_only=True)[L.CHANGES.name]
    rows = []
    for r in range(L.FIRST_DATA_ROW, ws.max_row + 1):
        row = {c.key: ws.cell(r, i).value for i, c in enumerate(L.CHANGES.columns, 1)}
        if row["change"]:
            rows.append(row)
    return rows


def problems(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path, data_only=True)[L.PROBLEMS.name]
    S = L.PROBLEMS
    return [(ws.cell(r, S.index("kind")).value, ws.cell(r, S.index("customer")).value,
             ws.cell(r, S.index("message")).value)
            for r in range(L.FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, S.index("kind")).value]


# --- three months -------------------------------------------------------------------

def test_three_months_numbers_changes_and_lock(tmp_path, ledger_url, capsys):
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", "C-1"), ("Bolt", ""), ("Crane", "")],
                   [("Acme", "Acme"), ("Bolt", "Bolt"), ("Crane", "Crane")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2, "Bolt": 3, "Crane": 1})
    rc, wb = build(tmp_path, "2026-09", pb, sep, ledger_url)
    assert rc == 0
    # numbers from 1042 in customer-name order: Acme 2 x 3.50 = 7.00, Bolt 10.50, Crane 3.50
    assert summary(wb) == {"Acme": ("INV-01042", Decimal("7")), "Bolt": ("INV-01043", Decimal("10.5")),
                           "Crane": ("INV-01044", Decimal("3.5"))}
    assert close("2026-09", pb, sep, ledger_url) == 0

    # October: Acme renamed Alpha (has an id), Bolt renamed Zed Bolt (no id: found by its account),
    # Acme's users 2 -> 10, Crane vanished, Dee appears unmapped, Echo is new.
    pb2 = pricebook(tmp_path / "pb2.xlsx", [("Alpha", "C-1"), ("Zed Bolt", ""), ("Echo", "")],
                    [("Acme", "Alpha"), ("Bolt", "Zed Bolt"), ("Echo", "Echo")])
    oct_ = altaro(tmp_path / "altaro-oct.csv", "2026-10", {"Acme": 10, "Bolt": 3, "Dee": 4, "Echo": 1})
    rc, wb = build(tmp_path, "2026-10", pb2, oct_, ledger_url)
    assert rc == 0
    # new month, new numbers continuing the sequence, in name order: Alpha, Echo, Zed Bolt
    assert summary(wb) == {"Alpha": ("INV-01045", Decimal("35")), "Echo": ("INV-01046", Decimal("3.5")),
                           "Zed Bolt": ("INV-01047", Decimal("10.5"))}
    rows = changes(wb)
    by = {(r["change"], r["customer"], r["item"] or r["account"]): r for r in rows}
    spike = by[("changed", "Alpha", "m365_users")]
    # 2 -> 10 users, 7.00 -> 35.00: +28.00, +400 %; over 25 % and over 20.00
    assert (spike["quantity_then"], spike["quantity_now"], spike["amount_then"], spike["amount_now"]) == (2, 10, 7, 35)
    assert spike["difference"] == 28 and spike["percent"] == 4 and spike["over_threshold"] == "yes"
    assert ("renamed customer", "Alpha", None) in by and ("renamed customer", "Zed Bolt", None) in by
    assert ("vanished customer", "Crane", None) in by
    assert ("new customer", "Echo", None) in by
    assert ("vanished account", "Crane", "Crane") in by
    assert ("new unmapped account", "Dee", "Dee") in by
    total = by[("invoice total", "Alpha", None)]
    assert (total["amount_then"], total["amount_now"]) == (7, 35)
    assert not [r for r in rows if r["customer"] == "Zed Bolt" and r["change"] == "changed"]  # same 3 users
    kinds = {k for k, _, _ in problems(wb)}
    assert {"month_change", "vanished_account", "vanished_customer", "new_unmapped_account"} <= kinds
    ws = openpyxl.load_workbook(wb, data_only=True)[L.SUMMARY.name]
    assert ws["A3"].value.startswith("OPEN")
    assert "12 change(s) vs 2026-09, 5 over threshold" in ws["A3"].value and "1 leave usage NOT invoiced" in ws["A3"].value
    block = {ws.cell(r, L.STATUS_COLUMN).value: ws.cell(r, L.STATUS_COLUMN + 1).value for r in range(5, 15)}
    # Sep 7.00 + 10.50 + 3.50 = 21.00; Oct 35.00 + 3.50 + 10.50 = 49.00
    assert block["Invoices then / now"] == "3 / 3; totals then / now: USD 21.00 / 49.00"
    assert block["Usage NOT invoiced"] == "1 problem(s): Account without a customer 1 (sheet Problems)"
    assert block["Month"].startswith("OPEN")

    # Echo renamed before close (no id): keeps INV-01046 through its account; a new
    # customer Foxtrot takes the next number; nobody else moves.
    pb3 = pricebook(tmp_path / "pb3.xlsx", [("Alpha", "C-1"), ("Zed Bolt", ""), ("Echo Ltd", ""), ("Foxtrot", "")],
                    [("Acme", "Alpha"), ("Bolt", "Zed Bolt"), ("Echo", "Echo Ltd"), ("Dee", "Foxtrot")])
    rc, wb = build(tmp_path, "2026-10", pb3, oct_, ledger_url)
    assert rc == 0
    assert summary(wb) == {"Alpha": ("INV-01045", Decimal("35")), "Echo Ltd": ("INV-01046", Decimal("3.5")),
                           "Foxtrot": ("INV-01048", Decimal("14")), "Zed Bolt": ("INV-01047", Decimal("10.5"))}
    assert close("2026-10", pb3, oct_, ledger_url) == 0
    capsys.readouterr()

    # history: both months with their totals (Sep 7 + 10.5 + 3.5 = 21.00; Oct 35 + 3.5 + 14 + 10.5 = 63.00)
    assert main(["history", "--ledger", ledger_url, "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [ln.split(",")[0] for ln in out[1:]] == ["2026-09", "2026-10"]
    assert [ln.split(",")[5] for ln in out[1:]] == ["21.00", "63.00"]
    assert [ln.split(",")[3] for ln in out[1:]] == ["3", "4"]

    # November compares with October (the last closed month), not September
    nov = altaro(tmp_path / "altaro-nov.csv", "2026-11", {"Acme": 10, "Bolt": 3, "Dee": 4, "Echo": 1})
    rc, wb = build(tmp_path, "2026-11", pb3, nov, ledger_url)
    assert rc == 0
    assert [r for r in changes(wb) if r["change"] != "invoice total"] == []
    assert summary(wb)["Alpha"][0] == "INV-01049"


def test_closed_month_is_locked_and_reopen_is_recorded(tmp_path, ledger_url, capsys):
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", "")], [("Acme", "Acme")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2})
    assert close("2026-09", pb, sep, ledger_url) == 0
    # the same figures again: allowed, the Summary says closed
    rc, wb = build(tmp_path, "2026-09", pb, sep, ledger_url)
    assert rc == 0 and openpyxl.load_workbook(wb)[L.SUMMARY.name]["A3"].value.startswith("CLOSED")
    capsys.readouterr()
    # a corrected report (3 users): refused, nothing written
    fixed = altaro(tmp_path / "altaro-sep-fixed.csv", "2026-09", {"Acme": 3})
    rc, wb = build(tmp_path, "2026-09", pb, fixed, ledger_url)
    err = capsys.readouterr().err
    assert rc == 2 and not wb.exists()
    assert "2026-09 is closed" in err and "Acme: total 7.00 USD when closed, 10.50 USD now" in err
    assert main(["lines", "--month", "2026-09", "--pricebook", str(pb), str(fixed), "--ledger", ledger_url]) == 2
    # --reopen without a reason is refused; with one it is kept
    rc, wb = build(tmp_path, "2026-09", pb, fixed, ledger_url, "--reopen")
    assert rc == 2 and "--reason" in capsys.readouterr().err
    rc, wb = build(tmp_path, "2026-09", pb, fixed, ledger_url, "--reopen", "--reason", "Altaro resent the report")
    assert rc == 0
    assert summary(wb) == {"Acme": ("INV-01042", Decimal("10.5"))}   # the number stays
    assert close("2026-09", pb, fixed, ledger_url) == 0
    ledger = Ledger.open(ledger_url)
    try:
        [row] = ledger.history()
        assert (row.month, row.totals, row.reopened) == ("2026-09", {"USD": Decimal("10.50")}, 1)
        [reopen] = ledger.reopens(dt.date(2026, 9, 1))
        assert reopen["reason"] == "Altaro resent the report" and reopen["reopened_by"]
    finally:
        ledger.dispose()


def ledger_rows(ledger_url) -> dict[str, list[tuple]]:
    """Every row of every ledger table, in a stable order (what 'unchanged' is checked against)."""
    from xlbilling.ledger import schema

    ledger = Ledger.open(ledger_url)
    try:
        with ledger.engine.connect() as conn:
            out = {t.name: sorted(tuple(map(str, r)) for r in conn.execute(sa.select(t)))
                   for t in schema.metadata.sorted_tables}
            out["alembic_version"] = [tuple(conn.execute(sa.text("SELECT version_num FROM alembic_version")))]
            return out
    finally:
        ledger.dispose()


@contextlib.contextmanager
def unwritable_folder(path: Path):
    """A folder nobody can create a file in, for real: mode 0555, or for root
    (who ignores modes) the immutable attribute.  Skips where neither works."""
    path.mkdir()
    root = os.geteuid() == 0
    if root and (shutil.which("chattr") is None
                 or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0):
        pytest.skip("running as root and chattr +i does not work here: no way to make a folder unwritable")
    if not root:
        path.chmod(0o555)
    try:
        try:
            (path / "probe").touch()
        except OSError:
            pass
        else:
            pytest.skip(f"{path} is still writable: cannot make the output write fail here")
        yield path
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o755)


def test_a_reopen_whose_workbook_cannot_be_written_leaves_the_ledger_as_it_was(tmp_path, ledger_url, capsys):
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", ""), ("Bolt", "")], [("Acme", "Acme"), ("Bolt", "Bolt")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2})
    assert close("2026-09", pb, sep, ledger_url) == 0
    before = ledger_rows(ledger_url)
    assert before["month_locks"] and len(before["invoice_numbers"]) == 1
    # corrected: Acme 3 users and a new customer (who would get a new number)
    fixed = altaro(tmp_path / "altaro-sep-fixed.csv", "2026-09", {"Acme": 3, "Bolt": 1})
    reopen = ["--reopen", "--reason", "Altaro resent it"]
    capsys.readouterr()
    with unwritable_folder(tmp_path / "locked") as locked:
        rc, out = build(locked, "2026-09", pb, fixed, ledger_url, *reopen, name="billing.xlsx")
        err = capsys.readouterr().err
        assert list(locked.iterdir()) == []           # no workbook, no temporary
    assert rc == 2, err                               # README: 2 an error (nothing written)
    assert err.startswith(f"xlbilling build: error: {out}: ") and ("not permitted" in err or "denied" in err), err
    assert ledger_rows(ledger_url) == before          # not reopened, no number given
    # the same build where it can write: reopened and numbered together, as the workbook says
    rc, wb = build(tmp_path, "2026-09", pb, fixed, ledger_url, *reopen)
    assert rc == 0
    assert summary(wb) == {"Acme": ("INV-01042", Decimal("10.5")), "Bolt": ("INV-01043", Decimal("3.5"))}
    assert openpyxl.load_workbook(wb)[L.SUMMARY.name]["A3"].value.startswith("REOPENED")
    after = ledger_rows(ledger_url)
    assert after["month_locks"] == [] and [r[-1] for r in after["reopens"]] == ["Altaro resent it"]
    assert len(after["invoice_numbers"]) == 2


def test_a_workbook_the_publish_step_refuses_gives_no_number(tmp_path, ledger_url):
    """Without --force the finished workbook is published only if its name is
    still free: here another program takes the name while the workbook is
    written, so publishing fails - and the numbers the workbook shows are not kept."""
    from xlbilling.commands.build import build as build_month
    from xlbilling.errors import OutputError

    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", ""), ("Bolt", "")], [("Acme", "Acme"), ("Bolt", "Bolt")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2})
    assert close("2026-09", pb, sep, ledger_url) == 0
    before = ledger_rows(ledger_url)
    octo = altaro(tmp_path / "altaro-oct.csv", "2026-10", {"Acme": 2, "Bolt": 1})
    out = tmp_path / "oct.xlsx"

    def meanwhile(message, *_):
        if str(message).startswith("writing"):
            out.write_text("someone else's file")
    with pytest.raises(OutputError, match="already exists"):
        build_month([octo], pb, dt.date(2026, 10, 1), out, progress=meanwhile, control={"ledger_option": ledger_url})
    assert out.read_text() == "someone else's file"
    assert ledger_rows(ledger_url) == before
    out.unlink()
    rc, wb = build(tmp_path, "2026-10", pb, octo, ledger_url)
    assert rc == 0 and summary(wb) == {"Acme": ("INV-01043", Decimal("7")), "Bolt": ("INV-01044", Decimal("3.5"))}


def test_numbers_given_by_another_run_meanwhile_refuse_the_build(tmp_path, ledger_url):
    """Another build numbers invoices while this one writes its workbook: this
    one's numbers would collide, so it publishes nothing and records nothing."""
    from xlbilling.commands.build import build as build_month
    from xlbilling.core.numbering import Wanted
    from xlbilling.errors import LedgerError

    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", "")], [("Acme", "Acme")])
    octo = altaro(tmp_path / "altaro-oct.csv", "2026-10", {"Acme": 2})
    Ledger.open(ledger_url).dispose()

    def meanwhile(message, *_):
        if str(message).startswith("writing"):       # this build's numbers are chosen, its workbook not written
            other = Ledger.open(ledger_url)
            try:
                other.assign_numbers(dt.date(2026, 11, 1), [Wanted("name:zed", "Zed", frozenset())],
                                     fmt="INV-{n:05d}", start=1042, prefix="")
            finally:
                other.dispose()
    out = tmp_path / "oct.xlsx"
    with pytest.raises(LedgerError, match="another run"):
        build_month([octo], pb, dt.date(2026, 10, 1), out, progress=meanwhile, control={"ledger_option": ledger_url})
    assert not out.exists()
    rows = ledger_rows(ledger_url)
    # only the other run's number: (month, customer, number)
    assert [(r[1], r[3], r[5]) for r in rows["invoice_numbers"]] == [("2026-11", "Zed", "INV-01042")]
    assert rows["number_sequence"] == [("1", "1043")]
    rc, wb = build(tmp_path, "2026-10", pb, octo, ledger_url)           # run again: the next number
    assert rc == 0 and summary(wb) == {"Acme": ("INV-01043", Decimal("7"))}


def test_a_ledger_commit_refused_after_publishing_puts_the_old_workbook_back(tmp_path, pg_url, capsys):
    """PostgreSQL refuses the COMMIT itself (a deferred constraint trigger,
    checked at commit): the workbook already published is undone, the one
    --force was replacing is back, and the ledger keeps nothing."""
    ledger_url = _fresh_pg_database(pg_url)
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", ""), ("Bolt", "")], [("Acme", "Acme"), ("Bolt", "Bolt")])
    octo = altaro(tmp_path / "altaro-oct.csv", "2026-10", {"Acme": 2})
    rc, out = build(tmp_path, "2026-10", pb, octo, ledger_url, name="oct.xlsx")
    assert rc == 0
    old = out.read_bytes()
    ledger = Ledger.open(ledger_url)
    try:
        with ledger.engine.begin() as conn:
            conn.execute(sa.text("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION"
                                 " 'refused at commit'; END $$ LANGUAGE plpgsql"))
            conn.execute(sa.text("CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON invoice_numbers DEFERRABLE"
                                 " INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse()"))
    finally:
        ledger.dispose()
    before = ledger_rows(ledger_url)
    more = altaro(tmp_path / "altaro-oct-2.csv", "2026-10", {"Acme": 2, "Bolt": 1})    # Bolt needs a number
    capsys.readouterr()
    rc, _ = build(tmp_path, "2026-10", pb, more, ledger_url, "--force", name="oct.xlsx")
    err = capsys.readouterr().err
    assert rc == 2 and "refused at commit" in err and "nothing was written or recorded" in err, err
    assert out.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert ledger_rows(ledger_url) == before


def write_out(command: str, month: str, pb: Path, report: Path, ledger: str, out: Path, *extra) -> int:
    """`lines --out` or `export --to xero|qbo --out` (command: 'lines', 'xero', 'qbo')."""
    head = ["lines", "--format", "table"] if command == "lines" else ["export", "--to", command]
    return main([*head, "--quiet", "--month", month, "--pricebook", str(pb), str(report), "--out", str(out),
                 "--ledger", ledger, *extra])


def numbers_in(command: str, out: Path) -> dict[str, str]:
    """customer -> invoice number, as the written file shows them."""
    import csv

    if command == "lines":   # the table: invoice, customer, ... on every line row
        rows = [ln.split() for ln in out.read_text().splitlines()[1:] if ln.startswith("INV-")]
        return {r[1]: r[0] for r in rows}
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    if command == "xero":
        return {r["*ContactName"]: r["*InvoiceNumber"] for r in rows}
    return {r["Customer"]: r["InvoiceNo"] for r in rows}


@pytest.mark.parametrize("command", ["lines", "xero", "qbo"])
def test_lines_or_export_that_cannot_write_leave_the_ledger_as_it_was(tmp_path, ledger_url, command, capsys):
    """lines --out and export --out keep their reopen and new invoice numbers
    only with the file they write: into a folder nobody may write in, they
    exit 2 and the ledger is as it was (was: month reopened, numbers given)."""
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", ""), ("Bolt", "")], [("Acme", "Acme"), ("Bolt", "Bolt")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2})
    assert close("2026-09", pb, sep, ledger_url) == 0
    before = ledger_rows(ledger_url)
    fixed = altaro(tmp_path / "altaro-sep-fixed.csv", "2026-09", {"Acme": 3, "Bolt": 1})   # Bolt: a new number
    octo = altaro(tmp_path / "altaro-oct.csv", "2026-10", {"Acme": 2})                     # Acme: a new number
    reopen = ["--reopen", "--reason", "Altaro resent it"]
    capsys.readouterr()
    with unwritable_folder(tmp_path / "locked") as locked:
        for month, report, extra in (("2026-09", fixed, reopen), ("2026-10", octo, [])):
            rc = write_out(command, month, pb, report, ledger_url, locked / "out.csv", *extra)
            err = capsys.readouterr().err
            assert rc == 2, err                       # README: 2 an error (nothing written)
            assert f"{locked / 'out.csv'}: " in err and ("not permitted" in err or "denied" in err), err
            assert list(locked.iterdir()) == []
            assert ledger_rows(ledger_url) == before, month   # not reopened, no number given
    # where it can write: reopened and numbered together, as the file says
    out = tmp_path / "sep.csv"
    assert write_out(command, "2026-09", pb, fixed, ledger_url, out, *reopen) == 0
    assert numbers_in(command, out) == {"Acme": "INV-01042", "Bolt": "INV-01043"}
    after = ledger_rows(ledger_url)
    assert after["month_locks"] == [] and [r[-1] for r in after["reopens"]] == ["Altaro resent it"]
    assert sorted((r[1], r[3], r[5]) for r in after["invoice_numbers"]) == [
        ("2026-09", "Acme", "INV-01042"), ("2026-09", "Bolt", "INV-01043")]


@pytest.mark.parametrize("command", ["lines", "xero"])
def test_numbers_printed_to_stdout_are_kept(tmp_path, ledger_url, command, capsys):
    """To stdout (which cannot be taken back) the reopen and the numbers are
    recorded just before printing: what was printed is what the ledger keeps."""
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", ""), ("Bolt", "")], [("Acme", "Acme"), ("Bolt", "Bolt")])
    assert close("2026-09", pb, altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2}), ledger_url) == 0
    fixed = altaro(tmp_path / "altaro-sep-fixed.csv", "2026-09", {"Acme": 3, "Bolt": 1})
    capsys.readouterr()
    assert write_out(command, "2026-09", pb, fixed, ledger_url, Path("-"), "--reopen", "--reason", "resent") == 0
    printed = tmp_path / "printed.csv"
    printed.write_text(capsys.readouterr().out, encoding="utf-8")
    assert numbers_in(command, printed) == {"Acme": "INV-01042", "Bolt": "INV-01043"}
    rows = ledger_rows(ledger_url)
    assert rows["month_locks"] == [] and [r[-1] for r in rows["reopens"]] == ["resent"]
    assert sorted((r[3], r[5]) for r in rows["invoice_numbers"]) == [("Acme", "INV-01042"), ("Bolt", "INV-01043")]


def _xero_in_two_parts(tmp_path: Path, ledger_url: str) -> tuple[Path, Path, list[str], dict]:
    """(price book, corrected report, --reopen args, ledger rows) for 501 customers,
    September closed: a Xero export of them is two files (at most 500 invoices each)."""
    names = [f"C{i:03d}" for i in range(501)]
    pb = pricebook(tmp_path / "pb.xlsx", [(n, "") for n in names], [(n, n) for n in names])
    assert close("2026-09", pb, altaro(tmp_path / "altaro-sep.csv", "2026-09", dict.fromkeys(names, 1)),
                 ledger_url) == 0
    fixed = altaro(tmp_path / "altaro-sep-fixed.csv", "2026-09", {**dict.fromkeys(names, 1), "C000": 2})
    return pb, fixed, ["--reopen", "--reason", "Altaro resent it"], ledger_rows(ledger_url)


def test_a_xero_export_whose_second_part_cannot_be_written_leaves_all_as_it_was(tmp_path, ledger_url, capsys):
    """--force over last run's two parts, the second's name now a folder (the
    rename onto it really fails): the first part is put back, the ledger keeps
    neither the reopen nor anything else."""
    pb, fixed, reopen, before = _xero_in_two_parts(tmp_path, ledger_url)
    first, second = tmp_path / "xero-1.csv", tmp_path / "xero-2.csv"
    first.write_text("last run's part 1")
    second.mkdir()
    capsys.readouterr()
    rc = write_out("xero", "2026-09", pb, fixed, ledger_url, tmp_path / "xero.csv", "--force", *reopen)
    err = capsys.readouterr().err
    assert rc == 2 and f"{second}: " in err, err
    assert first.read_text() == "last run's part 1" and list(second.iterdir()) == []
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temporary
    assert ledger_rows(ledger_url) == before
    second.rmdir()
    assert write_out("xero", "2026-09", pb, fixed, ledger_url, tmp_path / "xero.csv", "--force", *reopen) == 0
    assert len(numbers_in("xero", first)) == 500 and numbers_in("xero", second) == {"C500": "INV-01542"}
    assert ledger_rows(ledger_url)["month_locks"] == []


def test_an_export_to_stdout_refused_records_nothing(tmp_path, ledger_url, capsys):
    """501 invoices make two Xero files, which stdout cannot hold: refused (exit 2)
    before the reopen is recorded (was: refused after reopening the month)."""
    pb, fixed, reopen, before = _xero_in_two_parts(tmp_path, ledger_url)
    capsys.readouterr()
    rc = main(["export", "--to", "xero", "--quiet", "--month", "2026-09", "--pricebook", str(pb), str(fixed),
               "--out", "-", "--ledger", ledger_url, *reopen])
    captured = capsys.readouterr()
    assert rc == 2 and "which stdout cannot hold apart" in captured.err and captured.out == "", captured.err
    assert ledger_rows(ledger_url) == before


@contextlib.contextmanager
def closes_refused(ledger_url: str):
    """The ledger's own database refuses to record a close (a trigger on the
    closes table raising 'refused by the test trigger'), until the block ends."""
    ledger = Ledger.open(ledger_url)
    pg = "://" in ledger_url
    try:
        with ledger.engine.begin() as conn:
            if pg:
                conn.execute(sa.text("CREATE FUNCTION refuse_close() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION"
                                     " 'refused by the test trigger'; END $$ LANGUAGE plpgsql"))
                conn.execute(sa.text("CREATE TRIGGER refuse_close BEFORE INSERT ON closes FOR EACH ROW EXECUTE"
                                     " FUNCTION refuse_close()"))
            else:
                conn.execute(sa.text("CREATE TRIGGER refuse_close BEFORE INSERT ON closes BEGIN"
                                     " SELECT RAISE(ABORT, 'refused by the test trigger'); END"))
        yield
    finally:
        with ledger.engine.begin() as conn:
            conn.execute(sa.text("DROP TRIGGER refuse_close" + (" ON closes" if pg else "")))
            if pg:
                conn.execute(sa.text("DROP FUNCTION refuse_close()"))
        ledger.dispose()


def test_a_close_reopen_whose_close_fails_leaves_the_month_closed(tmp_path, ledger_url, capsys):
    """close --reopen reopens, numbers and closes in one transaction: when the
    close is refused, the month is still closed as it was and no number is
    given (was: reopened and numbered in transactions of their own, left
    reopened)."""
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", ""), ("Bolt", "")], [("Acme", "Acme"), ("Bolt", "Bolt")])
    assert close("2026-09", pb, altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2}), ledger_url) == 0
    before = ledger_rows(ledger_url)
    fixed = altaro(tmp_path / "altaro-sep-fixed.csv", "2026-09", {"Acme": 3, "Bolt": 1})   # Bolt: a new number
    reopen = ["--reopen", "--reason", "Altaro resent it"]
    capsys.readouterr()
    with closes_refused(ledger_url):
        rc = close("2026-09", pb, fixed, ledger_url, *reopen)
        err = capsys.readouterr().err
        assert rc == 2, err
        assert ledger_rows(ledger_url) == before                # closed as it was, no reopen, no number
        assert "refused by the test trigger" in err and "nothing was recorded" in err, err
        assert "while this close was running" not in err       # nobody else closed it
    assert close("2026-09", pb, fixed, ledger_url, *reopen) == 0
    ledger = Ledger.open(ledger_url)
    try:
        [row] = ledger.history()
        # Acme 3 x 3.50 = 10.50, Bolt 3.50: 14.00; reopened once
        assert (row.invoices, row.totals, row.reopened) == (2, {"USD": Decimal("14.00")}, 1)
        assert [r["reason"] for r in ledger.reopens(dt.date(2026, 9, 1))] == ["Altaro resent it"]
    finally:
        ledger.dispose()


def test_close_records_reports_and_pricebook_hashes(tmp_path, ledger_url):
    import hashlib

    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", "")], [("Acme", "Acme")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2})
    assert close("2026-09", pb, sep, ledger_url) == 0
    ledger = Ledger.open(ledger_url)
    try:
        with ledger.engine.connect() as conn:
            report = conn.execute(sa.text("SELECT file, sha256, period FROM close_reports")).one()
            closed = conn.execute(sa.text("SELECT closed_by, pricebook_sha256 FROM closes")).one()
            line = conn.execute(sa.text("SELECT quantity, unit_price, amount, sources FROM invoice_lines")).one()
    finally:
        ledger.dispose()
    assert report == ("altaro-sep.csv", hashlib.sha256(sep.read_bytes()).hexdigest(), "2026-09 (column 'Month')")
    assert closed == ("ann", hashlib.sha256(pb.read_bytes()).hexdigest())
    assert line[:3] == ("2", "3.5", "7.00")   # exact text: 2 x 3.5 = 7.00 and "altaro-sep.csv" in line[3]


# --- two processes ----------------------------------------------------------------

def _helper(ledger, pb, month, hold, report) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, str(HERE / "close_helper.py"), ledger, str(pb), month, hold,
                             str(report)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait_for(path: Path, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"helper ended early: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("helper never reached its transaction")
        time.sleep(0.05)


def test_two_closes_at_once_one_wins(tmp_path, ledger_url):
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", "")], [("Acme", "Acme")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2})
    Ledger.open(ledger_url).dispose()          # created before the race
    hold = tmp_path / "go"
    first = _helper(ledger_url, pb, "2026-09", str(hold), sep)
    _wait_for(Path(str(hold) + ".holding"), first)      # first holds its open close transaction
    second = _helper(ledger_url, pb, "2026-09", "-", sep)
    time.sleep(1.0)                                      # the second is now waiting on the first
    assert second.poll() is None
    hold.write_text("go")
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert second.returncode == 2, (out2, err2)
    assert "2026-09" in err2 and ("already closed" in err2 or "while this close was running" in err2)
    ledger = Ledger.open(ledger_url)
    try:
        [row] = ledger.history()
        assert row.closed_by == f"pid{first.pid}" and row.invoices == 1
    finally:
        ledger.dispose()


def test_a_killed_close_leaves_the_ledger_intact(tmp_path, ledger_url):
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", "")], [("Acme", "Acme")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2})
    Ledger.open(ledger_url).dispose()
    hold = tmp_path / "never"
    proc = _helper(ledger_url, pb, "2026-09", str(hold), sep)
    _wait_for(Path(str(hold) + ".holding"), proc)       # invoices, lines, reports written, not committed
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    ledger = Ledger.open(ledger_url)
    try:
        assert ledger.history() == [] and ledger.lock(dt.date(2026, 9, 1)) is None
        with ledger.engine.connect() as conn:
            for table in ("closes", "invoices", "invoice_lines", "close_reports", "close_accounts", "month_locks"):
                assert conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0, table
    finally:
        ledger.dispose()
    assert close("2026-09", pb, sep, ledger_url) == 0    # and the month closes normally afterwards


# --- schema migrations --------------------------------------------------------------

def test_a_revision_0001_ledger_is_migrated_when_opened(tmp_path, ledger_url):
    from alembic import command
    from alembic.config import Config

    from xlbilling.ledger import schema
    from xlbilling.ledger.store import MIGRATIONS, _engine_for

    if "://" not in ledger_url:
        Path(ledger_url).parent.mkdir(parents=True, exist_ok=True)
    engine, _ = _engine_for(ledger_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")          # what the previous version of xlbilling created
    with engine.begin() as conn:
        assert "reopens" not in sa.inspect(conn).get_table_names()
        conn.execute(sa.text("INSERT INTO number_sequence (id, next_n) VALUES (1, 1043)"))
        conn.execute(sa.text("INSERT INTO invoice_numbers (month, customer_key, customer, n, invoice_number,"
                             " accounts, assigned_at) VALUES ('2026-08', 'name:acme', 'Acme', 1042, 'INV-01042',"
                             " 'altaro:Acme', '2026-09-01T00:00:00+00:00')"))
        conn.execute(sa.text("INSERT INTO closes (id, month, closed_at, closed_by, pricebook_file, pricebook_sha256,"
                             " status) VALUES (1, '2026-08', '2026-09-01T00:00:00+00:00', 'old', 'pb.xlsx', 'ab',"
                             " 'closed')"))
        conn.execute(sa.text("INSERT INTO month_locks (month, close_id) VALUES ('2026-08', 1)"))
        conn.execute(sa.text("INSERT INTO invoices (id, close_id, customer_key, customer, currency, invoice_number,"
                             " total) VALUES (1, 1, 'name:acme', 'Acme', 'USD', 'INV-01042', '7.00')"))
        conn.execute(sa.text("INSERT INTO invoice_lines (invoice_id, line_no, vendor, item, description, quantity,"
                             " unit, unit_price, amount, currency, kind, sources) VALUES (1, 1, 'altaro',"
                             " 'm365_users', 'Microsoft 365 backup, per user', '2', 'user', '3.50', '7.00', 'USD',"
                             " 'usage', 'a.csv rows 2-3')"))
    engine.dispose()
    ledger = Ledger.open(ledger_url)           # migrates to the head revision
    try:
        with ledger.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == schema.HEAD
            inspector = sa.inspect(conn)
            for table in schema.metadata.sorted_tables:
                have = {c["name"] for c in inspector.get_columns(table.name)}
                assert have == {c.name for c in table.columns}, table.name
        [row] = ledger.history()
        assert (row.month, row.totals, row.closed_by) == ("2026-08", {"USD": Decimal("7.00")}, "old")
    finally:
        ledger.dispose()
    # the old month is the one September compares with, and the sequence continues
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", "")], [("Acme", "Acme")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 3})
    rc, wb = build(tmp_path, "2026-09", pb, sep, ledger_url)
    assert rc == 0 and summary(wb) == {"Acme": ("INV-01043", Decimal("10.5"))}
    spike = [r for r in changes(wb) if r["change"] == "changed"][0]
    assert (spike["quantity_then"], spike["quantity_now"]) == (2, 3)
    assert main(["build", "--quiet", "--month", "2026-08", "--pricebook", str(pb), str(sep), "--out",
                 str(tmp_path / "x.xlsx"), "--ledger", ledger_url, "--allow-period-mismatch", "--reopen",
                 "--reason", "test reopen after migration"]) == 0


# --- without a ledger ------------------------------------------------------------------

@pytest.mark.parametrize("where", ["default", "--ledger"])
@pytest.mark.parametrize("command", ["build", "lines", "xero", "close"])
def test_a_reopen_with_no_ledger_yet_is_refused_and_creates_none(tmp_path, command, where, capsys):
    """--reopen with no ledger file yet: refused (exit 2, nothing to reopen)
    without creating the ledger (was: pb.ledger.sqlite created, so every later
    build took its numbers from it instead of provisional ones)."""
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", "")], [("Acme", "Acme")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2})
    ledger = tmp_path / ("pb.ledger.sqlite" if where == "default" else "months.sqlite")
    common = ["--month", "2026-09", "--pricebook", str(pb), str(sep), "--reopen", "--reason", "Altaro resent it",
              *([] if where == "default" else ["--ledger", str(ledger)])]
    out = tmp_path / ("out.xlsx" if command == "build" else "out.csv")
    argv = {"build": ["build", "--quiet", *common, "--out", str(out)],
            "lines": ["lines", *common, "--out", str(out)],
            "xero": ["export", "--to", "xero", *common, "--out", str(out)],
            "close": ["close", *common]}[command]
    capsys.readouterr()
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2 and "nothing to reopen" in err and str(ledger) in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["altaro-sep.csv", "pb.xlsx"]   # no ledger, no output
    wb = tmp_path / "billing.xlsx"
    assert main(["build", "--quiet", "--month", "2026-09", "--pricebook", str(pb), str(sep), "--out", str(wb)]) == 0
    ws = openpyxl.load_workbook(wb, data_only=True)[L.SUMMARY.name]
    block = {ws.cell(r, L.STATUS_COLUMN).value: ws.cell(r, L.STATUS_COLUMN + 1).value for r in range(5, 15)}
    assert block["Invoice numbers"].startswith("provisional: no ledger yet"), block
    assert not ledger.exists()


def test_compare_with_last_months_workbook(tmp_path, capsys):
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", ""), ("Bolt", "")], [("Acme", "Acme"), ("Bolt", "Bolt")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2, "Bolt": 1})
    oct_ = altaro(tmp_path / "altaro-oct.csv", "2026-10", {"Acme": 4})
    last = tmp_path / "billing-2026-09.xlsx"
    assert main(["build", "--quiet", "--month", "2026-09", "--pricebook", str(pb), str(sep), "--out", str(last)]) == 0
    assert not (tmp_path / "pb.ledger.sqlite").exists()      # build alone never creates a ledger
    out = tmp_path / "billing-2026-10.xlsx"
    assert main(["build", "--quiet", "--month", "2026-10", "--pricebook", str(pb), str(oct_), "--out", str(out),
                 "--compare-with", str(last)]) == 0
    rows = changes(out)
    by = {(r["change"], r["customer"]): r for r in rows}
    # Acme 2 -> 4 users: 7.00 -> 14.00 (+100 %, but +7.00 is under the 20.00 minimum)
    acme = by[("changed", "Acme")]
    assert (acme["amount_then"], acme["amount_now"], acme["percent"], acme["over_threshold"]) == (7, 14, 1, None)
    assert ("vanished customer", "Bolt") in by and ("vanished account", "Bolt") in by
    ws = openpyxl.load_workbook(out, data_only=True)[L.CHANGES.name]
    assert "billing-2026-09.xlsx" in ws["A3"].value


def test_changes_and_accounts_show_the_vendors_name_and_a_workbook_of_vendor_keys_still_compares(tmp_path):
    """The Changes and Accounts sheets show 'Altaro 365', not 'altaro'; last
    month's workbook is read back to the keys, whether it shows labels or (written
    before labels) the keys themselves: the same account is 'changed', never
    'vanished' + 'new'."""
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", "")], [("Acme", "Acme")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2})
    oct_ = altaro(tmp_path / "altaro-oct.csv", "2026-10", {"Acme": 4})
    labelled, keyed = tmp_path / "sep-labels.xlsx", tmp_path / "sep-keys.xlsx"
    assert main(["build", "--quiet", "--month", "2026-09", "--pricebook", str(pb), str(sep), "--out",
                 str(labelled)]) == 0
    wb = openpyxl.load_workbook(labelled)
    for S in (L.INVOICE_LINES, L.ACCOUNTS):
        ws, col = wb[S.name], S.index("vendor")
        assert ws.cell(L.FIRST_DATA_ROW, col).value == "Altaro 365"
        ws.cell(L.FIRST_DATA_ROW, col).value = "altaro"
    wb.save(keyed)
    for last in (labelled, keyed):
        out = tmp_path / f"oct-{last.stem}.xlsx"
        assert main(["build", "--quiet", "--month", "2026-10", "--pricebook", str(pb), str(oct_), "--out", str(out),
                     "--compare-with", str(last)]) == 0
        assert [(r["change"], r["vendor"]) for r in changes(out)] == [("changed", "Altaro 365"), ("invoice total", None)]
        ws = openpyxl.load_workbook(out, data_only=True)[L.ACCOUNTS.name]
        assert ws.cell(L.FIRST_DATA_ROW, L.ACCOUNTS.index("vendor")).value == "Altaro 365"


@pytest.mark.parametrize("fmt", ["INV-{n.__class__}", "{0}", "INV-", "{n!r}", "{n:{prefix}}", "{x}", "{n:99999d}",
                                 "{n[0]}", "INV-{n"])
def test_unsafe_or_useless_formats_are_refused(fmt):
    with pytest.raises(PriceBookError):
        validate_format(fmt)


@pytest.mark.parametrize("fmt, expected", [("INV-{n:05d}", "INV-01042"), ("{prefix}{year}-{n}", "INV-2026-1042"),
                                           ("{year}{month:02d}/{n:06d}", "202610/001042")])
def test_formats(fmt, expected):
    from xlbilling.core.numbering import format_number

    assert format_number(fmt, 1042, prefix="INV-", month=dt.date(2026, 10, 1)) == expected


def test_close_with_uninvoiced_usage_notes_it_and_strict_refuses(tmp_path, capsys):
    ledger = str(tmp_path / "months.sqlite")
    pb = pricebook(tmp_path / "pb.xlsx", [("Acme", "")], [("Acme", "Acme")])
    sep = altaro(tmp_path / "altaro-sep.csv", "2026-09", {"Acme": 2, "Dee": 1})     # Dee has no Accounts row
    assert close("2026-09", pb, sep, ledger, "--strict") == 2
    assert "--strict: 1 problem leaves usage un-invoiced" in capsys.readouterr().err
    assert Ledger.open(ledger).history() == []
    assert close("2026-09", pb, sep, ledger) == 0
    assert "closed with 1 problem leaving usage NOT invoiced" in capsys.readouterr().err
