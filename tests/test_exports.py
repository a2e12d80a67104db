"""Accounting exports and the lines CSV (ACCOUNTING_EXPORTS.md)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.test_pricing_fixtures import NOV, book, rate, read, rec
from xlbilling.errors import OutputError
from xlbilling.pricing.engine import price_month
from xlbilling.writers.exports import (LINES_COLUMNS, QBO_COLUMNS, XERO_COLUMNS, export_paths, import_quantity_price,
                                       lines_csv, split_invoices, write_export)

D = Decimal
XERO_HEADER = ("*ContactName,EmailAddress,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,POCity,PORegion,"
               "POPostalCode,POCountry,*InvoiceNumber,Reference,*InvoiceDate,*DueDate,InventoryItemCode,*Description,"
               "*Quantity,*UnitAmount,Discount,*AccountCode,*TaxType,TrackingName1,TrackingOption1,TrackingName2,"
               "TrackingOption2,Currency,BrandingTheme")
QBO_HEADER = ("InvoiceNo,Customer,InvoiceDate,DueDate,Terms,Location,Memo,Item(Product/Service),ItemDescription,"
              "ItemQuantity,ItemRate,ItemAmount,Taxable,TaxRate,TaxAmount,Service Date,Currency")
EVIL = '=HYPERLINK("http://evil","x")'


FOREIGN = "Wide World GmbH"


def _result(n_customers=2, currency="USD", foreign=EVIL):
    """n customers in `currency` plus one EUR customer named `foreign` (by default a
    formula-like name: lines escape it, the imports refuse it)."""
    names = [f"Cust {i:04d}" for i in range(n_customers)]
    pb = book(customers=[(n, currency) for n in names] + [(foreign, "EUR")],
              accounts=[("altaro", n, n) for n in names] + [("altaro", "evil", foreign)],
              rates=[rate("altaro", "m365_users", "3.5", item_code="M365"),
                     rate("axcient-bff", "online_gb", "0.25")],
              fx=[("USD", "EUR", "0.92345")], payment_terms_days=14)
    pb = replace(pb, accounts=pb.accounts + tuple(type(pb.accounts[0])("axcient-bff", n, n, n) for n in names))
    recs = [rec("altaro", n, "m365_users", 2, "user") for n in names] + [rec("altaro", "evil", "m365_users", 1, "user")]
    recs += [rec("axcient-bff", n, "online_gb", "123.45") for n in names]
    return pb, price_month([read(recs[: len(names) + 1]), read(recs[len(names) + 1:], file="bff.csv")], pb, NOV)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_headers_are_exact():
    assert ",".join(XERO_COLUMNS) == XERO_HEADER and len(XERO_COLUMNS) == 27
    assert ",".join(QBO_COLUMNS) == QBO_HEADER
    assert LINES_COLUMNS == ("customer", "vendor", "item", "description", "quantity", "unit", "unit_price", "amount",
                             "currency", "source")


def test_lines_csv_exact_decimal_strings():
    pb, res = _result(1)
    rows = list(csv.reader(io.StringIO(lines_csv(res))))
    assert tuple(rows[0]) == LINES_COLUMNS
    gb = next(r for r in rows if r[2] == "online_gb")
    # 123.45 x 0.25 = 30.8625 -> 30.86
    assert gb[4:9] == ["123.45", "GB", "0.25", "30.86", "USD"]
    evil = next(r for r in rows if r[0] == "'" + EVIL)   # free text: escaped with a leading apostrophe
    assert evil[7] == "3.23" and evil[8] == "EUR"   # 3.50 x 0.92345 = 3.2320750 -> 3.23


def test_xero_file_dates_currency_and_literal_names(tmp_path):
    pb, res = _result(1, foreign=FOREIGN)
    out = tmp_path / "xero.csv"
    paths = write_export("xero", res, pb, out)
    assert paths == [out]
    rows = _rows(out)
    assert ",".join(rows[0]) == XERO_HEADER
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    first = body[0]
    assert first["*InvoiceDate"] == "30/11/2026"      # last day of November, DD/MM/YYYY
    assert first["*DueDate"] == "14/12/2026"          # + 14 days payment terms
    assert first["*AccountCode"] == "200" and first["*TaxType"] == "Tax Exempt"
    foreign = [r for r in body if r["*ContactName"] == FOREIGN]
    assert foreign and foreign[0]["Currency"] == "EUR"        # foreign-currency invoice: Currency filled
    assert all(r["Currency"] == "" for r in body if r["*ContactName"] != FOREIGN)
    # every invoice adds up exactly: sum(qty x unit) per InvoiceNumber == invoice total
    for inv in res.invoices:
        lines = [r for r in body if r["*InvoiceNumber"] == inv.invoice_number]
        assert sum(D(r["*Quantity"]) * D(r["*UnitAmount"]) for r in lines) == inv.total


def test_import_quantity_price_collapses_when_not_exact():
    pb, res = _result(1)
    gb = next(ln for ln in res.lines if ln.item == "online_gb")
    q, u, desc = import_quantity_price(gb)
    # 123.45 x 0.25 = 30.8625 is not the rounded 30.86: goes as 1 x 30.86, the description naming the
    # product and the exact quantity, no working, no '~'
    assert (q, u) == (D(1), D("30.86")) and desc == f"{gb.description} (123.45 GB)"
    users = next(ln for ln in res.lines if ln.item == "m365_users" and ln.currency == "USD")
    assert import_quantity_price(users)[:2] == (D(2), D("3.5"))   # 2 x 3.5 = 7.00 exactly


def test_xero_splits_at_500_invoices_never_splitting_one(tmp_path):
    pb, res = _result(1001, foreign=FOREIGN)        # 1001 + 1 customers = 1002 invoices -> 500 + 500 + 2
    out = tmp_path / "xero.csv"
    paths = write_export("xero", res, pb, out)
    assert [p.name for p in paths] == ["xero-1.csv", "xero-2.csv", "xero-3.csv"]
    seen: dict[str, str] = {}
    counts = []
    for p in paths:
        rows = _rows(p)
        assert ",".join(rows[0]) == XERO_HEADER
        numbers = {r[10] for r in rows[1:]}
        counts.append(len(numbers))
        for n in numbers:
            assert n not in seen, f"invoice {n} split across {seen.get(n)} and {p.name}"
            seen[n] = p.name
    assert counts == [500, 500, 2]
    assert not out.exists()


def test_split_invoices_helper():
    assert [len(c) for c in split_invoices(list(range(1000)), 500)] == [500, 500]
    assert export_paths("a/b.csv", 1)[0].name == "b.csv"


def test_qbo_file(tmp_path):
    pb, res = _result(1, foreign=FOREIGN)
    out = tmp_path / "qbo.csv"
    write_export("qbo", res, pb, out, invoice_date=dt.date(2026, 12, 1))
    rows = _rows(out)
    assert ",".join(rows[0]) == QBO_HEADER
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert body[0]["InvoiceDate"] == "12/01/2026" and body[0]["DueDate"] == "12/15/2026" and body[0]["Terms"] == "Net 14"
    for inv in res.invoices:
        lines = [r for r in body if r["InvoiceNo"] == inv.invoice_number]
        assert sum(D(r["ItemAmount"]) for r in lines) == inv.total
        assert all(D(r["ItemQuantity"]) * D(r["ItemRate"]) == D(r["ItemAmount"]) for r in lines)
    assert {r["Item(Product/Service)"] for r in body if "365" in r["ItemDescription"]} == {"M365"}


def test_existing_output_refused_unless_force_and_inputs_never_overwritten(tmp_path):
    pb, res = _result(1, foreign=FOREIGN)
    out = tmp_path / "x.csv"
    out.write_text("keep me")
    with pytest.raises(OutputError, match="already exists"):
        write_export("xero", res, pb, out)
    assert out.read_text() == "keep me"
    with pytest.raises(OutputError, match="input"):
        write_export("xero", res, pb, out, inputs=[str(out)], force=True)
    assert out.read_text() == "keep me"
    write_export("xero", res, pb, out, force=True)
    assert out.read_text().startswith("*ContactName")
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]   # no temp file left behind


def test_descriptions_fit_to_send_and_quantities_exact():
    from xlbilling.writers.exports import exact_text, plural, quantity_note
    assert [plural("unit", D(18)), plural("license", D(1)), plural("GB", D(3)), plural("box", D(2))] == \
        ["units", "license", "GB", "boxes"]                      # never "18 unit"
    assert quantity_note(D("7.5"), "point") == " (7.5 points)"
    # 1288490188 bytes / 1024^3: too many decimals to print on an invoice: no figure, no '~'
    assert quantity_note(D(1288490188) / D(1073741824), "GB") == ""
    assert [exact_text(D("1.108140000")), exact_text(D("3.0")), exact_text(D("1E+3"))] == ["1.10814", "3", "1000"]


def test_lines_csv_quantity_decimals_per_unit():
    from xlbilling.writers.exports import quantity_text
    assert quantity_text(D("25.000"), "license") == "25"        # a count: whole
    assert quantity_text(D("1200"), "users") == "1200"
    assert quantity_text(D("2.5"), "user") == "2.5"             # not whole: exact, never rounded to 3
    assert quantity_text(D("123.4"), "GB") == "123.40"          # GB: 2 places
    assert quantity_text(D("123.450000"), "GB") == "123.45"     # no trailing zeros beyond the places
    assert quantity_text(D("0.123456789"), "GB") == "0.123456789"   # more decimals than shown: all of them
    assert quantity_text(D("7.50"), "point") == "7.5"           # other units: exact, no trailing zeros
    assert quantity_text(D("1E+3"), "GB") == "1000.00"          # never an exponent

