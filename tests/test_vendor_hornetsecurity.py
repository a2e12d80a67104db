"""Hornetsecurity priced licenses under their own vendor key, and price books
whose Hornetsecurity rows still say `altaro` (they apply, listed once).
Expected values worked by hand from the sample report:
  HS-1001 365TB 25 licenses, Customer Total 52,50 EUR -> 52.50 / 25 = 2.10 per license."""
from __future__ import annotations

from decimal import Decimal

from tests.test_pricing_fixtures import NOV, book, rate, read, rec
from xlbilling.commands.sample_data import sample_path
from xlbilling.pricing.engine import VENDOR_LABELS, price_month
from xlbilling.pricing.model import Account, Rate
from xlbilling.readers import read_report

D = Decimal
REPORT = "hornetsecurity_licenses_2026-10.csv"


def _sample():
    return read_report(sample_path(REPORT))


def test_reader_records_are_hornetsecurity_and_priced_under_it():
    r = _sample()
    assert {x.vendor for x in r.records} == {"hornetsecurity"}
    pb = book(customers=[("Wide World", "EUR"), ("Northwind", "EUR")],
              accounts=[("hornetsecurity", "HS-1001", "Wide World"), ("hornetsecurity", "HS-1002", "Northwind")])
    res = price_month([r], pb, NOV)
    got = {(ln.customer, ln.description): (ln.vendor, ln.quantity, ln.unit_price, ln.amount) for ln in res.lines}
    assert got == {
        # the report's own prices stand (no Rates rule); description = the report's product name
        ("Wide World", "365 Total Backup"): ("hornetsecurity", D(25), D("2.10"), D("52.50")),       # 25 x 2.10
        ("Wide World", "Archiving Add-on"): ("hornetsecurity", D(25), D("0.75"), D("18.75")),       # 25 x 0.75
        ("Northwind", "365 Total Protection Business"): ("hornetsecurity", D(1200), D("1.95"), D("2340.00")),
    }
    assert VENDOR_LABELS["hornetsecurity"] == "Hornetsecurity"
    assert "former_vendor_key" not in {p.kind for p in res.problems}


def test_price_book_rows_still_typed_altaro_apply_and_are_listed_once():
    pb = book(customers=[("Wide World", "EUR"), ("Northwind", "EUR")],
              accounts=[Account("altaro", "HS-1001", "HS-1001", "Wide World", row=7),
                        Account("altaro", "HS-1002", "HS-1002", "Northwind", row=8)],
              # a list price, which the report's stated price overrides (no rule): only the description shows
              rates=[Rate("altaro", "365TB", unit_price=D("9.99"), description="Total Backup", currency="EUR",
                          row=12)])
    res = price_month([_sample()], pb, NOV)
    by = {(ln.customer, ln.item): ln for ln in res.lines}
    assert by[("Wide World", "365TB")].amount == D("52.50")          # 25 x 2.10, mapped through altaro row 7
    assert by[("Wide World", "365TB")].description == "Total Backup"  # the altaro Rates row 12 applies
    assert by[("Northwind", "365TP")].amount == D("2340.00")         # 1200 x 1.95, through row 8
    (p,) = [p for p in res.problems if p.kind == "former_vendor_key"]
    assert p.vendor == "hornetsecurity" and not p.blocking
    assert "Accounts rows 7, 8; Rates row 12" in p.message and "set their Vendor to hornetsecurity" in p.message


def test_own_rows_win_over_the_former_key():
    pb = book(customers=[("Old", "USD"), ("New", "USD")],
              accounts=[("altaro", "HS-9", "Old"), ("hornetsecurity", "HS-9", "New")],
              rates=[rate("altaro", "365TB", "2.00"), rate("hornetsecurity", "365TB", "1.50")])
    res = price_month([read([rec("hornetsecurity", "HS-9", "365TB", 3, "license")])], pb, NOV)
    (ln,) = res.lines
    assert (ln.customer, ln.amount) == ("New", D("4.50"))   # 3 x 1.50 (own row), not 3 x 2.00 for Old
    assert "former_vendor_key" not in {p.kind for p in res.problems}


def test_altaro_itemised_report_stays_altaro():
    r = read_report(sample_path("altaro_itemised_2026-10.csv"))
    assert r.vendor == "altaro" and {x.vendor for x in r.records} == {"altaro"}


def test_a_rates_row_with_only_the_vendor_cost_gives_the_line_its_cost():
    # The report states the sell price (2.10 per 365TB license); the price book states
    # only the vendor's cost, 1.40 per license: cost 25 x 1.40 = 35.00, never "unknown".
    pb = book(customers=[("Wide World", "EUR")], accounts=[("hornetsecurity", "HS-1001", "Wide World")],
              rates=[rate("hornetsecurity", "365TB", cost_per_unit="1.40", currency="EUR")])
    res = price_month([_sample()], pb, NOV)
    line = next(ln for ln in res.lines if ln.item == "365TB")
    assert (line.amount, line.cost_amount) == (D("52.50"), D("35.00"))     # 25 x 2.10, 25 x 1.40
    other = next(ln for ln in res.lines if ln.item != "365TB")              # the add-on: no cost row
    assert other.cost_amount is None


def _check(tmp_path, capsys, rates, *extra):
    from xlbilling.commands.cli import main
    from xlbilling.writers.pricebook_template import write_pricebook

    path = tmp_path / "pb.xlsx"
    write_pricebook(path, force=True, protect_templates=False, customers=[("Wide World", "EUR", None, None, None)],
                    accounts=[("altaro", "Wide World", "Wide World", "Wide World", "yes", None, None)],
                    rates=[(v, item, None, cust, "license", D(price), "EUR", None, None, None, None, None, None)
                           for v, item, cust, price in rates])
    code = main(["pricebook", "check", *extra, str(path)])
    out, err = capsys.readouterr()
    return code, out, err, path


def test_pricebook_check_names_altaro_rates_rows_of_hornetsecurity_products_and_still_passes(tmp_path, capsys):
    """A complete price book whose Rates row 3 prices the Hornetsecurity product 365TB
    under Vendor altaro (rows 2-5 below the header; the Altaro itemised report bills
    only m365_users): check says which cell to change to what, and the book stays
    valid and ready (exit 0, with --strict too).  Row 5 has a twin under
    hornetsecurity (row 6): retyping it would make two rows for one item, so the
    advice is to merge and delete."""
    rates = [("altaro", "m365_users", None, "3.50"),       # row 2: the Altaro report's own item
             ("altaro", "365TB", None, "2.10"),            # row 3: a Hornetsecurity product under altaro
             ("altaro", "*", None, "1.00"),                # row 4: every altaro item: not told apart
             ("altaro", "365TP", None, "1.95"),            # row 5: shadowed by row 6
             ("hornetsecurity", "365TP", None, "1.90")]    # row 6
    for extra in ((), ("--strict",)):
        code, out, err, path = _check(tmp_path, capsys, rates, *extra)
        assert code == 0 and "OK, ready to invoice" in out
        warnings = [ln for ln in err.splitlines() if ln.startswith("warning:")]
        assert warnings == [
            f"warning: {path}, sheet 'Rates', row 3, column 'Vendor': found 'altaro', expected 'hornetsecurity': the"
            " item '365TB' is a Hornetsecurity product (altaro reports bill only m365_users); set Vendor to"
            " hornetsecurity (meanwhile the row prices hornetsecurity usage where no hornetsecurity row does)",
            f"warning: {path}, sheet 'Rates', row 5, column 'Vendor': found 'altaro', expected 'hornetsecurity': the"
            " item '365TP' is a Hornetsecurity product (altaro reports bill only m365_users); row 6 has the same"
            " item, tier and customer under hornetsecurity: move into row 6 what this row adds, then delete this"
            " row"]


def test_pricebook_check_says_nothing_of_a_book_without_former_key_rows(tmp_path, capsys):
    code, out, err, _ = _check(tmp_path, capsys, [("altaro", "m365_users", None, "3.50"),
                                                  ("hornetsecurity", "365TB", None, "2.10")])
    assert code == 0 and "OK, ready to invoice" in out and "warning" not in err
