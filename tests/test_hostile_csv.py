"""Issue 11, CSV injection (OWASP): no cell of any CSV xlbilling writes runs as
a formula.  The files are opened in LibreOffice (real conversion, default CSV
import, which evaluates formulas - the control case proves it) and every cell
is checked; negative amounts must stay numbers.  Xero/QuickBooks names and
codes are refused with the price-book cell, not altered."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

import lo
from tests.test_pricing_fixtures import NOV, book, rate, read, rec
from xlbilling.core.formula_text import formula_like, unescape_text
from xlbilling.errors import OutputError
from xlbilling.fetch.output import table_csv_bytes
from xlbilling.pricing.engine import price_month
from xlbilling.pricing.model import Customer
from xlbilling.writers.csv_safe import escape_text
from xlbilling.writers.exports import lines_csv, write_export
from dataclasses import replace

PAYLOADS = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", '=HYPERLINK("http://evil","x")', "+1+2", "-2+3",
            "\t=1+2", "\r=1+2", "  =1+2", "=1+2"]


def test_formula_like_rules():
    for p in PAYLOADS:
        assert formula_like(p) and escape_text(p) == "'" + p and unescape_text("'" + p) == p
    for safe in ("-5.00", "+7", "-1,234.50", "Contoso", "a=b", "", "'quoted", "12%"):
        assert not formula_like(safe) and escape_text(safe) == safe
    assert unescape_text("'Contoso") == "'Contoso"   # only the marker before formula-like text comes off


def _priced(customer_names, description="Backup users", **settings):
    pb = book(**settings, customers=[(n, "USD") for n in customer_names],
              accounts=[("altaro", f"acct{i}", n) for i, n in enumerate(customer_names)],
              rates=[rate("altaro", "m365_users", "3.5", description=description, item_code="M365"),
                     rate("axcient-bff", "online_gb", "-0.25")])   # a credit: negative amounts
    recs = [rec("altaro", f"acct{i}", "m365_users", 2, "user", customer=n) for i, n in enumerate(customer_names)]
    pb_accounts = pb.accounts + tuple(type(pb.accounts[0])("axcient-bff", f"b{i}", n, n)
                                      for i, n in enumerate(customer_names))
    from dataclasses import replace
    pb = replace(pb, accounts=pb_accounts)
    recs_b = [rec("axcient-bff", f"b{i}", "online_gb", "10", customer=n) for i, n in enumerate(customer_names)]
    return pb, price_month([read(recs), read(recs_b, file="bff.csv")], pb, NOV)


def _cells(xlsx: Path):
    wb = openpyxl.load_workbook(xlsx)   # formulas as written by LibreOffice, not values
    return [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.mark.libreoffice
@lo.requires_soffice
def test_no_csv_xlbilling_writes_opens_as_a_formula_in_libreoffice(tmp_path, capsys):
    from xlbilling.commands.cli import main

    control = tmp_path / "control.csv"
    control.write_text("a,b\n=1+2,-5.00\n", encoding="utf-8")
    # lines: payload customer names and descriptions, negative amounts
    pb, res = _priced(PAYLOADS, description="=2+3 users")
    (tmp_path / "lines.csv").write_text(lines_csv(res), encoding="utf-8")
    # Xero / QBO: benign names (codes are refused, below), payload descriptions
    pb2, res2 = _priced(["Contoso", "Fabrikam"], description="@SUM(9)*cmd|' /C calc'!A0")
    write_export("xero", res2, pb2, tmp_path / "xero.csv")
    write_export("qbo", res2, pb2, tmp_path / "qbo.csv")
    # read --format csv of a report full of payloads
    report = tmp_path / "altaro_payloads.csv"
    report.write_text("Customer,Object Type Backed Up,Object Name\n"
                      + "".join(f'"{p}",Mailbox,"{p}"\n' for p in PAYLOADS), encoding="utf-8")
    assert main(["read", str(report), "--format", "csv"]) == 0
    (tmp_path / "read.csv").write_text(capsys.readouterr().out, encoding="utf-8")
    # the fetched x360Recover table
    (tmp_path / "x360.csv").write_bytes(table_csv_bytes(["client_name", "cloud_usage"], [[p, -1] for p in PAYLOADS]))

    names = ["control", "lines", "xero", "qbo", "read", "x360"]
    converted = dict(zip(names, lo.convert([tmp_path / f"{n}.csv" for n in names], tmp_path / "lo")))
    assert any(c.data_type == "f" for c in _cells(converted["control"])), "LibreOffice did not evaluate the control"
    for name in names[1:]:
        cells = _cells(converted[name])
        formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
        assert not formulas, f"{name}.csv opened with formulas {formulas}"
        assert cells, name
    # negative amounts stayed numbers: 10 GB x -0.25 = -2.50 per customer
    amounts = [c.value for c in _cells(converted["lines"]) if c.column == 8 and c.row > 1]
    assert -2.5 in amounts and all(isinstance(a, (int, float)) for a in amounts)
    xero = [c.value for c in _cells(converted["xero"]) if c.column == 18 and c.row > 1]   # *UnitAmount
    assert any(isinstance(v, (int, float)) and v < 0 for v in xero)


def test_lines_csv_escapes_text_and_keeps_numbers():
    pb, res = _priced(["=1+2"])
    rows = list(csv.DictReader(io.StringIO(lines_csv(res))))
    assert {r["customer"] for r in rows} == {"'=1+2"}
    assert {r["amount"] for r in rows} == {"7.00", "-2.50"}   # 2 x 3.50; 10 x -0.25


@pytest.mark.parametrize("fmt", ["xero", "qbo"])
def test_formula_like_customer_refuses_the_import_naming_the_cell(tmp_path, fmt):
    pb, res = _priced(["Contoso", "=HYPERLINK(1)"])
    pb = replace(pb, customers=(Customer("Contoso", "USD", row=2), Customer("=HYPERLINK(1)", "USD", row=3)))
    out = tmp_path / f"{fmt}.csv"
    with pytest.raises(OutputError, match=r"'=HYPERLINK\(1\)' \(price book sheet 'Customers', row 3, column"
                                          r" 'Customer'\) starts like a spreadsheet formula"):
        write_export(fmt, res, pb, out)
    assert not out.exists()


def test_formula_like_codes_refuse_the_xero_import(tmp_path):
    from dataclasses import replace

    pb, res = _priced(["Contoso"], xero_account_code="=1+1", xero_tax_type="@x", invoice_prefix="-1+")
    with pytest.raises(OutputError) as err:
        write_export("xero", res, pb, tmp_path / "x.csv")
    text = str(err.value)
    for where in ("setting 'Xero AccountCode'", "setting 'Xero TaxType'", "setting 'Invoice number prefix'"):
        assert where in text
    assert not (tmp_path / "x.csv").exists()


def test_fetched_table_round_trips_through_the_reader(tmp_path):
    from xlbilling.readers.cells import cell_text

    data = table_csv_bytes(["client_name"], [["=cmd|' /C calc'!A0"], ["\t=1+2"]]).decode()
    assert "'=cmd" in data
    rows = list(csv.reader(io.StringIO(data)))
    assert cell_text(rows[1][0]) == "=cmd|' /C calc'!A0"
