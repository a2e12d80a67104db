"""Costs and margins that never lie: an unknown vendor cost is unknown (blank,
counted, flagged), never 0 with a 100% margin; the Acronis cost follows the
distributor discount where the price book gives one; the Summary's
"converted from" note only for a wholly converted invoice."""
from __future__ import annotations

from decimal import Decimal

import openpyxl

from tests.test_pricing_fixtures import NOV, book, rate, read, rec
from xlbilling.pricing.engine import price_month
from xlbilling.writers import layout as L
from xlbilling.writers.xlsx import write_billing_workbook

D = Decimal


def test_unknown_cost_is_blank_counted_and_flagged(tmp_path):
    pb = book(customers=[("A", "USD")], accounts=[("altaro", "A", "A"), ("axcient-bff", "1", "A")],
              rates=[rate("altaro", "m365_users", "3.5"),                          # no vendor cost
                     rate("axcient-bff", "online_gb", "0.25", cost_per_unit="0.10")])
    res = price_month([read([rec("altaro", "A", "m365_users", 4, "user")], file="alt.csv"),
                       read([rec("axcient-bff", "1", "online_gb", 100)], file="bff.csv")], pb, NOV)
    recon = {r.vendor: r for r in res.reconciliation}
    # altaro: 4 x 3.50 = 14.00 billed, cost unknown -> cost, margin and margin % unknown, 1 line counted
    assert (recon["altaro"].billed, recon["altaro"].cost, recon["altaro"].margin, recon["altaro"].margin_pct,
            recon["altaro"].lines_without_cost) == (D("14.00"), None, None, None, 1)
    # axcient: 100 x 0.25 = 25.00 billed, cost 100 x 0.10 = 10.00, margin 15.00 = 60%
    assert (recon["axcient-bff"].cost, recon["axcient-bff"].margin, recon["axcient-bff"].margin_pct) == \
        (D("10.00"), D("15.00"), D("0.6"))
    flagged = [(p.vendor, p.customer) for p in res.problems if p.kind == "cost_unknown"]
    assert flagged == [("altaro", "A")]
    out = tmp_path / "b.xlsx"
    write_billing_workbook(out, [], res)
    ws = openpyxl.load_workbook(out, data_only=True)[L.RECONCILIATION.name]
    row = next(r for r in ws.iter_rows(min_row=L.FIRST_DATA_ROW, values_only=True) if r[1] == "Altaro 365")
    S = L.RECONCILIATION
    assert row[S.index("cost") - 1] is None and row[S.index("margin") - 1] in (None, "")
    assert row[S.index("margin_pct") - 1] in (None, "") and row[S.index("lines_without_cost") - 1] == 1


def test_acronis_cost_from_the_distributor_discount():
    pb = book(customers=[("A", "USD")], accounts=[("acronis", "t", "A")],
              rates=[rate("acronis", "pw_base_servers", "30"),                                   # no rule
                     rate("acronis", "pw_base_storage", "0.5", distributor_discount="0.25")],
              acronis_distributor_discount=D("0.2"))
    res = price_month([read([rec("acronis", "t", "pw_base_servers", 2, "server"),
                             rec("acronis", "t", "pw_base_storage", 40),
                             rec("acronis", "t", "pw_base_vms", 3, "vm", amount="36", currency="USD")])], pb, NOV)
    cost = {ln.item: ln.cost_amount for ln in res.lines}
    assert cost == {
        "pw_base_servers": D("48.00"),   # Settings discount 0.2: 2 x 30 x (1 - 0.2) = 48.00
        "pw_base_storage": D("15.00"),   # the row's discount 0.25: 40 x 0.5 x 0.75 = 15.00
        "pw_base_vms": D("28.80"),       # report's sell 36 / 3 = 12 per vm: 3 x 12 x 0.8 = 28.80
    }


def test_acronis_cost_unknown_without_a_discount():
    pb = book(customers=[("A", "USD")], accounts=[("acronis", "t", "A")], rates=[rate("acronis", "pw_base_servers", "30")])
    res = price_month([read([rec("acronis", "t", "pw_base_servers", 2, "server")])], pb, NOV)
    # no discount anywhere, no Vendor cost per unit: unknown, not 60.00 (margin 0) nor 0.00 (margin 100%)
    assert res.lines[0].cost_amount is None and res.reconciliation[0].cost is None


def test_converted_from_only_when_the_whole_invoice_was_converted():
    pb = book(customers=[("E", "EUR"), ("M", "EUR")], accounts=[("altaro", "E", "E"), ("altaro", "M", "M"),
                                                              ("axcient-bff", "m", "M")],
              rates=[rate("altaro", "m365_users", "2", currency="USD"), rate("axcient-bff", "online_gb", "0.2",
                                                                               currency="EUR")],
              fx=[("USD", "EUR", "0.9")])
    res = price_month([read([rec("altaro", "E", "m365_users", 10, "user"), rec("altaro", "M", "m365_users", 5, "user")],
                            file="alt.csv"), read([rec("axcient-bff", "m", "online_gb", 10)], file="bff.csv")],
                      pb, NOV)
    inv = {i.customer: i for i in res.invoices}
    # E: every line converted USD -> EUR at 0.9 (10 x 2 x 0.9 = 18.00 EUR): the note stands
    assert (inv["E"].fx_rate, inv["E"].primary_currency, inv["E"].total) == (D("0.9"), "USD", D("18.00"))
    # M: one converted line (5 x 2 x 0.9 = 9.00) and one priced in EUR (10 x 0.2 = 2.00): no "converted from"
    assert (inv["M"].fx_rate, inv["M"].primary_currency, inv["M"].total) == (None, None, D("11.00"))
